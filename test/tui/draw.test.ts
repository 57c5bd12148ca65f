import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProcessRow } from '../../src/core/aggregate.js';
import { fit, gauge, layoutTable, sparkline } from '../../src/tui/draw.js';

const row = (over: Partial<ProcessRow>): ProcessRow => ({
  pid: 4194304, processName: 'a-rather-long-process-name', commandLine: null, sockets: 30001, listen: 1, established: 15000, timeWait: 12000,
  closeWait: 3000, bound: 0, udp: 2, ephemeral: 15000, handles: 15234, handleSuspect: true, ...over,
});

test('gauge fills in proportion, shows any use at all, and never overflows', () => {
  assert.equal(gauge(50, 12), '[#####.....]');
  assert.equal(gauge(0, 7), '[.....]');
  assert.equal(gauge(0.1, 7), '[#....]');
  assert.equal(gauge(130, 7), '[#####]');
});

test('sparkline draws the last samples on a 0-100 scale', () => {
  assert.equal(sparkline([0, 50, 100], 10), '▁▅█');
  assert.equal(sparkline([0, 0, 0, 100], 2), '▁█');
  assert.equal(sparkline([], 5), '');
});

test('fit cuts text with a visible mark', () => {
  assert.equal(fit('postgres', 5), 'post…');
  assert.equal(fit('nginx', 5), 'nginx');
});

test('at 80 columns the table uses short labels and every line fits, numbers included', () => {
  const layout = layoutTable([row({})], 80, 'sockets', true);
  const line = layout.line(row({}), true);
  assert.ok(layout.header.length <= 80, layout.header);
  assert.ok(line.length <= 80, line);
  assert.match(layout.header, /SOCK▼/);
  assert.match(layout.header, /TWAIT/);
  assert.match(line, /^>4194304 a-rather/);
  assert.match(line, /15234!$/, 'the handle suspect is marked in text');
});

test('on a wide terminal the full column names show and the sort column carries its direction', () => {
  const layout = layoutTable([row({ handleSuspect: false })], 140, 'closewait', false);
  for (const label of ['PID', 'NAME', 'SOCKETS', 'LISTEN', 'EST', 'TIME_WAIT', 'CLOSE_WAIT▲', 'BOUND', 'UDP', 'EPHEM', 'HANDLES']) {
    assert.ok(layout.header.includes(label), `${label} in ${layout.header}`);
  }
  assert.doesNotMatch(layout.line(row({ handleSuspect: false }), false), /!/);
  assert.match(layout.line(row({ handles: null }), false), / -$/, 'unknown handles read as -');
});
