// Snapshots built in memory for the pure diagnosis: the shapes each OS produces, without any I/O.
import type { Endpoint, Family, ProcessInfo, Snapshot, TcpState } from '../../src/core/model.js';
import { makeRange } from '../../src/core/ranges.js';

export function tcp(
  localPort: number,
  remote: [string, number] | null,
  state: TcpState,
  pid: number | null,
  options: { localAddress?: string; family?: Family } = {},
): Endpoint {
  const family = options.family ?? 'ipv4';
  return {
    protocol: 'tcp',
    family,
    localAddress: options.localAddress ?? (family === 'ipv4' ? '127.0.0.1' : '::1'),
    localPort,
    remoteAddress: remote ? remote[0] : null,
    remotePort: remote ? remote[1] : null,
    state,
    pid,
    holders: pid === null ? [] : [pid],
  };
}

export function udp(localPort: number, pid: number | null, localAddress = '0.0.0.0'): Endpoint {
  return { protocol: 'udp', family: 'ipv4', localAddress, localPort, remoteAddress: null, remotePort: null, state: null, pid, holders: pid === null ? [] : [pid] };
}

/** `count` sockets from consecutive local ports starting at `firstPort`, all toward one destination. */
export function connections(firstPort: number, count: number, remote: [string, number], state: TcpState, pid: number | null, localAddress?: string): Endpoint[] {
  return Array.from({ length: count }, (_, i) => tcp(firstPort + i, remote, state, pid, { localAddress }));
}

export function processes(...entries: [number, string, number?][]): Map<number, ProcessInfo> {
  return new Map(
    entries.map(([pid, name, handles]) => [pid, { pid, name, commandLine: null, startTime: null, handles: handles ?? 50 }]),
  );
}

export function snapshotOf(endpoints: Endpoint[], procs: Map<number, ProcessInfo>, warnings: string[] = []): Snapshot {
  return { takenAt: '2025-01-01T00:00:00.000Z', endpoints, processes: procs, warnings };
}

/** Linux: one sysctl shown as four ranges. */
export function linuxRanges(start: number, count: number) {
  return [makeRange('tcp', 'ipv4', start, count), makeRange('tcp', 'ipv6', start, count), makeRange('udp', 'ipv4', start, count), makeRange('udp', 'ipv6', start, count)];
}

/** Windows: netsh keeps one range per protocol and family; here all at the same span unless told. */
export function windowsRanges(start = 49152, count = 16384) {
  return linuxRanges(start, count);
}

/**
 * A busy server of `total` sockets, the load of the benchmark: listeners, a fan-out of outbound
 * connections to a few hundred destinations, a TIME_WAIT pile, CLOSE_WAIT leaks, some BOUND and UDP.
 */
export function busySnapshot(total: number, rangeStart = 32768, rangeCount = 28232): Snapshot {
  const endpoints: Endpoint[] = [];
  const procs: [number, string, number?][] = [];
  for (let pid = 1000; pid < 1200; pid++) procs.push([pid, `worker-${pid}`, 100 + (pid % 50) * 100]);
  procs.push([900, 'lsass.exe', 12_000]);
  let port = 0;
  const nextPort = () => rangeStart + (port++ % rangeCount);
  for (let i = 0; endpoints.length < total; i++) {
    const pid = 1000 + (i % 200);
    const destination: [string, number] = [`10.0.${(i >> 8) & 255}.${i % 250}`, 443 + (i % 7)];
    switch (i % 10) {
      case 0: endpoints.push(tcp(8000 + (i % 50), null, 'LISTEN', pid, { localAddress: '0.0.0.0' })); break;
      case 1: case 2: case 3: endpoints.push(tcp(nextPort(), ['10.1.0.5', 5432], 'TIME_WAIT', null, { localAddress: '10.0.0.1' })); break;
      case 4: endpoints.push(tcp(8080, [`10.2.${i % 200}.${i % 250}`, nextPort()], 'CLOSE_WAIT', 1001, { localAddress: '10.0.0.1' })); break;
      case 5: endpoints.push(tcp(nextPort(), null, 'BOUND', pid, { localAddress: '0.0.0.0' })); break;
      case 6: endpoints.push(udp(nextPort(), pid)); break;
      default: endpoints.push(tcp(nextPort(), destination, 'ESTABLISHED', pid, { localAddress: '10.0.0.1' })); break;
    }
  }
  // the TIME_WAIT pile's destination has exactly one process with open connections: it gets the inference
  endpoints.push(tcp(nextPort(), ['10.1.0.5', 5432], 'ESTABLISHED', 1007, { localAddress: '10.0.0.1' }));
  return snapshotOf(endpoints, processes(...procs));
}
