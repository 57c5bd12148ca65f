// Picking endpoints and processes out of a snapshot: who holds a port, what kill would stop.
import type { Endpoint, Family, Protocol, Snapshot, TcpState } from './model.js';
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
      (filter.pid === undefined || endpoint.pid === filter.pid) &&
      (filter.port === undefined || endpoint.localPort === filter.port || endpoint.remotePort === filter.port) &&
      (filter.ports === undefined || portInSpans(endpoint.localPort, filter.ports) || (endpoint.remotePort !== null && portInSpans(endpoint.remotePort, filter.ports))),
  );
}

/** A socket that occupies its local port for everyone: a listener, a bound socket, or any UDP endpoint. */
export function holdsPort(endpoint: Endpoint): boolean {
  return endpoint.protocol === 'udp' || endpoint.state === 'LISTEN' || endpoint.state === 'BOUND';
}

/** PIDs `porttop kill` would stop for these ports, in order of first appearance. */
export function killCandidatePids(endpoints: readonly Endpoint[], spans: readonly PortSpan[], allStates: boolean): number[] {
  const pids = new Set<number>();
  for (const endpoint of endpointsOnPorts(endpoints, spans)) {
    if (endpoint.pid === null) continue;
    if (allStates || holdsPort(endpoint)) pids.add(endpoint.pid);
  }
  return [...pids];
}

export interface OwnerGroup {
  pid: number | null;
  endpoints: Endpoint[];
}

/** Groups endpoints by owner; the unowned group (pid null) comes last. */
export function groupByOwner(endpoints: readonly Endpoint[]): OwnerGroup[] {
  const groups = new Map<number | null, Endpoint[]>();
  for (const endpoint of endpoints) {
    const list = groups.get(endpoint.pid);
    if (list) list.push(endpoint);
    else groups.set(endpoint.pid, [endpoint]);
  }
  return [...groups.entries()]
    .map(([pid, list]) => ({ pid, endpoints: list }))
    .sort((a, b) => (a.pid === null ? 1 : b.pid === null ? -1 : a.pid - b.pid));
}

/** Endpoint plus its owner's name: the shape of `who --json` and `list --json`. */
export interface OwnedEndpoint extends Endpoint {
  processName: string | null;
}

export function withProcessNames(endpoints: readonly Endpoint[], snapshot: Pick<Snapshot, 'processes'>): OwnedEndpoint[] {
  return endpoints.map((endpoint) => ({
    protocol: endpoint.protocol,
    family: endpoint.family,
    localAddress: endpoint.localAddress,
    localPort: endpoint.localPort,
    remoteAddress: endpoint.remoteAddress,
    remotePort: endpoint.remotePort,
    state: endpoint.state,
    pid: endpoint.pid,
    processName: endpoint.pid === null ? null : (snapshot.processes.get(endpoint.pid)?.name ?? null),
  }));
}
