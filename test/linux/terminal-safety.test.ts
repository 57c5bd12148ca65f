// A process named `\e]0;owned\a\e[2J` with a command line holding escapes and newlines: every text
// output shows them escaped (\x1b); --json keeps the exact text.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { OwnedEndpoint } from '../../src/core/select.js';
import { escapeControl } from '../../src/core/terminal.js';
import { fit } from '../../src/tui/draw.js';
import { runCli } from '../helpers/cli.js';
import { startPython, type GroupChild } from '../helpers/group.js';

const NAME = '\x1b]0;owned\x07\x1b[2J';
const ARGUMENT = 'x\x1b[31mred\nline two\x9b\x7f';

// comm is set through /proc/self/comm (15 bytes at most); the argument rides in argv
const EVIL = `
import socket, json, time, sys
open("/proc/self/comm", "w").write(${JSON.stringify(NAME)})
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
print("READY " + json.dumps({"port": s.getsockname()[1]}), flush=True)
time.sleep(120)
`;

const RAW_CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/;

describe('terminal safety', () => {
  it('escapeControl shows C0, DEL and C1 as \\xNN and leaves other text alone', () => {
    assert.equal(escapeControl('a\x1b[2Jb\nc\x7f\x9bé✓'), 'a\\x1b[2Jb\\x0ac\\x7f\\x9bé✓');
    assert.equal(fit('\x1b[2J', 20), '\\x1b[2J', 'the live view draws through fit()');
  });

  describe('on a real process', { skip: process.platform !== 'linux' && 'needs Linux /proc' }, () => {
    let child: GroupChild<{ port: number }>;
    before(async () => {
      child = await startPython<{ port: number }>(EVIL, { args: [ARGUMENT] });
    });
    after(async () => child?.stop());

    it('who, list, procs and kill --dry-run print no raw control character; JSON keeps the exact name', async () => {
      const port = String(child.data.port);
      const outputs = await Promise.all([
        runCli(['who', port]),
        runCli(['list', '--pid', String(child.pid)]),
        runCli(['procs']),
        runCli(['kill', port, '--dry-run']),
        runCli(['kill', port, '--tree', '--dry-run']),
      ]);
      for (const run of outputs) {
        assert.doesNotMatch(run.stdout + run.stderr, RAW_CONTROL, JSON.stringify(run.stdout + run.stderr));
      }
      assert.match(outputs[0]!.stdout, /PID \d+ {2}\\x1b\]0;owned\\x07\\x1b\[2J/);
      assert.match(outputs[3]!.stdout, /\\x1b\]0;owned\\x07\\x1b\[2J \(port/);
      const [row] = JSON.parse((await runCli(['who', port, '--json'])).stdout) as OwnedEndpoint[];
      assert.equal(row!.processName, NAME);
      assert.equal(row!.holders[0]!.processName, NAME);
      assert.ok(row!.holders[0]!.commandLine?.endsWith(ARGUMENT), 'the command line is exact in JSON');
      assert.match(outputs[0]!.stdout, /-c \\x0aimport socket/, 'the newlines of the command line are escaped too');
    });
  });
});
