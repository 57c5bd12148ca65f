// Growth rate and time to exhaustion (pure): the line through the recent samples of `porttop watch`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  estimateTrend,
  formatDuration,
  MAX_ETA_SECONDS,
  mostUrgentTrend,
  slopePerSecond,
  TREND_MIN_POINTS,
  TREND_WINDOW_SAMPLES,
  type TrendPoint,
} from '../../src/core/trend.js';

/** Points every `stepSeconds`, values as given. */
function series(values: number[], stepSeconds = 5): TrendPoint[] {
  return values.map((value, i) => ({ atMs: 1_700_000_000_000 + i * stepSeconds * 1000, value }));
}

describe('slopePerSecond', () => {
  it('is the least-squares slope', () => {
    assert.equal(slopePerSecond(series([0, 10, 20, 30], 1)), 10);
    assert.equal(slopePerSecond(series([100, 100, 100])), 0);
    assert.equal(slopePerSecond(series([30, 20, 10], 1)), -10);
  });

  it('is null without two distinct times', () => {
    assert.equal(slopePerSecond(series([5])), null);
    assert.equal(slopePerSecond([{ atMs: 1, value: 1 }, { atMs: 1, value: 9 }]), null);
  });

  it('is not thrown off by one noisy sample', () => {
    const slope = slopePerSecond(series([0, 10, 50, 30, 40], 1))!;
    assert.ok(slope > 8 && slope < 12, String(slope));
  });
});

describe('estimateTrend', () => {
  it('gives the rate per minute and the time until the target while rising', () => {
    // +10 ports per 5 s = 120 per minute; 50 now, target 285: 235 / 2 per s = 117.5 s, rounded up
    const trend = estimateTrend(series([10, 20, 30, 40, 50]), 285)!;
    assert.equal(trend.ratePerMinute, 120);
    assert.equal(trend.rising, true);
    assert.equal(trend.etaSeconds, 118);
  });

  it('never says 0 s (already exhausted) while still under the target', () => {
    const fast = estimateTrend(series([100, 200, 280], 1), 285)!;
    assert.equal(fast.etaSeconds, 1);
  });

  it('gives no time to exhaustion when flat or falling', () => {
    const flat = estimateTrend(series([50, 50, 50, 50]), 285)!;
    assert.equal(flat.rising, false);
    assert.equal(flat.etaSeconds, null);
    const falling = estimateTrend(series([90, 70, 50, 30]), 285)!;
    assert.equal(falling.rising, false);
    assert.equal(falling.ratePerMinute, -240);
    assert.equal(falling.etaSeconds, null);
  });

  it('counts a crawl under one port a minute as flat', () => {
    const crawl = estimateTrend(series([100, 100, 100, 101], 60)!, 285)!;
    assert.equal(crawl.rising, false);
  });

  it(`needs ${TREND_MIN_POINTS} points`, () => {
    assert.equal(estimateTrend(series([1, 2]), 100), null);
    assert.ok(estimateTrend(series([1, 2, 3]), 100));
  });

  it('says 0 once the target is reached', () => {
    assert.equal(estimateTrend(series([280, 290, 300]), 285)!.etaSeconds, 0);
  });

  it(`uses only the latest ${TREND_WINDOW_SAMPLES} samples`, () => {
    const values = [0, 100, 200, 300, 400, 500, ...Array(TREND_WINDOW_SAMPLES).fill(600)];
    const trend = estimateTrend(series(values), 10_000)!;
    assert.equal(trend.rising, false, 'the old climb is history');
  });

  it('gives no estimate past a week', () => {
    const slow = estimateTrend(series([0, 1, 2, 3], 60), 1_000_000)!;
    assert.equal(slow.rising, true);
    assert.ok((1_000_000 - 3) * 60 > MAX_ETA_SECONDS);
    assert.equal(slow.etaSeconds, null);
  });
});

describe('mostUrgentTrend', () => {
  it('picks the range that runs out first', () => {
    const urgent = mostUrgentTrend([
      { key: 'slow', points: series([0, 10, 20, 30]), target: 1000 },
      { key: 'fast-but-far', points: series([0, 100, 200, 300]), target: 100_000 },
      { key: 'close', points: series([250, 260, 270, 280]), target: 285 },
      { key: 'flat', points: series([5, 5, 5, 5]), target: 6 },
    ])!;
    assert.equal(urgent.key, 'close');
    assert.equal(urgent.trend.etaSeconds, 3);
  });

  it('is null when nothing rises', () => {
    assert.equal(mostUrgentTrend([{ key: 'a', points: series([5, 5, 5]), target: 10 }]), null);
  });
});

describe('formatDuration', () => {
  it('reads like a person would say it', () => {
    assert.equal(formatDuration(42), '42s');
    assert.equal(formatDuration(95), '1m35s');
    assert.equal(formatDuration(7300), '2h01m');
    assert.equal(formatDuration(200_000), '2d07h');
  });
});
