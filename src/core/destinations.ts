// The destinations that take the most ephemeral ports: Linux reuses a local port for different
// destinations, so exhaustion happens per remote address and port. Pure.
import { FAMILIES, PROTOCOLS, type Endpoint, type Family, type PortRange, type Protocol } from './model.js';
import { rangeLookup } from './ranges.js';

export interface DestinationPorts {
  protocol: Protocol;
  family: Family;
  remoteAddress: string;
  remotePort: number;
  /** distinct local ports inside the dynamic range connected to this destination */
  ports: number;
}

/**
 * The `limit` destinations with the most distinct ephemeral local ports, most first (ties by address,
 * for a stable order). Keyed by numbers and nested maps, not a string per socket: it runs on every
 * collection of `porttop serve`, at tens of thousands of sockets.
 */
export function topDestinations(endpoints: readonly Endpoint[], ranges: readonly PortRange[], limit: number): DestinationPorts[] {
  const lookup = rangeLookup(ranges);
  const bounds = PROTOCOLS.flatMap((protocol) => FAMILIES.map((family) => lookup(protocol, family) ?? null));
  // per protocol x family: remote port -> remote address -> local ports
  const tables = bounds.map(() => new Map<number, Map<string, Set<number>>>());
  for (const endpoint of endpoints) {
    if (endpoint.remoteAddress === null || endpoint.remotePort === null || endpoint.state === 'LISTEN') continue;
    const index = (endpoint.protocol === 'udp' ? 2 : 0) + (endpoint.family === 'ipv6' ? 1 : 0);
    const range = bounds[index];
    if (!range || endpoint.localPort < range.start || endpoint.localPort > range.end) continue;
    const table = tables[index]!;
    let byAddress = table.get(endpoint.remotePort);
    if (!byAddress) table.set(endpoint.remotePort, (byAddress = new Map()));
    let ports = byAddress.get(endpoint.remoteAddress);
    if (!ports) byAddress.set(endpoint.remoteAddress, (ports = new Set()));
    ports.add(endpoint.localPort);
  }
  // keep only the best `limit` while walking: a server's accepted sockets can make thousands of one-port destinations
  const best: DestinationPorts[] = [];
  tables.forEach((table, index) => {
    const protocol = PROTOCOLS[index >> 1]!;
    const family = FAMILIES[index & 1]!;
    for (const [remotePort, byAddress] of table) {
      for (const [remoteAddress, ports] of byAddress) {
        const candidate = { protocol, family, remoteAddress, remotePort, ports: ports.size };
        if (best.length === limit && !ranksBefore(candidate, best[best.length - 1]!)) continue;
        let at = best.length;
        while (at > 0 && ranksBefore(candidate, best[at - 1]!)) at--;
        best.splice(at, 0, candidate);
        if (best.length > limit) best.pop();
      }
    }
  });
  return best;
}

function ranksBefore(a: DestinationPorts, b: DestinationPorts): boolean {
  if (a.ports !== b.ports) return a.ports > b.ports;
  if (a.remoteAddress !== b.remoteAddress) return a.remoteAddress < b.remoteAddress;
  return a.remotePort < b.remotePort;
}
