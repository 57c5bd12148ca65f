// Words for endpoints nobody owns, so `who` never just says "nothing" when the kernel holds a port.
import type { Endpoint, Platform, Snapshot } from './model.js';

/** Linux keeps TIME_WAIT for 60 s (TCP_TIMEWAIT_LEN); Windows 240 s by default (TcpTimedWaitDelay). */
export const TIME_WAIT_SECONDS = { linux: 60, windows: 240 } as const;

/** Who sees every process's sockets, as the advice names it: "run porttop as root (sudo)". */
export function runAs(platform: Platform): string {
  return platform === 'windows' ? 'Administrator' : 'root (sudo)';
}

/**
 * Some processes could not be read, so a socket without a holder may be theirs ("run as root");
 * otherwise such a socket is held from outside what porttop can read (OUTSIDE_HOLDER).
 */
export function ownersHidden(snapshot: Pick<Snapshot, 'hiddenOwners'>): boolean {
  return (snapshot.hiddenOwners ?? 0) > 0;
}

/** Who holds a port when no process porttop read holds it, though it read them all ("held by ..."). */
export const OUTSIDE_HOLDER = {
  linux: 'no process porttop can read (it read them all): its holder runs in another PID namespace (a container), or the kernel keeps it',
  windows: 'no process Windows names',
} as const;

/**
 * `ownersHidden`: some processes' fds could not be read (not root), so the holder may be one of them;
 * when every process was read, "run as root" would send the user in a circle.
 */
export function explainUnowned(endpoint: Endpoint, platform: Platform, ownersHidden: boolean): string {
  switch (endpoint.state) {
    case 'TIME_WAIT':
      return `held by the kernel after the connection closed; frees itself within ${TIME_WAIT_SECONDS[platform]} s; nothing to kill`;
    case 'FIN_WAIT_2':
    case 'LAST_ACK':
    case 'CLOSING':
    case 'FIN_WAIT_1':
      return 'closing; the owning process already let go and the kernel finishes the handshake; nothing to kill';
    case 'SYN_RECEIVED':
      return 'a half-open incoming connection, not yet accepted by any process';
    default:
      if (platform === 'windows') return 'owner not reported by Windows (run porttop as Administrator to see more)';
      return ownersHidden
        ? 'owner hidden: the socket belongs to a process porttop may not inspect (run as root) or to another PID namespace'
        : `held by ${OUTSIDE_HOLDER.linux}`;
  }
}
