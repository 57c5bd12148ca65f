// The mapping from a collection to metrics (src/serve/metrics.ts), on snapshots built in memory: label
// sets bounded by --top, the one-hot verdict, usable ports with Windows excluded ranges (recorded
// shape), the Tcpip events counter that never goes back, ETA present only when given.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { processRows } from '../../src/core/aggregate.js';
import { diagnoseTally } from '../../src/core/diagnose/index.js';
import { rangeKey } from '../../src/core/labels.js';
import type { Endpoint, ExcludedRange, PortRange, ProcessInfo, Snapshot } from '../../src/core/model.js';
import { makeRange } from '../../src/core/ranges.js';
import { tallySnapshot } from '../../src/core/tally.js';
import type { Collection } from '../../src/serve/collector.js';
import { createExporterMetrics } from '../../src/serve/metrics.js';
import { sampleValue } from './exporter.js';

function tcp(pid: number | null, localPort: number, remote: [string, number] | null, state: Endpoint['state'], localAddress = '10.0.0.5'): Endpoint {
  return { protocol: 'tcp', family: 'ipv4', localAddress, localPort, remoteAddress: remote?.[0] ?? null, remotePort: remote?.[1] ?? null, state, pid, holders: pid === null ? [] : [pid] };
}

function proc(pid: number, name: string, handles: number | null = null): [number, ProcessInfo] {
  return [pid, { pid, name, commandLine: null, startTime: null, handles }];
}

const RANGES: PortRange[] = [makeRange('tcp', 'ipv4', 40000, 100), makeRange('tcp', 'ipv6', 40000, 100), makeRange('udp', 'ipv4', 40000, 100), makeRange('udp', 'ipv6', 40000, 100)];

/** client (PID 100): 80 connections to one server; leaky (200): 12 CLOSE_WAIT on its listener; six small ones. */
function busySnapshot(): Snapshot {
  const endpoints: Endpoint[] = [];
  for (let i = 0; i < 80; i++) endpoints.push(tcp(100, 40000 + i, ['10.0.0.1', 443], 'ESTABLISHED'));
  endpoints.push(tcp(200, 8080, null, 'LISTEN', '0.0.0.0'));
  for (let i = 0; i < 12; i++) endpoints.push(tcp(200, 8080, ['10.0.0.9', 50000 + i], 'CLOSE_WAIT'));
  for (let i = 0; i < 6; i++) endpoints.push(tcp(300 + i, 40090 + i, [`10.0.1.${i}`, 80], 'ESTABLISHED'));
  endpoints.push(tcp(null, 40097, ['10.0.0.1', 443], 'TIME_WAIT'));
  const processes = new Map([proc(100, 'client', 120), proc(200, 'le"aky\nd'), ...[0, 1, 2, 3, 4, 5].map((i) => proc(300 + i, `small${i}`))]);
  return { takenAt: new Date(0).toISOString(), endpoints, processes, warnings: [] };
}

/** As the collector makes it: one pass for the diagnosis and the process rows. */
function collectionOf(
  snapshot: Snapshot,
  options: Partial<Collection> & { platform?: 'linux' | 'windows'; excluded?: ExcludedRange[] } = {},
): Collection {
  const { platform = 'linux', excluded = [], ...rest } = options;
  const tally = tallySnapshot(snapshot, RANGES);
  const diagnosis = diagnoseTally(tally, { events: null, platform, excluded });
  return {
    snapshot, diagnosis, ranges: RANGES, processes: processRows(tally), eventsSinceStart: null, etaSeconds: new Map(),
    finishedAtMs: 1_700_000_000_000, durationSeconds: 0.25, ...rest,
  };
}

async function scrapeAfter(collections: Collection[], top = 10): Promise<string> {
  const metrics = createExporterMetrics();
  for (const collection of collections) await metrics.update(collection, top);
  return metrics.own.metrics();
}

describe('metrics of one collection', () => {
  it('ranges, usage ratio as the verdict judges it (80 of 100 toward one server: 0.81 with the TIME_WAIT), one-hot warning', async () => {
    const text = await scrapeAfter([collectionOf(busySnapshot())]);
    assert.equal(sampleValue(text, 'porttop_dynamic_range_ports{proto="tcp",family="ipv4"}'), 100);
    assert.equal(sampleValue(text, 'porttop_dynamic_range_usable_ports{proto="tcp",family="ipv4"}'), 100);
    assert.equal(sampleValue(text, 'porttop_ephemeral_ports_in_use{proto="tcp",family="ipv4"}'), 87);
    assert.equal(sampleValue(text, 'porttop_ephemeral_usage_ratio{proto="tcp",family="ipv4"}'), 0.81);
    assert.equal(sampleValue(text, 'porttop_verdict{verdict="warning"}'), 1);
    assert.equal(sampleValue(text, 'porttop_verdict{verdict="ok"}'), 0);
    assert.equal(sampleValue(text, 'porttop_verdict{verdict="exhausted"}'), 0);
    assert.equal(sampleValue(text, 'porttop_destination_ephemeral_ports{proto="tcp",family="ipv4",destination="10.0.0.1:443"}'), 81);
    assert.equal(sampleValue(text, 'porttop_collect_duration_seconds'), 0.25);
    assert.equal(sampleValue(text, 'porttop_last_collect_timestamp_seconds'), 1_700_000_000);
    assert.equal(sampleValue(text, 'porttop_collect_errors_total'), 0);
  });

  it('sockets by state, every TCP state exported (0 when none)', async () => {
    const text = await scrapeAfter([collectionOf(busySnapshot())]);
    assert.equal(sampleValue(text, 'porttop_sockets{proto="tcp",family="ipv4",state="ESTABLISHED"}'), 86);
    assert.equal(sampleValue(text, 'porttop_sockets{proto="tcp",family="ipv4",state="CLOSE_WAIT"}'), 12);
    assert.equal(sampleValue(text, 'porttop_sockets{proto="tcp",family="ipv4",state="TIME_WAIT"}'), 1);
    assert.equal(sampleValue(text, 'porttop_sockets{proto="tcp",family="ipv6",state="SYN_SENT"}'), 0);
    assert.equal(sampleValue(text, 'porttop_sockets{proto="udp",family="ipv4",state="UDP"}'), 0);
  });

  it('--top 2: the top 2 by ephemeral ports plus the CLOSE_WAIT leaker, 2 destinations, never one series per socket', async () => {
    const text = await scrapeAfter([collectionOf(busySnapshot())], 2);
    const pids = new Set([...text.matchAll(/^porttop_process_sockets\{pid="(\d+)"/gm)].map((match) => match[1]));
    assert.deepEqual([...pids].sort(), ['100', '200', '300']);
    // diagnose's count: 80 own ports plus the TIME_WAIT toward its server, attributed by inference
    assert.equal(sampleValue(text, 'porttop_process_ephemeral_ports{pid="100",process="client"}'), 81);
    assert.equal(sampleValue(text, 'porttop_process_sockets{pid="100",process="client",state="TIME_WAIT"}'), 1);
    assert.equal(sampleValue(text, 'porttop_process_sockets{pid="100",process="client",state="ESTABLISHED"}'), 80);
    assert.equal(sampleValue(text, 'porttop_process_handles{pid="100",process="client"}'), 120);
    // a name with a quote and a line break is escaped by prom-client, as the text format requires
    assert.equal(sampleValue(text, 'porttop_process_sockets{pid="200",process="le\\"aky\\nd",state="CLOSE_WAIT"}'), 12);
    assert.equal(sampleValue(text, 'porttop_process_sockets{pid="200",process="le\\"aky\\nd",state="LISTEN"}'), 1);
    assert.equal([...text.matchAll(/^porttop_process_handles\{/gm)].length, 1, 'handles only where known');
    assert.equal([...text.matchAll(/^porttop_destination_ephemeral_ports\{/gm)].length, 2);
  });

  it('a process that left is gone from the next scrape (series are reset per collection)', async () => {
    const first = busySnapshot();
    const second = { ...first, endpoints: first.endpoints.filter((endpoint) => endpoint.pid !== 100) };
    const text = await scrapeAfter([collectionOf(first), collectionOf(second)]);
    assert.doesNotMatch(text, /pid="100"/);
    assert.equal(sampleValue(text, 'porttop_verdict{verdict="ok"}'), 1);
  });

  it('porttop_exhaustion_eta_seconds only for a growing range', async () => {
    assert.doesNotMatch(await scrapeAfter([collectionOf(busySnapshot())]), /^porttop_exhaustion_eta_seconds\{/m);
    const text = await scrapeAfter([collectionOf(busySnapshot(), { etaSeconds: new Map([[rangeKey({ protocol: 'tcp', family: 'ipv4' }), 420]]) })]);
    assert.equal(sampleValue(text, 'porttop_exhaustion_eta_seconds{proto="tcp",family="ipv4"}'), 420);
    assert.equal([...text.matchAll(/^porttop_exhaustion_eta_seconds\{/gm)].length, 1);
  });
});

describe('recorded shape: Windows excluded port ranges and Tcpip events', () => {
  const excluded: ExcludedRange[] = [
    // Hyper-V style reservations, one overlapping another and one outside the range
    { protocol: 'tcp', family: 'ipv4', start: 40010, end: 40019 },
    { protocol: 'tcp', family: 'ipv4', start: 40015, end: 40024 },
    { protocol: 'tcp', family: 'ipv4', start: 5000, end: 5099 },
    { protocol: 'tcp', family: 'ipv6', start: 40095, end: 40200 },
  ];

  it('usable ports: the range minus the excluded ports inside it, overlaps counted once', async () => {
    const text = await scrapeAfter([collectionOf(busySnapshot(), { platform: 'windows', excluded })]);
    assert.equal(sampleValue(text, 'porttop_dynamic_range_usable_ports{proto="tcp",family="ipv4"}'), 85);
    assert.equal(sampleValue(text, 'porttop_dynamic_range_usable_ports{proto="tcp",family="ipv6"}'), 95);
    assert.equal(sampleValue(text, 'porttop_dynamic_range_usable_ports{proto="udp",family="ipv4"}'), 100);
    assert.equal(sampleValue(text, 'porttop_dynamic_range_ports{proto="tcp",family="ipv4"}'), 100);
  });

  it('events since start become a counter that rises by the new events and never goes back (a cleared log)', async () => {
    const metrics = createExporterMetrics();
    const counts: Record<string, number>[] = [{ '4231': 2 }, { '4231': 5, '4227': 1 }, { '4231': 1 }, { '4231': 3 }];
    const seen: (number | undefined)[] = [];
    for (const eventsSinceStart of counts) {
      await metrics.update(collectionOf(busySnapshot(), { platform: 'windows', eventsSinceStart }), 10);
      seen.push(sampleValue(await metrics.own.metrics(), 'porttop_exhaustion_events_total{id="4231"}'));
    }
    assert.deepEqual(seen, [2, 5, 5, 7]);
    assert.equal(sampleValue(await metrics.own.metrics(), 'porttop_exhaustion_events_total{id="4227"}'), 1);
  });

  it('Linux (no System log): no events series at all', async () => {
    assert.doesNotMatch(await scrapeAfter([collectionOf(busySnapshot())]), /^porttop_exhaustion_events_total\{/m);
  });

  it('a failed collection counts an error and keeps the data', async () => {
    const metrics = createExporterMetrics();
    await metrics.update(collectionOf(busySnapshot()), 10);
    metrics.collectFailed(1.5);
    metrics.collectFailed(2);
    const text = await metrics.own.metrics();
    assert.equal(sampleValue(text, 'porttop_collect_errors_total'), 2);
    assert.equal(sampleValue(text, 'porttop_collect_duration_seconds'), 2);
    assert.equal(sampleValue(text, 'porttop_ephemeral_usage_ratio{proto="tcp",family="ipv4"}'), 0.81);
  });
});

describe('the /metrics text is rendered once and shared', () => {
  it('concurrent scrapes share one rendering; a new collection or 1 s renders afresh', async () => {
    const { MetricsText } = await import('../../src/serve/server.js');
    const metrics = createExporterMetrics();
    let renders = 0;
    const registry = metrics.own;
    const original = registry.metrics.bind(registry);
    registry.metrics = () => {
      renders++;
      return original();
    };
    const text = new MetricsText(registry, 1_000);
    const bodies = await Promise.all(Array.from({ length: 100 }, () => text.text(5_000)));
    assert.equal(renders, 1);
    assert.equal(new Set(bodies).size, 1);
    await text.text(5_900);
    assert.equal(renders, 1, 'reused within 1 s');
    await text.text(6_100);
    assert.equal(renders, 2, 'rendered afresh after 1 s');
    await metrics.update(collectionOf(busySnapshot()), 10);
    text.invalidate();
    const fresh = await text.text(6_200);
    assert.equal(renders, 3, 'rendered afresh after a collection');
    assert.match(fresh, /porttop_ephemeral_usage_ratio\{proto="tcp",family="ipv4"\} 0.81/);
  });
});
