// Time to exhaustion for porttop_exhaustion_eta_seconds: fitted over the last collections of each range.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GrowthTracker } from '../../src/serve/collector.js';

const tcp4 = (judgedPorts: number) => ({ protocol: 'tcp' as const, family: 'ipv4' as const, usable: 1000, judgedPorts });
const tcp6 = (judgedPorts: number) => ({ protocol: 'tcp' as const, family: 'ipv6' as const, usable: 1000, judgedPorts });

describe('GrowthTracker', () => {
  it('a range growing 60 ports a minute from 500 reaches 950 (95 % of 1000 usable) in about 7 minutes; a flat one has no ETA', () => {
    const tracker = new GrowthTracker();
    let eta = new Map<string, number>();
    for (let i = 0; i < 4; i++) eta = tracker.add([tcp4(500 + i * 15), tcp6(100)], i * 15_000);
    // 545 now, +1 port/s: 405 s to 950
    assert.equal(eta.get('tcp/ipv4'), 405);
    assert.equal(eta.has('tcp/ipv6'), false);
  });

  it('no ETA from fewer than 3 collections, nor for a shrinking range', () => {
    const tracker = new GrowthTracker();
    assert.equal(tracker.add([tcp4(500)], 0).size, 0);
    assert.equal(tracker.add([tcp4(600)], 15_000).size, 0);
    assert.equal(tracker.add([tcp4(700)], 30_000).size, 1);
    const falling = new GrowthTracker();
    for (let i = 0; i < 5; i++) assert.equal(falling.add([tcp4(900 - i * 50)], i * 15_000).size, 0);
  });

  it('past the line, growing: 0 (exhausted now)', () => {
    const tracker = new GrowthTracker();
    let eta = new Map<string, number>();
    for (let i = 0; i < 3; i++) eta = tracker.add([tcp4(940 + i * 10)], i * 15_000);
    assert.equal(eta.get('tcp/ipv4'), 0);
  });
});
