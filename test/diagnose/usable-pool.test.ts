// The real free pool (issue 9 item 8): ranges Windows reserved for Hyper-V, WSL or Docker inside the
// dynamic range shrink it; percent and verdict are of what is left. Recorded shape: the rows
// Get-ExcludedPortRanges.ps1 prints for `netsh int ipv4 show excludedportrange protocol=tcp` on a
// machine with Hyper-V and WSL (blocks of 100 reserved by winnat, one administered range), through
// the envelope parser the backend uses.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diagnose } from '../../src/core/diagnose/index.js';
import { makeRange } from '../../src/core/ranges.js';
import { reservedPorts } from '../../src/core/usage.js';
import { toExcludedRanges } from '../../src/ps/envelope.js';
import { connections, processes, snapshotOf } from './snapshots.js';

/** 1000 ports of tcp/ipv4 49152-65535 reserved: nine winnat blocks of 100, one overlapping them, one administered. */
const RECORDED_EXCLUDED = toExcludedRanges([
  { protocol: 'tcp', family: 'ipv4', start: 5357, end: 5357 },
  { protocol: 'tcp', family: 'ipv4', start: 8000, end: 8099 },
  ...Array.from({ length: 9 }, (_, i) => ({ protocol: 'tcp', family: 'ipv4', start: 49709 + i * 100, end: 49808 + i * 100 })),
  { protocol: 'tcp', family: 'ipv4', start: 50500, end: 50559 }, // inside the blocks above: counted once
  { protocol: 'tcp', family: 'ipv4', start: 65436, end: 65535 },
  { protocol: 'tcp', family: 'ipv6', start: 50000, end: 50059 },
]);

const RANGES = [makeRange('tcp', 'ipv4', 49152, 16384), makeRange('tcp', 'ipv6', 49152, 16384), makeRange('udp', 'ipv4', 49152, 16384), makeRange('udp', 'ipv6', 49152, 16384)];

describe('the usable pool: the dynamic range minus the excluded ranges that overlap it', () => {
  it('counts a reserved port once, per protocol and family, and only inside the range', () => {
    assert.equal(reservedPorts(RANGES[0]!, RECORDED_EXCLUDED), 1000);
    assert.equal(reservedPorts(RANGES[1]!, RECORDED_EXCLUDED), 60);
    assert.equal(reservedPorts(RANGES[2]!, RECORDED_EXCLUDED), 0, 'the TCP reservations leave UDP alone');
    assert.equal(reservedPorts(makeRange('tcp', 'ipv4', 49700, 20), RECORDED_EXCLUDED), 11, 'a range cut by the first block');
  });

  it('bases percent and verdict on the usable ports, and says both numbers', () => {
    // 14,600 connections from one local address: 89.1 % of the range, 95.1 % of what is usable
    const endpoints = connections(50609, 14600, ['10.0.0.9', 443], 'ESTABLISHED', 10, '10.0.0.1');
    const snapshot = snapshotOf(endpoints, processes([10, 'w3wp.exe']));
    const withPool = diagnose({ snapshot, ranges: RANGES, events: null, platform: 'windows', excluded: RECORDED_EXCLUDED });
    const tcp4 = withPool.usage[0]!;
    assert.equal(tcp4.count, 16384);
    assert.equal(tcp4.reserved, 1000);
    assert.equal(tcp4.usable, 15384);
    assert.equal(tcp4.judgedPercent, 94.9);
    assert.equal(tcp4.verdict, 'warning');
    assert.ok(withPool.evidence.some((line) => line.includes('16384 in range, 1000 reserved by Hyper-V/WSL/Docker, 15384 usable')), withPool.evidence.join('\n'));
    assert.ok(withPool.evidence.some((line) => /14600 of 15384 usable ports in use on 10\.0\.0\.1 \(94\.9%\)/.test(line)), withPool.evidence.join('\n'));

    const wholeRange = diagnose({ snapshot, ranges: RANGES, events: null, platform: 'windows' });
    assert.equal(wholeRange.usage[0]!.judgedPercent, 89.1, 'without the reservations the same machine looks healthier');
  });

  it('tips a range into exhausted that the whole-range count calls a warning', () => {
    const endpoints = connections(50609, 14700, ['10.0.0.9', 443], 'ESTABLISHED', 10, '10.0.0.1');
    const snapshot = snapshotOf(endpoints, processes([10, 'w3wp.exe']));
    assert.equal(diagnose({ snapshot, ranges: RANGES, events: null, platform: 'windows' }).verdict, 'warning');
    assert.equal(diagnose({ snapshot, ranges: RANGES, events: null, platform: 'windows', excluded: RECORDED_EXCLUDED }).verdict, 'exhausted');
  });
});
