// The JSON envelope of the scripts -> core model, on captured text (no PowerShell needed).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BackendError, NotPermittedError, UsageError } from '../../src/errors.js';
import { asArray, parseEnvelope, PowerShellScriptError, toEvents, toExcludedRanges, toKillOutcome, toRanges, toSnapshot } from '../../src/ps/envelope.js';
import { fixture } from './fake.js';

describe('parseEnvelope', () => {
  test('returns data of ok:true, taking the last JSON line and ignoring text printed before it', () => {
    const data = parseEnvelope(fixture('snapshot-with-preamble.txt'), 'Get-PortTopSnapshot') as { source: string };
    assert.equal(data.source, 'netstat');
    assert.deepEqual(parseEnvelope('\r\n{"ok":true,"data":[1],"error":null}\r\n', 'x'), [1]);
  });

  test('turns ok:false into a typed error carrying the message, by kind', () => {
    const envelope = (kind: string) => JSON.stringify({ ok: false, data: null, error: { kind, message: `said ${kind}` } });
    assert.throws(() => parseEnvelope(envelope('not-permitted'), 'Set-DynamicPortRange'), (error: unknown) => error instanceof NotPermittedError && error.message === 'said not-permitted');
    assert.throws(() => parseEnvelope(envelope('bad-input'), 'Set-DynamicPortRange'), (error: unknown) => error instanceof UsageError && error.exitCode === 2);
    assert.throws(() => parseEnvelope(envelope('unsupported'), 'Get-PortTopSnapshot'), (error: unknown) => error instanceof PowerShellScriptError && error.kind === 'unsupported' && error.exitCode === 4);
  });

  test('no envelope, broken JSON or a missing ok field is a BackendError naming the script', () => {
    assert.throws(() => parseEnvelope('', 'Get-DynamicPortRange'), /Get-DynamicPortRange printed no JSON envelope$/);
    assert.throws(() => parseEnvelope('Access is denied.', 'Get-DynamicPortRange'), /no JSON envelope: Access is denied\./);
    assert.throws(() => parseEnvelope('{"ok":tru', 'x'), (error: unknown) => error instanceof BackendError && /broken JSON/.test(error.message));
    assert.throws(() => parseEnvelope('{"data":1}', 'x'), /without an ok field/);
  });
});

describe('asArray (Windows PowerShell 5.1 and 7 array shapes)', () => {
  test('accepts an array, one bare object, null and the {"value":[...],"Count":n} wrapper', () => {
    assert.deepEqual(asArray([1, 2]), [1, 2]);
    assert.deepEqual(asArray({ a: 1 }), [{ a: 1 }]);
    assert.deepEqual(asArray(null), []);
    assert.deepEqual(asArray({ value: [1], Count: 1 }), [1]);
  });
});

describe('toSnapshot', () => {
  test('5.1-shaped data (wrapped array, unwrapped single row) maps to endpoints and processes', () => {
    const data = parseEnvelope(fixture('snapshot-ps51-wrapped.json'), 'Get-PortTopSnapshot');
    const snapshot = toSnapshot(data, '2026-01-10T09:00:00.000Z');
    assert.deepEqual(snapshot.endpoints, [
      { protocol: 'tcp', family: 'ipv4', localAddress: '0.0.0.0', localPort: 8080, remoteAddress: null, remotePort: null, state: 'LISTEN', pid: 4242, holders: [4242] },
      { protocol: 'udp', family: 'ipv4', localAddress: '0.0.0.0', localPort: 500, remoteAddress: null, remotePort: null, state: null, pid: 1024, holders: [1024] },
    ]);
    assert.deepEqual(snapshot.processes.get(4242), {
      pid: 4242,
      name: 'node',
      commandLine: '"C:\\Program Files\\nodejs\\node.exe" server.js',
      startTime: '2026-01-10T08:00:00.123Z',
      handles: 311,
      parentPid: 1200,
      path: 'C:\\Program Files\\nodejs\\node.exe',
    });
    assert.deepEqual(snapshot.processes.get(1024), { pid: 1024, name: 'svchost', commandLine: null, startTime: null, handles: null, parentPid: null, path: null });
    assert.equal(snapshot.takenAt, '2026-01-10T09:00:00.000Z');
  });

  test('PID 0 becomes null, family follows the address, an unknown state is left out with a warning', () => {
    const snapshot = toSnapshot(parseEnvelope(fixture('snapshot-with-preamble.txt'), 'Get-PortTopSnapshot'), 'now');
    assert.deepEqual(
      snapshot.endpoints.map((endpoint) => `${endpoint.family} ${endpoint.localPort} ${endpoint.state} ${endpoint.pid}`),
      ['ipv6 3000 LISTEN 77', 'ipv4 50001 TIME_WAIT null'],
    );
    assert.equal(snapshot.processes.get(77)!.name, 'Процесс 进程');
    assert.ok(snapshot.warnings.some((warning) => /unknown state 'WEIRD'/.test(warning)));
    assert.ok(snapshot.warnings.some((warning) => /read from netstat/.test(warning)));
    assert.ok(snapshot.warnings.some((warning) => /states guessed/.test(warning)));
  });
});

describe('ranges, excluded ranges, events, kill outcome', () => {
  test('toRanges builds start..end and accepts start 1024; impossible ranges are errors', () => {
    assert.deepEqual(toRanges([{ protocol: 'tcp', family: 'ipv4', start: 1024, count: 64512 }]), [{ protocol: 'tcp', family: 'ipv4', start: 1024, count: 64512, end: 65535 }]);
    assert.deepEqual(toRanges({ protocol: 'udp', family: 'ipv6', start: 49152, count: 16384 }).map((range) => range.end), [65535]);
    assert.throws(() => toRanges([{ protocol: 'tcp', family: 'ipv4', start: 60000, count: 10000 }]), /impossible range/);
    assert.throws(() => toRanges([{ protocol: 'sctp', family: 'ipv4', start: 1025, count: 255 }]), /unexpected protocol/);
  });

  test('toExcludedRanges keeps well-formed rows', () => {
    assert.deepEqual(toExcludedRanges([{ protocol: 'tcp', family: 'ipv4', start: 8000, end: 8099, administered: false }, { protocol: 'tcp', family: 'ipv4', start: 9, end: 1 }]), [
      { protocol: 'tcp', family: 'ipv4', start: 8000, end: 8099 },
    ]);
  });

  test('toEvents keeps counts per id and latest times (null when none)', () => {
    assert.deepEqual(toEvents({ since: 's', counts: { 4227: 2, 4231: 0 }, latest: { 4227: '2026-01-10T11:30:00.000Z', 4231: null } }), {
      since: 's',
      counts: { 4227: 2, 4231: 0 },
      latest: { 4227: '2026-01-10T11:30:00.000Z', 4231: null },
    });
  });

  test('toKillOutcome accepts the known outcomes only', () => {
    assert.deepEqual(toKillOutcome({ pid: 1, name: 'node', outcome: 'stopped', message: 'stopped' }), { outcome: 'stopped', name: 'node', message: 'stopped' });
    assert.throws(() => toKillOutcome({ outcome: 'exploded' }), /no known outcome/);
  });
});
