// The one place where a collection (Snapshot + diagnosis) becomes Prometheus metrics. Every metric
// name, HELP text and label set of `porttop serve` is here, so adapting to a changed diagnosis means
// editing this file only. Gauges are set once per collection; a scrape only serializes them.
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { ProcessRow } from '../core/aggregate.js';
import { topDestinations } from '../core/destinations.js';
import { EXHAUSTION_EVENT_IDS, type Culprit } from '../core/diagnose/index.js';
import { formatAddress, rangeKey, VERDICTS } from '../core/labels.js';
import { TCP_STATES, type Endpoint, type PortRange } from '../core/model.js';
import type { Collection } from './collector.js';

/** UDP endpoints have no TCP state; their series carry this state label. */
export const UDP_STATE = 'UDP';
/** The per-process state series: these states, and OTHER for the rest (SYN_SENT, FIN_WAIT_2, ...). */
export const PROCESS_STATES = ['LISTEN', 'ESTABLISHED', 'TIME_WAIT', 'CLOSE_WAIT', 'BOUND', UDP_STATE, 'OTHER'] as const;

export interface ExporterMetrics {
  /** porttop's own metrics (what `promtool check metrics` lints) */
  readonly own: Registry;
  /** porttop's metrics and prom-client's default process metrics: what /metrics serves */
  readonly all: Registry;
  /** sets every series from a collection; resolves once they are all set (scrapes never see half) */
  update(collection: Collection, top: number): Promise<void>;
  /** sets every series from samples computed elsewhere (the collection worker), in one step */
  apply(samples: readonly MetricSample[], eventsSinceStart: Record<string, number> | null): void;
  collectFailed(durationSeconds: number): void;
}

export function createExporterMetrics(): ExporterMetrics {
  const own = new Registry();
  const registers = [own];
  const rangeLabels = ['proto', 'family'] as const;
  const g = {
    rangePorts: new Gauge({ name: 'porttop_dynamic_range_ports', help: 'Size of the dynamic (ephemeral) port range, in ports.', labelNames: rangeLabels, registers }),
    usablePorts: new Gauge({
      name: 'porttop_dynamic_range_usable_ports',
      help: 'Ports of the dynamic range that can be handed out: its size minus the excluded port ranges inside it (Windows; equal to the size elsewhere).',
      labelNames: rangeLabels, registers,
    }),
    inUse: new Gauge({ name: 'porttop_ephemeral_ports_in_use', help: 'Distinct local ports of the dynamic range held by non-listening sockets (TIME_WAIT and BOUND included).', labelNames: rangeLabels, registers }),
    usageRatio: new Gauge({
      name: 'porttop_ephemeral_usage_ratio',
      help: 'Judged usage of the usable dynamic range, 0..1, as porttop diagnose judges it: on Linux the busiest destination (ports are reused across destinations), on Windows the busiest local address. 0.7 is a warning, 0.95 exhausted.',
      labelNames: rangeLabels, registers,
    }),
    destinationPorts: new Gauge({
      name: 'porttop_destination_ephemeral_ports',
      help: 'Distinct ephemeral local ports connected to one remote address and port; only the top --top destinations.',
      labelNames: ['proto', 'family', 'destination'] as const, registers,
    }),
    sockets: new Gauge({ name: 'porttop_sockets', help: 'Sockets by protocol, family and state (TCP states as netstat names them; UDP endpoints have state UDP).', labelNames: ['proto', 'family', 'state'] as const, registers }),
    processSockets: new Gauge({
      name: 'porttop_process_sockets',
      help: 'Sockets of one process by state (OTHER: SYN_SENT, FIN_WAIT_*, ...; TIME_WAIT includes those attributed to it by inference); only the top --top processes by ephemeral ports and by CLOSE_WAIT.',
      labelNames: ['pid', 'process', 'state'] as const, registers,
    }),
    processEphemeral: new Gauge({
      name: 'porttop_process_ephemeral_ports',
      help: 'Distinct ephemeral ports held by one process, as porttop diagnose counts them; only the top --top processes.',
      labelNames: ['pid', 'process'] as const, registers,
    }),
    processHandles: new Gauge({
      name: 'porttop_process_handles',
      help: 'Open handles (Windows) or file descriptors (Linux) of one process, where readable; only the top --top processes.',
      labelNames: ['pid', 'process'] as const, registers,
    }),
    verdict: new Gauge({ name: 'porttop_verdict', help: 'The exhaustion verdict of porttop diagnose, one-hot: the series of the current verdict is 1, the others 0.', labelNames: ['verdict'] as const, registers }),
    eta: new Gauge({
      name: 'porttop_exhaustion_eta_seconds',
      help: 'Seconds until the range is exhausted (95 % judged usage) at the growth of the last collections; absent when usage is not growing.',
      labelNames: rangeLabels, registers,
    }),
    duration: new Gauge({ name: 'porttop_collect_duration_seconds', help: 'How long the last collection (snapshot and diagnosis) took, failed or not.', registers }),
    lastCollect: new Gauge({ name: 'porttop_last_collect_timestamp_seconds', help: 'Unix time of the last good collection.', registers }),
  };
  const events = new Counter({
    name: 'porttop_exhaustion_events_total',
    help: 'Windows Tcpip System-log events since porttop serve started: 4227 (a port reused too soon), 4231 (no ephemeral port left). Absent where the OS has no such log.',
    labelNames: ['id'] as const, registers,
  });
  const errors = new Counter({ name: 'porttop_collect_errors_total', help: 'Collections that failed (the metrics keep the last good collection).', registers });
  errors.inc(0);
  const eventsSeen = new Map<string, number>();

  const all = Registry.merge([own, defaultMetricsRegistry()]);

  return {
    own,
    all,
    collectFailed(durationSeconds) {
      errors.inc();
      g.duration.set(durationSeconds);
    },
    async update(collection, top) {
      // computed with a turn of the event loop between the heavy parts, so scrapes are answered
      // meanwhile; then applied in one synchronous step, so no scrape sees half a collection
      this.apply(await seriesOf(collection, top), collection.eventsSinceStart);
    },
    apply(samples, eventsSinceStart) {
      for (const gauge of Object.values(g)) gauge.reset();
      for (const { metric, labels, value } of samples) g[metric].set(labels, value);
      if (eventsSinceStart) {
        for (const id of EXHAUSTION_EVENT_IDS) {
          const now = eventsSinceStart[id] ?? 0;
          const before = eventsSeen.get(id) ?? 0;
          // a cleared System log counts from zero again; the counter never goes back
          events.inc({ id }, Math.max(0, now - before));
          eventsSeen.set(id, now);
        }
      }
    },
  };
}

export type GaugeName =
  | 'rangePorts' | 'usablePorts' | 'inUse' | 'usageRatio' | 'destinationPorts' | 'sockets' | 'processSockets'
  | 'processEphemeral' | 'processHandles' | 'verdict' | 'eta' | 'duration' | 'lastCollect';

/** One gauge value: plain data, so a worker thread can compute it and post it. */
export interface MetricSample {
  metric: GaugeName;
  labels: Record<string, string>;
  value: number;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Every gauge value of one collection, as plain data. */
export async function seriesOf(collection: Collection, top: number): Promise<MetricSample[]> {
  const { diagnosis, snapshot, ranges } = collection;
  const samples: MetricSample[] = [];
  const add = (metric: GaugeName, labels: Record<string, string>, value: number) => samples.push({ metric, labels, value });
  await nextTurn(); // the diagnosis just ran: let waiting scrapes through first
  add('duration', {}, collection.durationSeconds);
  add('lastCollect', {}, collection.finishedAtMs / 1000);

  for (const range of diagnosis.usage) {
    const labels = { proto: range.protocol, family: range.family };
    add('rangePorts', labels, range.count);
    add('usablePorts', labels, range.usable);
    add('inUse', labels, range.inUse);
    add('usageRatio', labels, range.judgedPercent / 100);
    const eta = collection.etaSeconds.get(rangeKey(range));
    if (eta !== undefined) add('eta', labels, eta);
  }
  for (const verdict of VERDICTS) add('verdict', { verdict }, verdict === diagnosis.verdict ? 1 : 0);

  await nextTurn();
  for (const destination of topDestinations(snapshot.endpoints, ranges, top)) {
    const where = formatAddress(destination.remoteAddress, destination.remotePort);
    add('destinationPorts', { proto: destination.protocol, family: destination.family, destination: where }, destination.ports);
  }
  await nextTurn();
  for (const [labels, value] of socketCounts(snapshot.endpoints, ranges)) add('sockets', labels, value);

  await nextTurn();
  const culprits = new Map(diagnosis.culprits.map((culprit) => [culprit.pid, culprit]));
  for (const row of topProcesses(collection.processes, culprits, top)) {
    const culprit = culprits.get(row.pid);
    const process = { pid: String(row.pid), process: row.processName };
    const timeWait = culprit ? culprit.timeWait : row.timeWait;
    const named = row.listen + row.established + row.timeWait + row.closeWait + row.bound + row.udp;
    const byState: Record<(typeof PROCESS_STATES)[number], number> = {
      LISTEN: row.listen, ESTABLISHED: row.established, TIME_WAIT: timeWait, CLOSE_WAIT: row.closeWait, BOUND: row.bound,
      [UDP_STATE]: row.udp, OTHER: row.sockets - named,
    };
    for (const state of PROCESS_STATES) add('processSockets', { ...process, state }, byState[state]);
    add('processEphemeral', process, ephemeralOf(row, culprit));
    if (row.handles !== null) add('processHandles', process, row.handles);
  }
  return samples;
}

function defaultMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

function ephemeralOf(row: ProcessRow, culprit: Culprit | undefined): number {
  // diagnose's count includes the TIME_WAIT ports attributed to the process by inference
  return culprit ? culprit.ephemeralPorts : row.ephemeral;
}

/**
 * The processes given series: the top `top` by ephemeral ports and the top `top` with CLOSE_WAIT
 * (a leak holds no ephemeral port on the server side), so at most 2 x top processes.
 */
export function topProcesses(rows: readonly ProcessRow[], culprits: ReadonlyMap<number, Culprit>, top: number): ProcessRow[] {
  const byEphemeral = [...rows]
    .sort((a, b) => ephemeralOf(b, culprits.get(b.pid)) - ephemeralOf(a, culprits.get(a.pid)) || b.sockets - a.sockets || a.pid - b.pid)
    .slice(0, top);
  const byCloseWait = rows.filter((row) => row.closeWait > 0).sort((a, b) => b.closeWait - a.closeWait || a.pid - b.pid).slice(0, top);
  const chosen = new Map<number, ProcessRow>();
  for (const row of [...byEphemeral, ...byCloseWait]) chosen.set(row.pid, row);
  return [...chosen.values()];
}

/** Every TCP state is exported (0 when none) for each family with a range, so alerts see 0 rather than nothing. */
function socketCounts(endpoints: readonly Endpoint[], ranges: readonly PortRange[]): [Record<string, string>, number][] {
  const states = [...TCP_STATES, UDP_STATE];
  const stateIndex = new Map(states.map((state, index) => [state, index]));
  // [protocol x family][state]: numbers, not a string key per socket
  const counts = [0, 1, 2, 3].map(() => new Array<number>(states.length).fill(0));
  for (const endpoint of endpoints) {
    const index = (endpoint.protocol === 'udp' ? 2 : 0) + (endpoint.family === 'ipv6' ? 1 : 0);
    counts[index]![stateIndex.get(endpoint.state ?? UDP_STATE)!]!++;
  }
  const out: [Record<string, string>, number][] = [];
  for (const range of ranges) {
    const index = (range.protocol === 'udp' ? 2 : 0) + (range.family === 'ipv6' ? 1 : 0);
    const wanted = range.protocol === 'tcp' ? TCP_STATES : [UDP_STATE];
    for (const state of wanted) out.push([{ proto: range.protocol, family: range.family, state }, counts[index]![stateIndex.get(state)!]!]);
  }
  return out;
}
