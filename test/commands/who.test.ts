// `porttop who` in-process on recorded snapshots: every holder in text and --json, names made
// printable in text and exact in JSON, TIME_WAIT explained, exit codes, and the help line.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { spawnSync } from 'node:child_process';
import { BIN, runCli } from '../helpers/cli.js';
import { linuxRanges, processes, snapshotOf, tcp } from '../diagnose/snapshots.js';
import { MemoryBackend } from './memoryBackend.js';

function backend() {
  const procs = processes([10, 'evil\u001b]0;owned\u0007'], [11, 'worker']);
  const shared = { ...tcp(8080, null, 'LISTEN', 10), holders: [10, 11] };
  const endpoints = [shared, tcp(8080, ['127.0.0.1', 40001], 'TIME_WAIT', null), tcp(9090, ['127.0.0.1', 40002], 'TIME_WAIT', null)];
  return new MemoryBackend({ platform: 'linux', snapshot: snapshotOf(endpoints, procs), ranges: linuxRanges(40000, 300) });
}

describe('porttop who', () => {
  it('names every holder of a shared socket, with control characters escaped', async () => {
    const run = await runCli(['who', '8080'], backend());
    assert.equal(run.code, 0);
    assert.match(run.stdout, /PID 10 +evil\\x1b\]0;owned\\x07/);
    assert.match(run.stdout, /PID 11 +worker/);
    assert.doesNotMatch(run.stdout, /[\u0000-\u0008\u001b\u007f]/);
  });

  it('--json: pid and processName are the first holder, holders lists all, names exact', async () => {
    const run = await runCli(['who', ':8080', '--json'], backend());
    const rows = JSON.parse(run.stdout) as { pid: number | null; processName: string | null; holders: { pid: number; processName: string }[]; state: string }[];
    const listener = rows.find((row) => row.state === 'LISTEN')!;
    assert.equal(listener.pid, 10);
    assert.equal(listener.processName, 'evil\u001b]0;owned\u0007');
    assert.deepEqual(listener.holders.map((holder) => holder.pid), [10, 11]);
  });

  it('a port with only TIME_WAIT left is explained; a port with nothing is exit 1; a bad port is exit 2', async () => {
    const timeWait = await runCli(['who', '9090'], backend());
    assert.match(timeWait.stdout, /TIME_WAIT/);
    const nothing = await runCli(['who', '7070'], backend());
    assert.equal(nothing.code, 1);
    assert.match(nothing.stdout, /nothing uses port 7070/);
    const bad = await runCli(['who', '70000'], backend());
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^porttop: invalid port '70000'.*\n$/);
  });

  it("--help (the built bin) marks the ports required without a '[default: []]' beside it", async () => {
    const run = spawnSync(process.execPath, [BIN, 'who', '--help'], { encoding: 'utf8' }); // yargs prints help itself
    assert.equal(run.status, 0);
    assert.match(run.stdout, /ports .*\[array\] \[required\]\n/);
    assert.doesNotMatch(run.stdout, /default: \[\]/);
  });
});
