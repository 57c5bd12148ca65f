// Parsers for /proc/net/{tcp,tcp6,udp,udp6}. Pure functions over the file text, tested on captured text.
import type { Endpoint, Family, Protocol, TcpState } from '../core/model.js';

/** Kernel TCP state numbers (include/net/tcp_states.h) to netstat's names; 07 is refined to BOUND below. */
const KERNEL_TCP_STATES: Record<string, TcpState> = {
  '01': 'ESTABLISHED',
  '02': 'SYN_SENT',
  '03': 'SYN_RECEIVED',
  '04': 'FIN_WAIT_1',
  '05': 'FIN_WAIT_2',
  '06': 'TIME_WAIT',
  '07': 'CLOSED',
  '08': 'CLOSE_WAIT',
  '09': 'LAST_ACK',
  '0A': 'LISTEN',
  '0B': 'CLOSING',
  '0C': 'SYN_RECEIVED', // TCP_NEW_SYN_RECV: a request socket not yet accepted
};

/** An endpoint as /proc shows it, with the socket inode that links it to a process's fd. */
export interface ProcEndpoint extends Endpoint {
  /** 0 for sockets no file descriptor refers to (TIME_WAIT, orphaned FIN_WAIT) */
  inode: number;
}

export interface ProcNetSource {
  protocol: Protocol;
  family: Family;
  text: string;
}

/**
 * Parses one /proc/net table. Lines look like
 * `   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000  0 123456 1 ...`.
 */
export function parseProcNet(source: ProcNetSource, littleEndian = true, into: ProcEndpoint[] = []): ProcEndpoint[] {
  const { protocol, family, text } = source;
  const addressLength = family === 'ipv4' ? 8 : 32;
  let lineStart = text.indexOf('\n') + 1; // skip the header line
  while (lineStart > 0 && lineStart < text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd === -1) lineEnd = text.length;
    const colon = text.indexOf(':', lineStart);
    if (colon === -1 || colon > lineEnd) break;
    // after "sl:" comes " LOCAL:PORT REMOTE:PORT ST"
    const local = colon + 2;
    const localPortAt = local + addressLength + 1;
    const remote = localPortAt + 5;
    const remotePortAt = remote + addressLength + 1;
    const stateAt = remotePortAt + 5;
    const localPort = parseInt(text.slice(localPortAt, localPortAt + 4), 16);
    const remotePort = parseInt(text.slice(remotePortAt, remotePortAt + 4), 16);
    const kernelState = text.slice(stateAt, stateAt + 2);
    const localAddress = decodeAddress(text.slice(local, local + addressLength), littleEndian);
    const remoteAddress = decodeAddress(text.slice(remote, remote + addressLength), littleEndian);
    const inode = tokenAt(text, stateAt + 3, lineEnd, 5);

    let state: TcpState | null = null;
    if (protocol === 'tcp') {
      state = KERNEL_TCP_STATES[kernelState] ?? 'CLOSED';
      if (state === 'CLOSED' && localPort !== 0) state = 'BOUND';
    }
    const hasPeer = remotePort !== 0;
    into.push({
      protocol,
      family,
      localAddress,
      localPort,
      remoteAddress: hasPeer ? remoteAddress : null,
      remotePort: hasPeer ? remotePort : null,
      state,
      pid: null,
      inode: Number(inode),
    });
    lineStart = lineEnd + 1;
  }
  return into;
}

/** The n-th (0-based) whitespace-separated token between from and end. */
function tokenAt(text: string, from: number, end: number, n: number): string {
  let index = from;
  for (let token = 0; index < end; token++) {
    while (index < end && text.charCodeAt(index) === 32) index++;
    const start = index;
    while (index < end && text.charCodeAt(index) !== 32) index++;
    if (token === n) return text.slice(start, index);
  }
  return '0';
}

/** /proc prints addresses as 32-bit words in host byte order; IPv4-mapped IPv6 is shown as IPv4. */
export function decodeAddress(hex: string, littleEndian = true): string {
  if (hex.length === 8) return ipv4FromWord(hex, littleEndian);
  const words = [hex.slice(0, 8), hex.slice(8, 16), hex.slice(16, 24), hex.slice(24, 32)];
  const bytes: number[] = [];
  for (const word of words) {
    const wordBytes = [0, 2, 4, 6].map((i) => parseInt(word.slice(i, i + 2), 16));
    if (littleEndian) wordBytes.reverse();
    bytes.push(...wordBytes);
  }
  const isMapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (isMapped) return bytes.slice(12).join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  return formatIpv6(groups);
}

function ipv4FromWord(hex: string, littleEndian: boolean): string {
  const bytes = [0, 2, 4, 6].map((i) => parseInt(hex.slice(i, i + 2), 16));
  if (littleEndian) bytes.reverse();
  return bytes.join('.');
}

/** RFC 5952 text: lower case, leading zeros dropped, the longest run (2+) of zero groups as "::". */
export function formatIpv6(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(':');
  const head = hex.slice(0, bestStart).join(':');
  const tail = hex.slice(bestStart + bestLength).join(':');
  return `${head}::${tail}`;
}
