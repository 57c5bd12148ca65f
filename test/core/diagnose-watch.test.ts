// The rows of `porttop watch` (pure): columns, CSV quoting, the trend of the samples, the summary.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diagnose } from '../../src/core/diagnose/index.js';
import {
  csvLine,
  exhaustionTarget,
  sampleColumns,
  sampleOf,
  sampleRecord,
  SampleHistory,
  trendOfSamples,
  type WatchSample,
} from '../../src/core/watchsample.js';
import { connections, linuxRanges, processes, snapshotOf, tcp } from '../diagnose/snapshots.js';

const RANGES = linuxRanges(40000, 300);

function sampleAt(second: number, clientPorts: number, timeWait = 0): WatchSample {
  const endpoints = [
    ...connections(40000, clientPorts, ['127.0.0.1', 5000], 'ESTABLISHED', 10),
    ...Array.from({ length: timeWait }, (_, i) => tcp(40000 + clientPorts + i, ['127.0.0.1', 5000], 'TIME_WAIT', null)),
  ];
  const snapshot = snapshotOf(endpoints, processes([10, 'client']));
  const diagnosis = diagnose({ snapshot, ranges: RANGES, events: null, platform: 'linux' });
  return sampleOf(diagnosis, new Date(Date.UTC(2025, 0, 1, 0, 0, second)).toISOString());
}

describe('watch samples', () => {
  it('carry per range inUse and percent, state totals and the top culprit', () => {
    const sample = sampleAt(0, 150, 3);
    assert.equal(sample.time, '2025-01-01T00:00:00.000Z');
    assert.equal(sample.verdict, 'ok');
    assert.deepEqual(sample.ranges[0], { protocol: 'tcp', family: 'ipv4', count: 300, usable: 300, inUse: 153, percent: 51, judgedPorts: 153, judgedPercent: 51 });
    assert.equal(sample.timeWait, 3);
    assert.equal(sample.closeWait, 0);
    assert.equal(sample.bound, 0);
    assert.equal(sample.topPid, 10);
    assert.equal(sample.topName, 'client');
    assert.equal(sample.topPorts, 153, 'the TIME_WAIT ports are inferred to it');
  });

  it('flatten to fixed columns, the same for CSV and NDJSON', () => {
    const columns = sampleColumns(RANGES);
    assert.deepEqual(columns.slice(0, 5), ['time', 'verdict', 'tcpIpv4InUse', 'tcpIpv4Percent', 'tcpIpv4JudgedPercent']);
    assert.ok(columns.includes('udpIpv6InUse'));
    assert.deepEqual(columns.slice(-9), ['timeWait', 'closeWait', 'bound', 'topPid', 'topName', 'topPorts', 'trendRange', 'ratePerMinute', 'etaSeconds']);
    const record = sampleRecord(sampleAt(0, 150), null, columns);
    assert.deepEqual(Object.keys(record), columns);
    assert.equal(record.tcpIpv4InUse, 150);
    assert.equal(record.etaSeconds, null);
  });

  it('quote CSV fields that need it and leave null empty', () => {
    assert.equal(csvLine(['a', 1, null, 'x,y', 'say "hi"', 'two\nlines']), 'a,1,,"x,y","say ""hi""","two\nlines"\n');
  });

  it('give a growth rate and a time to exhaustion while usage climbs', () => {
    const samples = [sampleAt(0, 100), sampleAt(5, 130), sampleAt(10, 160), sampleAt(15, 190)];
    const trend = trendOfSamples(samples)!;
    assert.equal(trend.range, 'tcp/ipv4');
    assert.equal(trend.trend.ratePerMinute, 360);
    assert.equal(exhaustionTarget(300), 285);
    assert.equal(trend.trend.etaSeconds, Math.ceil((285 - 190) / 6));
    const record = sampleRecord(samples[3]!, trend, sampleColumns(RANGES));
    assert.equal(record.ratePerMinute, 360);
    assert.equal(record.trendRange, 'tcp/ipv4');
  });

  it('keep little history however long the watch, and summarise first, peak and last', () => {
    const history = new SampleHistory();
    const counts = [10, 50, 120, 250, 290, 200, 100, 100, 100, 100, 100, 100];
    counts.forEach((ports, i) => history.add(sampleAt(i * 5, ports)));
    const summary = history.summary();
    assert.equal(summary.samples, counts.length);
    assert.equal(summary.from, '2025-01-01T00:00:00.000Z');
    assert.equal(summary.to, '2025-01-01T00:00:55.000Z');
    assert.equal(summary.peak!.judgedPorts, 290);
    assert.equal(summary.peak!.verdict, 'exhausted');
    assert.equal(summary.peak!.range, 'tcp/ipv4');
    assert.deepEqual(summary.peakCulprit, { pid: 10, name: 'client', ports: 290 });
    assert.equal(summary.firstPorts, 10);
    assert.equal(summary.lastPorts, 100);
    assert.equal(summary.finalVerdict, 'ok');
    assert.equal(history.trend(), null, 'flat at the end');
  });
});
