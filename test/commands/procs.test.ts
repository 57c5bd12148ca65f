// `porttop procs` in-process: counts per process, sort keys, --top, JSON, and bad values.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { connections, linuxRanges, processes, snapshotOf, tcp } from '../diagnose/snapshots.js';
import { MemoryBackend } from './memoryBackend.js';

function backend() {
  const endpoints = [
    tcp(8080, null, 'LISTEN', 20),
    ...connections(40000, 5, ['127.0.0.1', 8080], 'ESTABLISHED', 10),
    ...connections(40100, 12, ['10.0.0.1', 443], 'CLOSE_WAIT', 30),
  ];
  const snapshot = snapshotOf(endpoints, processes([10, 'client'], [20, 'server'], [30, 'leaky', 4000]));
  return new MemoryBackend({ platform: 'linux', snapshot, ranges: linuxRanges(40000, 300) });
}

describe('porttop procs', () => {
  it('one row per process, largest first; the handle suspect is marked and explained', async () => {
    const run = await runCli(['procs'], backend());
    assert.equal(run.code, 0);
    const pids = run.stdout.split('\n').slice(1).flatMap((line) => /^\s*(\d+) /.exec(line)?.[1] ?? []).map(Number);
    assert.deepEqual(pids, [30, 10, 20]);
    assert.match(run.stdout, /30 +leaky +12 .* 4000 !\n/);
    assert.match(run.stdout, /! more than 3000 handles/);
  });

  it('--sort closewait --top 1 --json', async () => {
    const run = await runCli(['procs', '--sort', 'closewait', '--top', '1', '--json'], backend());
    const rows = JSON.parse(run.stdout);
    assert.equal(rows.length, 1);
    assert.deepEqual(Object.keys(rows[0]), ['pid', 'processName', 'commandLine', 'sockets', 'listen', 'established', 'timeWait', 'closeWait', 'bound', 'udp', 'ephemeral', 'handles']);
    assert.equal(rows[0].closeWait, 12);
  });

  it('--top 0 and --sort name are refused in one line, exit 2', async () => {
    const top = await runCli(['procs', '--top', '0'], backend());
    assert.equal(top.code, 2);
    assert.equal(top.stderr, "porttop: invalid --top '0': expected a whole number, 1 or more\n");
    const sort = await runCli(['procs', '--sort', 'name'], backend());
    assert.equal(sort.stderr, "porttop: invalid --sort 'name': expected one of sockets, handles, ephemeral, closewait, bound\n");
  });
});
