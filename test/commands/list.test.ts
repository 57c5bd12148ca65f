// `porttop list` in-process: the table with names made printable, --json exact, filters, "all" as
// no filter, and exit 1 when nothing matches.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { linuxRanges, processes, snapshotOf, tcp, udp } from '../diagnose/snapshots.js';
import { MemoryBackend } from './memoryBackend.js';

function backend() {
  const procs = processes([10, 'evil\u001b[31mname'], [20, 'server']);
  const endpoints = [tcp(8080, null, 'LISTEN', 20), tcp(40000, ['127.0.0.1', 8080], 'ESTABLISHED', 10), tcp(40001, ['127.0.0.1', 8080], 'TIME_WAIT', null), udp(5353, 20)];
  return new MemoryBackend({ platform: 'linux', snapshot: snapshotOf(endpoints, procs), ranges: linuxRanges(40000, 300) });
}

describe('porttop list', () => {
  it('prints every endpoint with its owner; control characters in names are escaped', async () => {
    const run = await runCli(['list'], backend());
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^PROTO +LOCAL +REMOTE +STATE +PID +PROCESS\n/);
    assert.match(run.stdout, /TCP +127\.0\.0\.1:40000 +127\.0\.0\.1:8080 +ESTABLISHED +10 +evil\\x1b\[31mname\n/);
    assert.match(run.stdout, /TCP +127\.0\.0\.1:40001 +127\.0\.0\.1:8080 +TIME_WAIT +- +-\n/);
    assert.doesNotMatch(run.stdout, /\u001b/);
  });

  it('--json keeps names exact', async () => {
    const run = await runCli(['list', '--json', '--pid', '10'], backend());
    assert.deepEqual(JSON.parse(run.stdout).map((row: { processName: string }) => row.processName), ['evil\u001b[31mname']);
  });

  it('--json of many endpoints (written in pieces) is one valid array with each holder whole', async () => {
    const procs = processes([10, 'x'.repeat(5_000)]);
    const endpoints = Array.from({ length: 3_000 }, (_, index) => tcp(20_000 + index, ['127.0.0.1', 8080], 'ESTABLISHED', 10));
    const run = await runCli(['list', '--json'], new MemoryBackend({ platform: 'linux', snapshot: snapshotOf(endpoints, procs), ranges: linuxRanges(40000, 300) }));
    const rows = JSON.parse(run.stdout) as { localPort: number; holders: { processName: string }[] }[];
    assert.equal(rows.length, 3_000);
    assert.ok(rows.every((row, index) => row.localPort === 20_000 + index && row.holders[0]!.processName === 'x'.repeat(5_000)));
    assert.ok(run.stdout.endsWith(']\n'));
  });

  it('filters combine; --proto all and --family all mean no filter (as the help says)', async () => {
    const run = await runCli(['list', '--json', '--proto', 'all', '--family', 'all', '--port', '8080'], backend());
    assert.equal(JSON.parse(run.stdout).length, 3);
    const udpOnly = await runCli(['list', '--json', '--proto', 'udp'], backend());
    assert.deepEqual(JSON.parse(udpOnly.stdout).map((row: { localPort: number }) => row.localPort), [5353]);
  });

  it('nothing matching is exit 1 (nothing found), said in words; --json prints []', async () => {
    const run = await runCli(['list', '--pid', '999999'], backend());
    assert.equal(run.code, 1);
    assert.equal(run.stdout, 'no endpoint matches --pid 999999\n');
    const json = await runCli(['list', '--pid', '999999', '--json'], backend());
    assert.equal(json.code, 1);
    assert.equal(json.stdout, '[]\n');
  });

  it('bad filters: one line and exit 2, naming what is allowed', async () => {
    const proto = await runCli(['list', '--proto', 'sctp'], backend());
    assert.equal(proto.code, 2);
    assert.equal(proto.stderr, "porttop: invalid --proto 'sctp': expected tcp, udp or all\n");
    const state = await runCli(['list', '--state', 'OPEN'], backend());
    assert.equal(state.code, 2);
    assert.match(state.stderr, /^porttop: invalid --state 'OPEN': expected one of LISTEN, .*BOUND\n$/);
  });
});
