// `porttop diagnose` in-process, on snapshots built in memory: text and --json, exit codes, the
// usable pool, the stop-gap that is never an error, and advice that names the pattern.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeRange } from '../../src/core/ranges.js';
import { toExcludedRanges } from '../../src/ps/envelope.js';
import { runCli } from '../helpers/cli.js';
import { connections, linuxRanges, processes, snapshotOf, tcp, windowsRanges } from '../diagnose/snapshots.js';
import { MemoryBackend } from './memoryBackend.js';

const SERVER: [string, number] = ['127.0.0.1', 5000];

function linuxBackend(endpoints: ReturnType<typeof tcp>[], extra: { hiddenOwners?: number } = {}) {
  const snapshot = { ...snapshotOf(endpoints, processes([10, 'client'], [20, 'server'])), ...extra };
  return new MemoryBackend({ platform: 'linux', snapshot, ranges: linuxRanges(40000, 300) });
}

describe('porttop diagnose', () => {
  it('says OK with nothing to do on a quiet machine, exit 0', async () => {
    const run = await runCli(['diagnose'], linuxBackend([tcp(5000, null, 'LISTEN', 20)]));
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^verdict: OK: no sign of ephemeral-port exhaustion\n/);
    assert.match(run.stdout, /advice:\n {2}nothing to do\n$/);
  });

  it('--fail-on warning exits 1 once the range is exhausted, with the culprit and the stop-gap in words', async () => {
    const run = await runCli(['diagnose', '--fail-on', 'warning'], linuxBackend(connections(40000, 300, SERVER, 'ESTABLISHED', 10)));
    assert.equal(run.code, 1);
    assert.match(run.stdout, /^verdict: EXHAUSTED/);
    assert.match(run.stdout, /tcp\/ipv4 +40000-40299 +300 +300 +100% .* EXHAUSTED/);
    assert.match(run.stdout, /PID 10 \(client\) holds 300 ephemeral ports with 300 connections open to 127\.0\.0\.1:5000/);
    assert.match(run.stdout, /Stop-gap: widen the dynamic range with `porttop range set --start 32768 --num 28232`/);
  });

  it('--json keeps camelCase fields, the usable pool, the state totals and hiddenOwners', async () => {
    const run = await runCli(['diagnose', '--json'], linuxBackend([tcp(40001, SERVER, 'ESTABLISHED', 10)], { hiddenOwners: 12 }));
    assert.equal(run.code, 0);
    const report = JSON.parse(run.stdout);
    assert.equal(report.hiddenOwners, 12, 'a script can tell hidden owners from TIME_WAIT');
    assert.deepEqual(report.totals, { ESTABLISHED: 1 });
    assert.deepEqual(
      Object.keys(report.usage[0]).slice(0, 8),
      ['protocol', 'family', 'start', 'end', 'count', 'reserved', 'usable', 'inUse'],
    );
    for (const key of Object.keys(report)) assert.match(key, /^[a-z][a-zA-Z]*$/, key);
  });

  it('a process that is client and server is counted for its client side only', async () => {
    const endpoints = [
      tcp(8080, null, 'LISTEN', 10),
      ...Array.from({ length: 50 }, (_, i) => tcp(8080, ['10.9.0.1', 50000 + i], 'ESTABLISHED', 10)), // accepted
      ...connections(40000, 290, SERVER, 'ESTABLISHED', 10), // its own outbound connections
    ];
    const run = await runCli(['diagnose'], linuxBackend(endpoints));
    assert.match(run.stdout, /PID 10 \(client\) holds 290 ephemeral ports with 290 connections open to 127\.0\.0\.1:5000/);
  });

  it('a TIME_WAIT pile with no owner names the pattern and who talks to that destination', async () => {
    const endpoints = [
      ...Array.from({ length: 290 }, (_, i) => tcp(40000 + i, SERVER, 'TIME_WAIT', null)),
      tcp(40295, SERVER, 'ESTABLISHED', 10),
      tcp(40296, SERVER, 'ESTABLISHED', 20),
    ];
    const run = await runCli(['diagnose'], linuxBackend(endpoints));
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^verdict: EXHAUSTED/);
    assert.match(run.stdout, /290 sockets in TIME_WAIT toward 127\.0\.0\.1:5000 with no owner: something on this machine opens short connections to 127\.0\.0\.1:5000 and closes them first/);
    assert.match(run.stdout, /keep-alive, a connection pool/);
    assert.match(run.stdout, /The processes with connections to 127\.0\.0\.1:5000 now: PID 10 \(client\), PID 20 \(server\)\./);
    assert.match(run.stdout, /Fix the pattern named above\./);
  });

  it('recorded shape: a Windows range starting at 1024 gets no stop-gap, never exit 2', async () => {
    // netsh accepts start=1024 (porttop's own `range set` does not): 1024-2023 full of connections
    const ranges = [makeRange('tcp', 'ipv4', 1024, 1000), ...windowsRanges().slice(1)];
    const endpoints = connections(1024, 1000, ['10.0.0.9', 443], 'ESTABLISHED', 10, '10.0.0.1');
    const backend = new MemoryBackend({ platform: 'windows', snapshot: snapshotOf(endpoints, processes([10, 'w3wp.exe'])), ranges });
    const run = await runCli(['diagnose'], backend);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^verdict: EXHAUSTED/);
    // smaller than the default: back to the default, undone by netsh since `range set` refuses 1024
    assert.match(run.stdout, /`porttop range set --start 49152 --num 16384 --proto tcp --family ipv4`.*undo with `netsh int ipv4 set dynamicport tcp start=1024 num=1000`/);

    const wide = [makeRange('tcp', 'ipv4', 1024, 64512), ...windowsRanges().slice(1)];
    const full = connections(1024, 64000, ['10.0.0.9', 443], 'ESTABLISHED', 10, '10.0.0.1');
    const json = await runCli(['diagnose', '--json'], new MemoryBackend({ platform: 'windows', snapshot: snapshotOf(full, processes([10, 'w3wp.exe'])), ranges: wide }));
    assert.equal(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout);
    assert.equal(report.verdict, 'exhausted');
    assert.equal(report.stopGap, null);
    assert.ok(report.advice.some((line: string) => line.startsWith('No stop-gap')), report.advice.join('\n'));
  });

  it('recorded shape: Windows excluded ranges shrink the pool, said in both numbers', async () => {
    const excluded = toExcludedRanges(Array.from({ length: 10 }, (_, i) => ({ protocol: 'tcp', family: 'ipv4', start: 49709 + i * 100, end: 49808 + i * 100 })));
    const endpoints = connections(50709, 100, ['10.0.0.9', 443], 'ESTABLISHED', 10, '10.0.0.1');
    const backend = new MemoryBackend({ platform: 'windows', snapshot: snapshotOf(endpoints, processes([10, 'w3wp.exe'])), ranges: windowsRanges(), excluded });
    const run = await runCli(['diagnose'], backend);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /tcp\/ipv4: 16384 in range, 1000 reserved by Hyper-V\/WSL\/Docker, 15384 usable/);
    assert.match(run.stdout, /100 of 15384 usable ports in use on 10\.0\.0\.1 \(0\.7%\)/);
  });

  it('refuses a bad --fail-on with one line and exit 2', async () => {
    const run = await runCli(['diagnose', '--fail-on', 'ok'], linuxBackend([]));
    assert.equal(run.code, 2);
    assert.equal(run.stderr, "porttop: invalid --fail-on 'ok': expected warning or exhausted\n");
  });
});
