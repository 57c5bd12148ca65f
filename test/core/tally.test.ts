// The one pass over a snapshot (core/tally.ts) that the rows, the gauges and the diagnosis share:
// state totals, per-range ports, a shared socket counted for every holder, TIME_WAIT inference by the
// first holder.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { processRows } from '../../src/core/aggregate.js';
import { diagnoseTally } from '../../src/core/diagnose/index.js';
import { tallySnapshot } from '../../src/core/tally.js';
import { connections, linuxRanges, processes, snapshotOf, tcp } from '../diagnose/snapshots.js';

const RANGES = linuxRanges(40000, 300);

describe('the one pass', () => {
  it('counts states, ports per range and processes in one walk', () => {
    const endpoints = [tcp(8080, null, 'LISTEN', 20), ...connections(40000, 3, ['127.0.0.1', 8080], 'ESTABLISHED', 10), tcp(40010, ['127.0.0.1', 8080], 'TIME_WAIT', null)];
    const tally = tallySnapshot(snapshotOf(endpoints, processes([10, 'client'], [20, 'server'])), RANGES);
    assert.deepEqual(tally.totals, { LISTEN: 1, ESTABLISHED: 3, TIME_WAIT: 1 });
    assert.equal(tally.perRange[0]!.ports.size, 4, 'the listener is not ephemeral');
    assert.deepEqual(processRows(tally).map((row) => [row.pid, row.sockets, row.ephemeral]), [[20, 1, 0], [10, 3, 3]]);
  });

  it('a socket shared by a pre-forked server counts for every holder; the inference names the first', () => {
    const shared = (endpoint: ReturnType<typeof tcp>) => ({ ...endpoint, holders: [20, 21, 22] });
    const endpoints = [
      shared(tcp(8080, null, 'LISTEN', 20)),
      ...Array.from({ length: 120 }, (_, i) => tcp(8080, ['127.0.0.1', 40100 + i], 'TIME_WAIT', null)),
    ];
    const snapshot = snapshotOf(endpoints, processes([20, 'nginx'], [21, 'nginx'], [22, 'nginx']));
    const tally = tallySnapshot(snapshot, RANGES);
    assert.deepEqual(processRows(tally).map((row) => [row.pid, row.listen]), [[20, 1], [21, 1], [22, 1]]);
    const diagnosis = diagnoseTally(tally, { events: null, platform: 'linux' });
    assert.equal(diagnosis.culprits.find((culprit) => culprit.inferredTimeWait > 0)?.pid, 20, 'the TIME_WAIT on its port goes to the first holder');
  });
});
