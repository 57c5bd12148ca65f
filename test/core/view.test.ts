import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProcessRow } from '../../src/core/aggregate.js';
import type { Endpoint } from '../../src/core/model.js';
import { makeRange } from '../../src/core/ranges.js';
import {
  analyzeSnapshot,
  endpointsOfProcess,
  filterRows,
  parseViewFilter,
  pidsOnPort,
  portsToName,
} from '../../src/core/view.js';
import { indexOfSelection, moveIndex, nextSortKey, scrollOffset, stepInterval } from '../../src/tui/navigation.js';

const row = (pid: number, processName: string): ProcessRow => ({
  pid, processName, commandLine: null, sockets: 1, listen: 0, established: 1, timeWait: 0, closeWait: 0, bound: 0, udp: 0, ephemeral: 0, handles: null, handleSuspect: false,
});

const endpoint = (pid: number | null, localPort: number, state: Endpoint['state'], remotePort: number | null = null, protocol: 'tcp' | 'udp' = 'tcp'): Endpoint => ({
  protocol, family: 'ipv4', localAddress: '127.0.0.1', localPort, remoteAddress: remotePort === null ? null : '127.0.0.1', remotePort, state, pid, holders: pid === null ? [] : [pid],
});

test('parseViewFilter tells a port, a number and a name apart, and an empty filter is none', () => {
  assert.equal(parseViewFilter('  '), null);
  assert.deepEqual(parseViewFilter(':8080'), { kind: 'port', port: 8080, text: ':8080' });
  assert.deepEqual(parseViewFilter('123'), { kind: 'number', digits: '123', text: '123' });
  assert.deepEqual(parseViewFilter(' Nginx '), { kind: 'name', needle: 'nginx', text: 'Nginx' });
  assert.equal(parseViewFilter(':80x')?.kind, 'name');
});

test('filterRows matches names case-insensitively, PIDs by their leading digits, ports on either end', () => {
  const rows = [row(123, 'nginx'), row(4123, 'postgres'), row(77, 'python3')];
  const endpoints = [endpoint(123, 8080, 'LISTEN'), endpoint(77, 50000, 'ESTABLISHED', 8080), endpoint(4123, 5432, 'LISTEN')];
  assert.deepEqual(filterRows(rows, parseViewFilter('NGI'), endpoints).map((r) => r.pid), [123]);
  assert.deepEqual(filterRows(rows, parseViewFilter('12'), endpoints).map((r) => r.pid), [123]);
  assert.deepEqual(filterRows(rows, parseViewFilter('3'), endpoints).map((r) => r.pid), [77], 'python3 has a 3 in its name; no PID starts with 3');
  assert.deepEqual(filterRows(rows, parseViewFilter(':8080'), endpoints).map((r) => r.pid), [123, 77]);
  assert.deepEqual(filterRows(rows, parseViewFilter(':80'), endpoints).map((r) => r.pid), [], '80 never matches 8080');
  assert.equal(filterRows(rows, null, endpoints), rows);
  assert.deepEqual([...pidsOnPort([endpoint(null, 8080, 'TIME_WAIT')], 8080)], [], 'unowned endpoints name nobody');
});

test('moveIndex moves by one, by a page, to either end, and never leaves the list', () => {
  assert.equal(moveIndex(0, 'up', 10, 4), 0);
  assert.equal(moveIndex(0, 'down', 10, 4), 1);
  assert.equal(moveIndex(9, 'down', 10, 4), 9);
  assert.equal(moveIndex(2, 'pageDown', 10, 4), 6);
  assert.equal(moveIndex(8, 'pageDown', 10, 4), 9);
  assert.equal(moveIndex(3, 'pageUp', 10, 4), 0);
  assert.equal(moveIndex(5, 'home', 10, 4), 0);
  assert.equal(moveIndex(5, 'end', 10, 4), 9);
  assert.equal(moveIndex(0, 'end', 0, 4), 0, 'an empty list has index 0');
});

test('scrollOffset scrolls only when the selection leaves the window and never shows blank rows at the end', () => {
  assert.equal(scrollOffset(0, 3, 5, 20), 0);
  assert.equal(scrollOffset(0, 5, 5, 20), 1);
  assert.equal(scrollOffset(10, 9, 5, 20), 9);
  assert.equal(scrollOffset(15, 19, 5, 20), 15);
  assert.equal(scrollOffset(18, 19, 5, 20), 15, 'the window ends at the last row');
  assert.equal(scrollOffset(7, 2, 5, 3), 0, 'a short list starts at the top');
  assert.equal(scrollOffset(4, 0, 0, 10), 0);
});

test('indexOfSelection follows the PID and falls back to the same position when it is gone', () => {
  assert.equal(indexOfSelection([5, 6, 7], 7, 0), 2);
  assert.equal(indexOfSelection([5, 6, 7], 9, 1), 1);
  assert.equal(indexOfSelection([5, 6], 9, 4), 1);
  assert.equal(indexOfSelection([], 9, 4), 0);
  assert.equal(indexOfSelection([5, 6], null, 1), 1);
});

test('nextSortKey cycles through every sort key and comes back', () => {
  const seen = ['sockets'];
  let key = nextSortKey('sockets');
  while (key !== 'sockets') {
    seen.push(key);
    key = nextSortKey(key);
  }
  assert.deepEqual(seen, ['sockets', 'handles', 'ephemeral', 'closewait', 'bound']);
});

test('stepInterval moves to the neighbouring step, from a step or from between steps, and stops at the ends', () => {
  assert.equal(stepInterval(2, 1), 3);
  assert.equal(stepInterval(2, -1), 1);
  assert.equal(stepInterval(2.5, 1), 3);
  assert.equal(stepInterval(2.5, -1), 2);
  assert.equal(stepInterval(0.5, -1), 0.5);
  assert.equal(stepInterval(60, 1), 60);
});

test('endpointsOfProcess lists listeners first, then by port; portsToName prefers the ports it holds', () => {
  const endpoints = [endpoint(1, 50001, 'ESTABLISHED', 443), endpoint(1, 8080, 'LISTEN'), endpoint(2, 9, 'LISTEN'), endpoint(1, 53, null, null, 'udp'), endpoint(1, 50000, 'TIME_WAIT', 80)];
  const own = endpointsOfProcess(endpoints, 1);
  assert.deepEqual(own.map((e) => e.localPort), [8080, 53, 50001, 50000]);
  assert.deepEqual(portsToName(own), [53, 8080]);
  assert.deepEqual(portsToName([endpoint(1, 50001, 'ESTABLISHED', 443)]), [50001], 'only connections: their local ports');
});

test('analyzeSnapshot derives rows, totals, range usage and the diagnosis from one snapshot', () => {
  const snapshot = {
    takenAt: '2024-01-01T00:00:00Z',
    endpoints: [endpoint(1, 8080, 'LISTEN'), endpoint(1, 40000, 'ESTABLISHED', 8080), endpoint(null, 40001, 'TIME_WAIT', 8080)],
    processes: new Map([[1, { pid: 1, name: 'web', commandLine: null, startTime: null, handles: 5 }]]),
    warnings: [],
  };
  const analysis = analyzeSnapshot(snapshot, [makeRange('tcp', 'ipv4', 32768, 28232)], 'linux');
  assert.equal(analysis.rows.length, 1);
  assert.equal(analysis.rows[0]!.sockets, 2);
  assert.equal(analysis.totals.TIME_WAIT, 1);
  assert.equal(analysis.usage[0]!.inUse, 2);
  assert.equal(analysis.diagnosis.verdict, 'ok');
  assert.equal(analysis.diagnosis.culprits[0]?.pid, 1);
  assert.equal(analysis.diagnosis.culprits[0]?.inferredTimeWait, 1, 'the TIME_WAIT toward its only peer is inferred to be its');
});
