// Per-process socket counts: the rows of `porttop procs` and of the terminal view.
import { exceedsHandleRule } from './handles.js';
import type { Endpoint, PortRange, Snapshot, TcpState } from './model.js';
import { rangeLookup, usesEphemeralPort } from './ranges.js';

export interface ProcessRow {
  pid: number;
  processName: string;
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

export function summarizeProcesses(snapshot: Snapshot, ranges: readonly PortRange[]): ProcessRow[] {
  const lookup = rangeLookup(ranges);
  const rows = new Map<number, ProcessRow>();
  const ephemeralPorts = new Map<number, Set<number>>();
  for (const endpoint of snapshot.endpoints) {
    // a shared socket (forked or inherited) counts for each process that holds it
    for (const pid of endpoint.holders) {
      let row = rows.get(pid);
      if (!row) {
        const info = snapshot.processes.get(pid);
        const processName = info?.name ?? '?';
        const handles = info?.handles ?? null;
        row = {
          pid, processName, sockets: 0, listen: 0, established: 0, timeWait: 0, closeWait: 0,
          bound: 0, udp: 0, ephemeral: 0, handles, handleSuspect: exceedsHandleRule(processName, handles),
        };
        rows.set(pid, row);
      }
      row.sockets++;
      countState(row, endpoint);
      if (usesEphemeralPort(endpoint, lookup)) {
        let ports = ephemeralPorts.get(pid);
        if (!ports) ephemeralPorts.set(pid, (ports = new Set()));
        // protocol and family each have their own range on Windows, so a port counts once per pair
        ports.add(endpoint.localPort * 4 + (endpoint.protocol === 'udp' ? 2 : 0) + (endpoint.family === 'ipv6' ? 1 : 0));
      }
    }
  }
  for (const [pid, ports] of ephemeralPorts) rows.get(pid)!.ephemeral = ports.size;
  return [...rows.values()];
}

function countState(row: ProcessRow, endpoint: Endpoint): void {
  if (endpoint.protocol === 'udp') {
    row.udp++;
    return;
  }
  switch (endpoint.state) {
    case 'LISTEN': row.listen++; break;
    case 'ESTABLISHED': row.established++; break;
    case 'TIME_WAIT': row.timeWait++; break;
    case 'CLOSE_WAIT': row.closeWait++; break;
    case 'BOUND': row.bound++; break;
    default: break;
  }
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

export type StateTotals = Record<TcpState | 'UDP', number>;

/** Socket counts by state over the whole snapshot (UDP counted apart). */
export function totalsByState(endpoints: readonly Endpoint[]): Partial<StateTotals> {
  const totals: Partial<StateTotals> = {};
  for (const endpoint of endpoints) {
    const key = endpoint.protocol === 'udp' ? 'UDP' : endpoint.state;
    if (key === null) continue;
    totals[key] = (totals[key] ?? 0) + 1;
  }
  return totals;
}
