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
  /** complete rows; the table's header line first unless `header` is false */
  text: string;
  /** false for a piece of a table after its first (see tableReader.ts) */
  header?: boolean;
}

export interface ParseOptions {
  /** the byte order /proc printed addresses in: the host's (true on x86 and most ARM) */
  littleEndian?: boolean;
  /** only rows whose local port is in the set (`porttop who`): the others are skipped before their addresses are decoded */
  localPorts?: ReadonlySet<number>;
  /** append to this array (the rows of several tables or pieces) instead of a new one */
  into?: ProcEndpoint[];
}

/**
 * Parses one /proc/net table. Lines look like
 * `   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000  0 123456 1 ...`.
 *
 * Tens of thousands of lines are read per snapshot, so numbers are read from character codes rather
 * than through slices; whenever a field is not the plain hex or decimal the kernel prints, the field is
 * read the original way (parseInt / Number over a slice), so any text parses exactly as it always did.
 */
export function parseProcNet(source: ProcNetSource, options: ParseOptions = {}): ProcEndpoint[] {
  const { protocol, family, text } = source;
  const { littleEndian = true, localPorts, into = [] } = options;
  const isTcp = protocol === 'tcp';
  const addressLength = family === 'ipv4' ? 8 : 32;
  // a loopback-heavy table repeats a handful of addresses thousands of times
  const addresses = new AddressCache(littleEndian);
  let lineStart = 0;
  if (source.header !== false) {
    lineStart = text.indexOf('\n') + 1; // skip the header line
    if (lineStart === 0) return into;
  }
  while (lineStart < text.length) {
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
    const localPort = hex4At(text, localPortAt);
    if (localPorts !== undefined && !localPorts.has(localPort)) {
      lineStart = lineEnd + 1;
      continue;
    }
    const remotePort = hex4At(text, remotePortAt);
    const localAddress = addresses.decode(text.slice(local, local + addressLength));
    const remoteAddress = addresses.decode(text.slice(remote, remote + addressLength));
    const inode = inodeAt(text, stateAt + 3, lineEnd);

    let state: TcpState | null = null;
    if (isTcp) {
      state = kernelStateAt(text, stateAt) ?? 'CLOSED';
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
      holders: [],
      inode,
    });
    lineStart = lineEnd + 1;
  }
  return into;
}

/**
 * Drops rows listed twice. The kernel hands a large table out in chunks and sockets that come and go
 * between two chunks shift the rest, so one snapshot may list a socket twice (370 duplicates in 15,505
 * rows under churn). A socket is its inode where it has one, else its 4-tuple and state. A TCP
 * connection may also be listed once without an inode (waiting in a listener's accept queue) and once
 * with one (accepted by then): a TCP 4-tuple names one connection per state, so the row with the
 * inode stays. (UDP sockets may share a 4-tuple with SO_REUSEPORT: only their inodes tell them apart.)
 */
export function dedupeEndpoints(endpoints: ProcEndpoint[]): ProcEndpoint[] {
  const seenInodes = new Set<number>();
  /** inode-less rows by 4-tuple and state: the index they were kept at */
  const inodeless = new Map<string, number>();
  /**
   * local and remote ports of the inode-less TCP rows an accepted row may repeat (not TIME_WAIT: a row
   * with an inode is never in TIME_WAIT), so that rows with an inode build a key only when one may match
   */
  const acceptQueuePorts = new Set<number>();
  let kept = 0;
  for (const endpoint of endpoints) {
    if (endpoint.inode !== 0) {
      if (seenInodes.has(endpoint.inode)) continue;
      seenInodes.add(endpoint.inode);
    } else {
      const key = tupleKey(endpoint);
      if (inodeless.has(key)) continue;
      inodeless.set(key, kept);
      if (endpoint.protocol === 'tcp' && endpoint.state !== 'TIME_WAIT') acceptQueuePorts.add(portPair(endpoint));
    }
    endpoints[kept++] = endpoint;
  }
  endpoints.length = kept;
  if (acceptQueuePorts.size === 0) return endpoints;
  // the accept-queue case: drop the inode-less row of a TCP connection also listed with its inode
  const dropped = new Set<number>();
  for (const endpoint of endpoints) {
    if (endpoint.inode === 0 || endpoint.protocol !== 'tcp' || !acceptQueuePorts.has(portPair(endpoint))) continue;
    const index = inodeless.get(tupleKey(endpoint));
    if (index !== undefined) dropped.add(index);
  }
  if (dropped.size === 0) return endpoints;
  let left = 0;
  for (let index = 0; index < endpoints.length; index++) if (!dropped.has(index)) endpoints[left++] = endpoints[index]!;
  endpoints.length = left;
  return endpoints;
}

function tupleKey(endpoint: ProcEndpoint): string {
  return `${endpoint.protocol}${endpoint.family}|${endpoint.localAddress}|${endpoint.localPort}|${endpoint.remoteAddress}|${endpoint.remotePort}|${endpoint.state}`;
}

function portPair(endpoint: ProcEndpoint): number {
  return endpoint.localPort * 65536 + (endpoint.remotePort ?? 0);
}

/** Value of one hex digit's character code, or -1. */
function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48; // 0-9
  if (code >= 65 && code <= 70) return code - 55; // A-F
  if (code >= 97 && code <= 102) return code - 87; // a-f
  return -1;
}

/** The 4-hex-digit port at `at`; anything unusual goes through parseInt as before. */
function hex4At(text: string, at: number): number {
  const a = hexDigit(text.charCodeAt(at));
  const b = hexDigit(text.charCodeAt(at + 1));
  const c = hexDigit(text.charCodeAt(at + 2));
  const d = hexDigit(text.charCodeAt(at + 3));
  if ((a | b | c | d) < 0) return parseInt(text.slice(at, at + 4), 16);
  return (a << 12) | (b << 8) | (c << 4) | d;
}

/** The kernel's two-digit state ("01".."0C") as a name; undefined for anything else. */
function kernelStateAt(text: string, at: number): TcpState | undefined {
  if (text.charCodeAt(at) !== 48) return KERNEL_TCP_STATES[text.slice(at, at + 2)];
  const code = text.charCodeAt(at + 1);
  // "01".."09" and "0A".."0C": the upper-case digits the table holds; a slice for anything else
  if ((code >= 49 && code <= 57) || (code >= 65 && code <= 67)) return KERNEL_TCP_STATES_BY_SECOND_CHAR[code];
  return KERNEL_TCP_STATES[text.slice(at, at + 2)];
}

const KERNEL_TCP_STATES_BY_SECOND_CHAR: (TcpState | undefined)[] = [];
for (const [digits, state] of Object.entries(KERNEL_TCP_STATES)) KERNEL_TCP_STATES_BY_SECOND_CHAR[digits.charCodeAt(1)] = state;

/** Largest inode read from character codes: beyond 2^53 a double would round, so Number() decides. */
const MAX_FAST_INODE_DIGITS = 15;

/** The inode: the 6th space-separated token after the state (tokenAt's rules when not plain digits). */
function inodeAt(text: string, from: number, end: number): number {
  let index = from;
  for (let token = 0; token < 5; token++) {
    while (index < end && text.charCodeAt(index) === 32) index++;
    while (index < end && text.charCodeAt(index) !== 32) index++;
  }
  while (index < end && text.charCodeAt(index) === 32) index++;
  let value = 0;
  let digits = 0;
  for (; index < end; index++, digits++) {
    const code = text.charCodeAt(index);
    if (code === 32) break;
    if (code < 48 || code > 57 || digits === MAX_FAST_INODE_DIGITS) return Number(tokenAt(text, from, end, 5));
    value = value * 10 + (code - 48);
  }
  return digits === 0 ? Number(tokenAt(text, from, end, 5)) : value;
}

/** decodeAddress with memory: each distinct hex text is decoded once per table. */
class AddressCache {
  private static readonly LIMIT = 4096;
  private readonly decoded = new Map<string, string>();
  constructor(private readonly littleEndian: boolean) {}

  decode(hex: string): string {
    let address = this.decoded.get(hex);
    if (address === undefined) {
      if (this.decoded.size >= AddressCache.LIMIT) this.decoded.clear();
      address = decodeAddress(hex, this.littleEndian);
      this.decoded.set(hex, address);
    }
    return address;
  }
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
