// Which sockets stand in the way of a bind: pure rules over endpoints, shared by why, wait and free.
import type { Endpoint, Family, Protocol } from './model.js';

export const WILDCARD: Record<Family, string> = { ipv4: '0.0.0.0', ipv6: '::' };

/** The family of an IP address text (validated elsewhere): a colon means IPv6. */
export function familyOfAddress(address: string): Family {
  return address.includes(':') ? 'ipv6' : 'ipv4';
}

export function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

/**
 * A socket that keeps a bind of its port from working, for a server that sets SO_REUSEADDR (most do):
 * any UDP socket, and TCP sockets some process still owns the conversation of. TIME_WAIT and the
 * closing states the kernel finishes alone (FIN_WAIT_*, CLOSING, LAST_ACK) do not block such a bind.
 */
export function blocksBind(endpoint: Endpoint): boolean {
  if (endpoint.protocol === 'udp') return true;
  switch (endpoint.state) {
    case 'LISTEN':
    case 'BOUND':
    case 'SYN_SENT':
    case 'SYN_RECEIVED':
    case 'ESTABLISHED':
    case 'CLOSE_WAIT':
      return true;
    default:
      return false;
  }
}

/** A TCP socket waiting out TIME_WAIT: harmless with SO_REUSEADDR, a bind error without it. */
export function isTimeWait(endpoint: Endpoint): boolean {
  return endpoint.protocol === 'tcp' && endpoint.state === 'TIME_WAIT';
}

export type Overlap = 'same' | 'wildcard' | 'dual-stack';

export interface BindTarget {
  host: string;
  protocol: Protocol;
  /** the bind is IPV6_V6ONLY (porttop's own tries are not: `::` is dual-stack, as Node makes it) */
  ipv6Only?: boolean;
}

/**
 * How an endpoint's local address overlaps the address a server wants: the same address, a wildcard
 * covering a specific one (either way round), or IPv6 `::` covering IPv4 through dual-stack
 * (net.ipv6.bindv6only = 0). null when they cannot collide (different addresses, other protocol).
 */
export function addressOverlap(endpoint: Endpoint, target: BindTarget, bindV6Only: boolean | null): Overlap | null {
  if (endpoint.protocol !== target.protocol) return null;
  const targetFamily = familyOfAddress(target.host);
  const local = unmapped(endpoint.localAddress);
  if (endpoint.family === targetFamily || familyOfAddress(local) === targetFamily) {
    if (local === target.host) return 'same';
    if (isWildcard(local) || isWildcard(target.host)) return 'wildcard';
    return null;
  }
  // across families only `::` reaches IPv4, and only when it is dual-stack
  const v6Address = endpoint.family === 'ipv6' ? local : target.host;
  const v6IsDualStack = endpoint.family === 'ipv6' ? bindV6Only !== true : target.ipv6Only !== true;
  if (v6Address === '::' && v6IsDualStack) return 'dual-stack';
  return null;
}

/** `::ffff:127.0.0.1` is IPv4's 127.0.0.1 seen through an IPv6 socket. */
function unmapped(address: string): string {
  const match = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return match ? match[1]! : address;
}
