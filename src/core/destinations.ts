// The destinations that take the most ephemeral ports: Linux reuses a local port for different
// destinations, so exhaustion happens per remote address and port. Pure.
import type { Endpoint, Family, PortRange, Protocol } from './model.js';
import { rangeLookup } from './ranges.js';

export interface DestinationPorts {
  protocol: Protocol;
  family: Family;
  remoteAddress: string;
  remotePort: number;
  /** distinct local ports inside the dynamic range connected to this destination */
  ports: number;
}

/** The `limit` destinations with the most distinct ephemeral local ports, most first (ties by address, for a stable order). */
export function topDestinations(endpoints: readonly Endpoint[], ranges: readonly PortRange[], limit: number): DestinationPorts[] {
  const lookup = rangeLookup(ranges);
  const byKey = new Map<string, { destination: DestinationPorts; ports: Set<number> }>();
  for (const endpoint of endpoints) {
    if (endpoint.remoteAddress === null || endpoint.remotePort === null || endpoint.state === 'LISTEN') continue;
    const range = lookup(endpoint.protocol, endpoint.family);
    if (!range || endpoint.localPort < range.start || endpoint.localPort > range.end) continue;
    const key = `${endpoint.protocol} ${endpoint.family} ${endpoint.remoteAddress} ${endpoint.remotePort}`;
    let entry = byKey.get(key);
    if (!entry) {
      entry = {
        destination: { protocol: endpoint.protocol, family: endpoint.family, remoteAddress: endpoint.remoteAddress, remotePort: endpoint.remotePort, ports: 0 },
        ports: new Set(),
      };
      byKey.set(key, entry);
    }
    entry.ports.add(endpoint.localPort);
  }
  return [...byKey.values()]
    .map(({ destination, ports }) => ({ ...destination, ports: ports.size }))
    .sort((a, b) => b.ports - a.ports || a.remoteAddress.localeCompare(b.remoteAddress) || a.remotePort - b.remotePort)
    .slice(0, limit);
}
