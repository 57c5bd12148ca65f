// The one pass over a snapshot (core/tally.ts) that the rows, the gauges and the diagnosis share:
// state totals, per-range ports, a shared socket counted for every holder, TIME_WAIT inference by the
// first holder.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { processRows } from '../../src/core/aggregate.js';
import { diagnoseTally } from '../../src/core/diagnose/index.js';
import { PortSet, RangePortSets } from '../../src/core/portset.js';
import { DestinationTable, tallySnapshot } from '../../src/core/tally.js';
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

describe('the counting structures under the pass', () => {
  it('PortSet: every port from 0 to 65535, bit 31 of a word included, counted once and listed ascending', () => {
    const set = new PortSet();
    const ports = [65535, 0, 31, 32, 63, 40000, 31, 65535];
    const added = ports.map((port) => set.add(port));
    assert.deepEqual(added, [true, true, true, true, true, true, false, false]);
    assert.equal(set.size, 6);
    assert.deepEqual([...set], [0, 31, 32, 63, 40000, 65535]);
    assert.ok(set.has(31) && set.has(65535) && !set.has(30) && !set.has(64));
    const perRange = new RangePortSets();
    perRange.add(1, 40000);
    perRange.add(1, 40000);
    perRange.add(0, 40000);
    const seen: [number, number][] = [];
    perRange.forEach((range, port) => seen.push([range, port]));
    assert.deepEqual([perRange.size, seen], [2, [[0, 40000], [1, 40000]]]);
    assert.ok(perRange.has(1, 40000) && !perRange.has(2, 40000));
  });

  it('DestinationTable: one destination per remote address and port, a port shared by several addresses included', () => {
    const table = new DestinationTable();
    const endpoint = tcp(40000, ['10.0.0.1', 443], 'ESTABLISHED', 10);
    const a = table.get('10.0.0.1', 443, endpoint);
    const b = table.get('10.0.0.2', 443, endpoint);
    const c = table.get('10.0.0.3', 443, endpoint);
    assert.equal(new Set([a, b, c]).size, 3);
    assert.equal(table.get('10.0.0.1', 443, endpoint), a);
    assert.equal(table.get('10.0.0.2', 443, endpoint), b);
    assert.equal(table.get('10.0.0.3', 443, endpoint), c);
    assert.notEqual(table.get('10.0.0.1', 80, endpoint), a);
    assert.deepEqual([a, b, c].map((destination) => destination.id), [0, 1, 2]);
  });

  it('per destination, a local port counts once; bound ports add to the busiest destination unless already counted', () => {
    const endpoints = [
      ...connections(40000, 5, ['10.0.0.1', 443], 'ESTABLISHED', 10),
      // the same local ports again toward the same destination from another local address: not new ports
      ...connections(40000, 2, ['10.0.0.1', 443], 'ESTABLISHED', 10).map((endpoint) => ({ ...endpoint, localAddress: '127.0.0.2' })),
      ...connections(40100, 3, ['10.0.0.2', 443], 'ESTABLISHED', 11),
      { ...tcp(40002, null, 'BOUND', 12) },
      { ...tcp(40200, null, 'BOUND', 12) },
    ];
    const tally = tallySnapshot(snapshotOf(endpoints, processes([10, 'a'], [11, 'b'], [12, 'c'])), RANGES);
    const range = tally.perRange[0]!;
    const worst = range.worstDestination()!;
    assert.deepEqual([worst.destination.remoteAddress, worst.ports], ['10.0.0.1', 5]);
    assert.equal(range.boundNotToward(worst.destination), 1, 'port 40002 is already counted toward 10.0.0.1');
    assert.equal(range.boundNotToward(null), 2);
    assert.deepEqual(range.worstLocalAddress(), { localAddress: '127.0.0.1', ports: 9 }, '40000-40004, 40100-40102 and 40200 (40002 is also bound)');
    const diagnosis = diagnoseTally(tally, { events: null, platform: 'linux' });
    assert.deepEqual(diagnosis.culprits.find((culprit) => culprit.pid === 10)?.topDestination, { remoteAddress: '10.0.0.1', remotePort: 443, sockets: 7 });
  });
});

