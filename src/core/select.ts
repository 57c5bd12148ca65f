// Picking endpoints and processes out of a snapshot: who holds a port, what kill would stop.
import type { ContainerRef, Endpoint, Family, ProcessInfo, Protocol, Snapshot, TcpState, WindowsService } from './model.js';
import { portInSpans, type PortSpan } from './validate.js';

/** Endpoints whose local port lies in one of the spans (exact match: 80 never matches 8080). */
export function endpointsOnPorts(endpoints: readonly Endpoint[], spans: readonly PortSpan[]): Endpoint[] {
  return endpoints.filter((endpoint) => portInSpans(endpoint.localPort, spans));
}

export interface EndpointFilter {
  protocol?: Protocol;
  family?: Family;
  state?: TcpState;
  pid?: number;
  port?: number;
  /** local or remote port in one of these spans (`list --port 8000-8099`) */
  ports?: readonly PortSpan[];
}

/** `porttop list` filters; a port matches the local or the remote port. */
export function filterEndpoints(endpoints: readonly Endpoint[], filter: EndpointFilter): Endpoint[] {
  return endpoints.filter(
    (endpoint) =>
      (filter.protocol === undefined || endpoint.protocol === filter.protocol) &&
      (filter.family === undefined || endpoint.family === filter.family) &&
      (filter.state === undefined || endpoint.state === filter.state) &&
      (filter.pid === undefined || endpoint.holders.includes(filter.pid)) &&
      (filter.port === undefined || endpoint.localPort === filter.port || endpoint.remotePort === filter.port) &&
      (filter.ports === undefined || portInSpans(endpoint.localPort, filter.ports) || (endpoint.remotePort !== null && portInSpans(endpoint.remotePort, filter.ports))),
  );
}

/** A socket that occupies its local port for everyone: a listener, a bound socket, or any UDP endpoint. */
export function holdsPort(endpoint: Endpoint): boolean {
  return endpoint.protocol === 'udp' || endpoint.state === 'LISTEN' || endpoint.state === 'BOUND';
}

/** PIDs `porttop kill` would stop for these ports: every holder, in order of first appearance. */
export function killCandidatePids(endpoints: readonly Endpoint[], spans: readonly PortSpan[], allStates: boolean): number[] {
  const pids = new Set<number>();
  for (const endpoint of endpointsOnPorts(endpoints, spans)) {
    if (allStates || holdsPort(endpoint)) for (const pid of endpoint.holders) pids.add(pid);
  }
  return [...pids];
}

export interface OwnerGroup {
  /** the processes that hold every endpoint of the group, ascending; [] for the unowned group */
  holders: number[];
  endpoints: Endpoint[];
}

/** Groups endpoints by their set of holders (one process, or the several sharing a socket); the unowned group comes last. */
export function groupByOwner(endpoints: readonly Endpoint[]): OwnerGroup[] {
  const groups = new Map<string, OwnerGroup>();
  for (const endpoint of endpoints) {
    const key = endpoint.holders.join(',');
    const group = groups.get(key);
    if (group) group.endpoints.push(endpoint);
    else groups.set(key, { holders: endpoint.holders, endpoints: [endpoint] });
  }
  return [...groups.values()].sort((a, b) => {
    if (a.holders.length === 0) return b.holders.length === 0 ? 0 : 1;
    if (b.holders.length === 0) return -1;
    return a.holders[0]! - b.holders[0]! || a.holders.length - b.holders.length;
  });
}

/** One holder of an endpoint as `who --json` and `list --json` show it. */
export interface HolderJson {
  pid: number;
  processName: string | null;
  commandLine: string | null;
  startTime: string | null;
  unit: string | null;
  container: ContainerRef | null;
  services: WindowsService[];
  parentChain: { pid: number; name: string }[];
}

/** Endpoint plus its owners: the shape of `who --json` and `list --json` (pid/processName: the first holder). */
export interface OwnedEndpoint extends Omit<Endpoint, 'holders'> {
  processName: string | null;
  holders: HolderJson[];
}

export function holderJson(pid: number, info: ProcessInfo | undefined): HolderJson {
  return {
    pid,
    processName: info?.name ?? null,
    commandLine: info?.commandLine ?? null,
    startTime: info?.startTime ?? null,
    unit: info?.unit ?? null,
    container: info?.container ?? null,
    services: info?.services ?? [],
    parentChain: info?.parentChain ?? [],
  };
}

export function withProcessNames(endpoints: readonly Endpoint[], snapshot: Pick<Snapshot, 'processes'>): OwnedEndpoint[] {
  // list --json may hold 30k endpoints of a few hundred processes: build each holder once
  const cache = new Map<number, HolderJson>();
  const holderOf = (pid: number): HolderJson => {
    let holder = cache.get(pid);
    if (!holder) cache.set(pid, (holder = holderJson(pid, snapshot.processes.get(pid))));
    return holder;
  };
  return endpoints.map((endpoint) => ({ ...ownedFields(endpoint, snapshot), holders: endpoint.holders.map(holderOf) }));
}

/** An endpoint's own fields as JSON shows them, without its holders: pid and processName are the first holder. */
function ownedFields(endpoint: Endpoint, snapshot: Pick<Snapshot, 'processes'>): Omit<OwnedEndpoint, 'holders'> {
  return {
    protocol: endpoint.protocol,
    family: endpoint.family,
    localAddress: endpoint.localAddress,
    localPort: endpoint.localPort,
    remoteAddress: endpoint.remoteAddress,
    remotePort: endpoint.remotePort,
    state: endpoint.state,
    pid: endpoint.pid,
    processName: endpoint.pid === null ? null : (snapshot.processes.get(endpoint.pid)?.name ?? null),
  };
}

/**
 * The JSON text of one endpoint of `withProcessNames`, exactly as JSON.stringify writes it, with each
 * holder serialized once per PID: `list --json` on a busy server repeats a few holders, command lines
 * included, tens of thousands of times.
 */
export function ownedEndpointJsonEncoder(snapshot: Pick<Snapshot, 'processes'>): (endpoint: Endpoint) => string {
  const holderTexts = new Map<number, string>();
  const holderText = (pid: number): string => {
    let text = holderTexts.get(pid);
    if (text === undefined) holderTexts.set(pid, (text = JSON.stringify(holderJson(pid, snapshot.processes.get(pid)))));
    return text;
  };
  return (endpoint) => {
    const head = JSON.stringify(ownedFields(endpoint, snapshot));
    return `${head.slice(0, -1)},"holders":[${endpoint.holders.map(holderText).join(',')}]}`;
  };
}

