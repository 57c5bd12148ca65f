// What the OS says about binding in general, beyond any one socket: the privileged-port limit, the
// dual-stack default, and whether porttop runs elevated. Linux reads /proc/sys; elsewhere they are unknown.
import { readFileSync } from 'node:fs';

export interface BindFacts {
  /** net.ipv4.ip_unprivileged_port_start (1024 unless changed); null where there is no such limit */
  unprivilegedPortStart: number | null;
  /** net.ipv6.bindv6only: IPv6 `::` sockets leave IPv4 alone by default */
  bindV6Only: boolean | null;
  /** root: privileged ports bind anyway */
  elevated: boolean;
}

export function readBindFacts(platform: 'linux' | 'windows', procRoot = '/proc'): BindFacts {
  if (platform !== 'linux') return { unprivilegedPortStart: null, bindV6Only: null, elevated: false };
  const start = readNumber(`${procRoot}/sys/net/ipv4/ip_unprivileged_port_start`);
  const v6only = readNumber(`${procRoot}/sys/net/ipv6/bindv6only`);
  return {
    // kernels before 4.11 have no sysctl: the limit is the historic 1024
    unprivilegedPortStart: start ?? 1024,
    bindV6Only: v6only === null ? null : v6only !== 0,
    elevated: process.getuid?.() === 0,
  };
}

function readNumber(path: string): number | null {
  try {
    const value = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(value) ? value : null;
  } catch {
    return null;
  }
}
