// What the live view shows of a snapshot, as plain functions: one analysis per snapshot, the filter
// (name, PID or :port), moving a selection through a list and keeping it on screen, the sort cycle
// and the refresh-interval steps. Pure: no I/O, no ink.
import { SORT_KEYS, summarizeProcesses, totalsByState, type ProcessRow, type SortKey, type StateTotals } from './aggregate.js';
import type { Endpoint, PortRange, Snapshot, TcpState } from './model.js';
import { holdsPort } from './select.js';
import { diagnose, type Diagnosis, type Platform, type RangeDiagnosis } from './diagnose.js';

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
export function analyzeSnapshot(snapshot: Snapshot, ranges: PortRange[], platform: Platform): SnapshotAnalysis {
  const diagnosis = diagnose({ snapshot, ranges, events: null, platform });
  return {
    snapshot,
    ranges,
    rows: summarizeProcesses(snapshot, ranges),
    totals: totalsByState(snapshot.endpoints),
    usage: diagnosis.usage,
    diagnosis,
  };
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

// ---- moving through a list ----

export type Move = 'up' | 'down' | 'pageUp' | 'pageDown' | 'home' | 'end';

export function clampIndex(index: number, count: number): number {
  if (count <= 0) return 0;
  return Math.min(Math.max(index, 0), count - 1);
}

/** The index after a move in a list of `count` items of which `pageSize` fit on screen. */
export function moveIndex(index: number, move: Move, count: number, pageSize: number): number {
  const page = Math.max(1, pageSize);
  switch (move) {
    case 'up': return clampIndex(index - 1, count);
    case 'down': return clampIndex(index + 1, count);
    case 'pageUp': return clampIndex(index - page, count);
    case 'pageDown': return clampIndex(index + page, count);
    case 'home': return 0;
    case 'end': return clampIndex(count - 1, count);
  }
}

/**
 * The first visible index so that `index` is on screen, moving the window as little as possible
 * (htop scrolls only when the selection leaves the screen) and never showing blank rows past the end.
 */
export function scrollOffset(offset: number, index: number, height: number, count: number): number {
  if (height <= 0 || count <= 0) return 0;
  let first = offset;
  if (index < first) first = index;
  if (index >= first + height) first = index - height + 1;
  return Math.max(0, Math.min(first, count - height));
}

/**
 * Where the selection is in a fresh list: on the same PID when it is still there, otherwise at the
 * same position (the neighbour moves up, as in htop when a process exits).
 */
export function indexOfSelection(pids: readonly number[], selectedPid: number | null, fallbackIndex: number): number {
  if (selectedPid !== null) {
    const found = pids.indexOf(selectedPid);
    if (found >= 0) return found;
  }
  return clampIndex(fallbackIndex, pids.length);
}

// ---- sorting and the interval ----

export function nextSortKey(key: SortKey): SortKey {
  return SORT_KEYS[(SORT_KEYS.indexOf(key) + 1) % SORT_KEYS.length]!;
}

/** The steps `+` and `-` move through, in seconds. */
export const INTERVAL_STEPS_SECONDS = [0.5, 1, 2, 3, 5, 10, 15, 30, 60] as const;
export const MIN_INTERVAL_SECONDS = INTERVAL_STEPS_SECONDS[0];
export const MAX_INTERVAL_SECONDS = INTERVAL_STEPS_SECONDS[INTERVAL_STEPS_SECONDS.length - 1]!;

/** The next step above (+1) or below (-1) the current interval, which need not be a step itself. */
export function stepInterval(seconds: number, direction: 1 | -1): number {
  if (direction > 0) return INTERVAL_STEPS_SECONDS.find((step) => step > seconds) ?? MAX_INTERVAL_SECONDS;
  return [...INTERVAL_STEPS_SECONDS].reverse().find((step) => step < seconds) ?? MIN_INTERVAL_SECONDS;
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
