// What the live view shows of a snapshot, as plain functions: one analysis per snapshot (one pass
// over the sockets for the rows, the gauges and the verdict), the filter (name, PID or :port) and one
// process's endpoints. Pure: no I/O, no ink. Moving through the list is widget state: src/tui/navigation.ts.
import { processRows, type ProcessRow } from './aggregate.js';
import { diagnoseTally, type Diagnosis, type RangeDiagnosis } from './diagnose/index.js';
import type { Endpoint, ExcludedRange, Platform, PortRange, Snapshot, TcpState } from './model.js';
import { holdsPort } from './select.js';
import { tallySnapshot, type StateTotals } from './tally.js';

/** Everything the view derives from one snapshot; computed once per snapshot, never per key press. */
export interface SnapshotAnalysis {
  snapshot: Snapshot;
  ranges: PortRange[];
  /** one row per process that owns sockets, unsorted */
  rows: ProcessRow[];
  totals: Partial<StateTotals>;
  /** the range gauges: the diagnosis's per-range usage, so it is computed once */
  usage: RangeDiagnosis[];
  /** `porttop diagnose`'s judgement of this snapshot, for the header's verdict line */
  diagnosis: Diagnosis;
}

/**
 * Windows exhaustion events are left out: reading them is a PowerShell round trip per refresh;
 * `porttop diagnose` reads them.
 */
export function analyzeSnapshot(snapshot: Snapshot, ranges: PortRange[], platform: Platform, excluded: readonly ExcludedRange[] = []): SnapshotAnalysis {
  const tally = tallySnapshot(snapshot, ranges);
  const rows = processRows(tally);
  const diagnosis = diagnoseTally(tally, { events: null, platform, excluded });
  return { snapshot, ranges, rows, totals: diagnosis.totals, usage: diagnosis.usage, diagnosis };
}

// ---- the filter typed after `/` ----

export type ViewFilter =
  | { kind: 'port'; port: number; text: string }
  /** digits: a PID that starts with them, or a name that contains them */
  | { kind: 'number'; digits: string; text: string }
  | { kind: 'name'; needle: string; text: string };

/** null for an empty filter; `:8080` is a port, `123` a PID (or a name with digits), anything else a name. */
export function parseViewFilter(text: string): ViewFilter | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const port = /^:(\d{1,5})$/.exec(trimmed);
  if (port) return { kind: 'port', port: Number(port[1]), text: trimmed };
  if (/^\d+$/.test(trimmed)) return { kind: 'number', digits: trimmed, text: trimmed };
  return { kind: 'name', needle: trimmed.toLowerCase(), text: trimmed };
}

/** PIDs with an endpoint whose local or remote port is this one (as `porttop list --port`). */
export function pidsOnPort(endpoints: readonly Endpoint[], port: number): Set<number> {
  const pids = new Set<number>();
  for (const endpoint of endpoints) {
    if (endpoint.localPort === port || endpoint.remotePort === port) for (const pid of endpoint.holders) pids.add(pid);
  }
  return pids;
}

/** Rows the filter lets through; a port filter needs the endpoints to know who uses the port. */
export function filterRows(rows: readonly ProcessRow[], filter: ViewFilter | null, endpoints: readonly Endpoint[]): readonly ProcessRow[] {
  if (filter === null) return rows;
  switch (filter.kind) {
    case 'port': {
      const pids = pidsOnPort(endpoints, filter.port);
      return rows.filter((row) => pids.has(row.pid));
    }
    case 'number':
      return rows.filter((row) => String(row.pid).startsWith(filter.digits) || row.processName.includes(filter.digits));
    case 'name':
      return rows.filter((row) => row.processName.toLowerCase().includes(filter.needle));
  }
}

// ---- one process's endpoints (the detail pane and the kill dialog) ----

const STATE_ORDER: Record<TcpState | 'UDP', number> = {
  LISTEN: 0, BOUND: 1, UDP: 2, ESTABLISHED: 3, SYN_SENT: 4, SYN_RECEIVED: 5, CLOSE_WAIT: 6, FIN_WAIT_1: 7,
  FIN_WAIT_2: 8, CLOSING: 9, LAST_ACK: 10, TIME_WAIT: 11, CLOSED: 12, DELETE_TCB: 13,
};

/** The process's endpoints, listeners first, then by local port: what a person looks for first. */
export function endpointsOfProcess(endpoints: readonly Endpoint[], pid: number): Endpoint[] {
  const own = endpoints.filter((endpoint) => endpoint.holders.includes(pid));
  const rank = (endpoint: Endpoint) => STATE_ORDER[endpoint.state ?? 'UDP'];
  return own.sort((a, b) => rank(a) - rank(b) || a.localPort - b.localPort || (a.remotePort ?? 0) - (b.remotePort ?? 0));
}

/**
 * The ports to name when asking "kill this?": the ones it holds for everyone (listening, bound, UDP),
 * or, when it holds none, its local ports; distinct, ascending.
 */
export function portsToName(endpoints: readonly Endpoint[]): number[] {
  const held = endpoints.filter(holdsPort);
  const source = held.length > 0 ? held : endpoints;
  return [...new Set(source.map((endpoint) => endpoint.localPort))].sort((a, b) => a - b);
}
