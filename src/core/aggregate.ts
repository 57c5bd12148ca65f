// Per-process socket counts: the rows of `porttop procs` and of the terminal view, read from the one
// pass over the snapshot (tally.ts) that diagnose reads too.
import { exceedsHandleRule } from './handles.js';
import type { PortRange, Snapshot } from './model.js';
import { tallySnapshot, type SnapshotTally } from './tally.js';

export interface ProcessRow {
  pid: number;
  processName: string;
  /** the command line, for telling apart processes of one name (five `node`s); null when unknown */
  commandLine: string | null;
  sockets: number;
  listen: number;
  established: number;
  timeWait: number;
  closeWait: number;
  bound: number;
  udp: number;
  /** distinct local ports inside the dynamic range held by non-listening sockets */
  ephemeral: number;
  handles: number | null;
  /** over the handle rule (more than 3000, not an exempt process) */
  handleSuspect: boolean;
}

export const SORT_KEYS = ['sockets', 'handles', 'ephemeral', 'closewait', 'bound'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

const SORT_FIELD: Record<SortKey, keyof ProcessRow> = {
  sockets: 'sockets',
  handles: 'handles',
  ephemeral: 'ephemeral',
  closewait: 'closeWait',
  bound: 'bound',
};

/** One row per process that owns sockets, in the order they were first seen. */
export function processRows(tally: SnapshotTally): ProcessRow[] {
  const rows: ProcessRow[] = [];
  for (const counts of tally.processes.values()) {
    if (counts.sockets === 0) continue; // named only as the inferred owner of TIME_WAIT sockets
    const info = tally.snapshot.processes.get(counts.pid);
    const processName = info?.name ?? '?';
    const handles = info?.handles ?? null;
    const { pid, sockets, listen, established, timeWait, closeWait, bound, udp } = counts;
    rows.push({
      pid, processName, commandLine: info?.commandLine ?? null, sockets, listen, established, timeWait, closeWait, bound, udp,
      ephemeral: counts.ephemeral.size, handles, handleSuspect: exceedsHandleRule(processName, handles),
    });
  }
  return rows;
}

export function summarizeProcesses(snapshot: Snapshot, ranges: readonly PortRange[]): ProcessRow[] {
  return processRows(tallySnapshot(snapshot, ranges));
}

/** Sorts by the key, largest first (or smallest first), ties by PID so the order is stable between refreshes. */
export function sortProcessRows(rows: readonly ProcessRow[], key: SortKey, descending = true): ProcessRow[] {
  const field = SORT_FIELD[key];
  const direction = descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    const av = (a[field] as number | null) ?? -1;
    const bv = (b[field] as number | null) ?? -1;
    return av !== bv ? (av - bv) * direction : a.pid - b.pid;
  });
}
