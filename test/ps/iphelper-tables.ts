// IP Helper table buffers built from Microsoft's documented layouts (docs/windows.md, "The IP Helper
// tables"), for feeding PortTopIpHelper.cs on a machine without iphlpapi.dll. Written independently
// of the C# parser: offsets from the MIB_*ROW_OWNER_PID pages, DWORDs little-endian, ports in
// network byte order in the low 16 bits (the upper 16 bits filled with junk, which the docs allow).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Family } from '../../src/core/model.js';

export interface TcpRowSpec {
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  /** MIB_TCP_STATE: 1 CLOSED .. 12 DELETE_TCB */
  state: number;
  pid: number;
  /** IPv6 only */
  localScopeId?: number;
  remoteScopeId?: number;
}

export interface UdpRowSpec {
  localAddress: string;
  localPort: number;
  pid: number;
  localScopeId?: number;
}

export const ROW_SIZES = { tcp4: 24, tcp6: 56, udp4: 12, udp6: 28 } as const;

/** 16 bytes of an IPv6 address in network order ("::", "fe80::1", "::ffff:127.0.0.1"). */
export function ipv6Bytes(address: string): Buffer {
  let text = address;
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    // an embedded IPv4 address is the last two groups
    const o = ipv4Bytes(last);
    text = `${text.slice(0, lastColon + 1)}${((o[0]! << 8) | o[1]!).toString(16)}:${((o[2]! << 8) | o[3]!).toString(16)}`;
  }
  const [left = '', right] = text.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':').map((group) => parseInt(group, 16)));
  const leftGroups = groups(left);
  const rightGroups = right === undefined ? [] : groups(right);
  const zeros = right === undefined ? 0 : 8 - leftGroups.length - rightGroups.length;
  const all = [...leftGroups, ...new Array<number>(Math.max(0, zeros)).fill(0), ...rightGroups];
  if (all.length !== 8 || all.some((group) => !(group >= 0 && group <= 0xffff))) throw new Error(`not an IPv6 address: ${address}`);
  const bytes = Buffer.alloc(16);
  all.forEach((group, index) => bytes.writeUInt16BE(group, index * 2));
  return bytes;
}

function ipv4Bytes(text: string): Buffer {
  const octets = text.split('.').map(Number);
  if (octets.length !== 4 || octets.some((octet) => !(octet >= 0 && octet <= 255))) throw new Error(`not an IPv4 address: ${text}`);
  return Buffer.from(octets); // in_addr: the octets in memory order
}

/** A port DWORD: network order in the low 16 bits (first two bytes in memory), junk above. */
function writePort(buffer: Buffer, offset: number, port: number, junk: number): void {
  buffer.writeUInt16BE(port, offset);
  buffer.writeUInt16LE(junk & 0xffff, offset + 2);
}

function table(rowSize: number, count: number, write: (buffer: Buffer, offset: number, index: number) => void): Buffer {
  const buffer = Buffer.alloc(4 + rowSize * count);
  buffer.writeUInt32LE(count, 0); // dwNumEntries
  for (let index = 0; index < count; index++) write(buffer, 4 + index * rowSize, index);
  return buffer;
}

/** MIB_TCPTABLE_OWNER_PID (IPv4) or MIB_TCP6TABLE_OWNER_PID (IPv6). */
export function tcpTable(family: Family, rows: readonly TcpRowSpec[]): Buffer {
  if (family === 'ipv4') {
    return table(ROW_SIZES.tcp4, rows.length, (b, o, i) => {
      const row = rows[i]!;
      b.writeUInt32LE(row.state, o); // dwState
      ipv4Bytes(row.localAddress).copy(b, o + 4); // dwLocalAddr
      writePort(b, o + 8, row.localPort, 0xbeef + i); // dwLocalPort
      ipv4Bytes(row.remoteAddress).copy(b, o + 12); // dwRemoteAddr
      writePort(b, o + 16, row.remotePort, 0xdead); // dwRemotePort
      b.writeUInt32LE(row.pid, o + 20); // dwOwningPid
    });
  }
  return table(ROW_SIZES.tcp6, rows.length, (b, o, i) => {
    const row = rows[i]!;
    ipv6Bytes(row.localAddress).copy(b, o); // ucLocalAddr[16]
    b.writeUInt32LE(row.localScopeId ?? 0, o + 16); // dwLocalScopeId
    writePort(b, o + 20, row.localPort, 0xbeef); // dwLocalPort
    ipv6Bytes(row.remoteAddress).copy(b, o + 24); // ucRemoteAddr[16]
    b.writeUInt32LE(row.remoteScopeId ?? 0, o + 40); // dwRemoteScopeId
    writePort(b, o + 44, row.remotePort, 0xdead); // dwRemotePort
    b.writeUInt32LE(row.state, o + 48); // dwState
    b.writeUInt32LE(row.pid, o + 52); // dwOwningPid
  });
}

/** MIB_UDPTABLE_OWNER_PID (IPv4) or MIB_UDP6TABLE_OWNER_PID (IPv6). */
export function udpTable(family: Family, rows: readonly UdpRowSpec[]): Buffer {
  if (family === 'ipv4') {
    return table(ROW_SIZES.udp4, rows.length, (b, o, i) => {
      const row = rows[i]!;
      ipv4Bytes(row.localAddress).copy(b, o); // dwLocalAddr
      writePort(b, o + 4, row.localPort, 0x1234); // dwLocalPort
      b.writeUInt32LE(row.pid, o + 8); // dwOwningPid
    });
  }
  return table(ROW_SIZES.udp6, rows.length, (b, o, i) => {
    const row = rows[i]!;
    ipv6Bytes(row.localAddress).copy(b, o); // ucLocalAddr[16]
    b.writeUInt32LE(row.localScopeId ?? 0, o + 16); // dwLocalScopeId
    writePort(b, o + 20, row.localPort, 0x1234); // dwLocalPort
    b.writeUInt32LE(row.pid, o + 24); // dwOwningPid
  });
}

export interface Tables {
  tcp4?: readonly TcpRowSpec[];
  tcp6?: readonly TcpRowSpec[];
  udp4?: readonly UdpRowSpec[];
  udp6?: readonly UdpRowSpec[];
}

/** The four tables written to files tcp-2.bin, tcp-23.bin, udp-2.bin, udp-23.bin (AF_INET 2, AF_INET6 23). */
export function writeTables(tables: Tables, dir = mkdtempSync(join(tmpdir(), 'porttop-iphelper-'))): string {
  writeFileSync(join(dir, 'tcp-2.bin'), tcpTable('ipv4', tables.tcp4 ?? []));
  writeFileSync(join(dir, 'tcp-23.bin'), tcpTable('ipv6', tables.tcp6 ?? []));
  writeFileSync(join(dir, 'udp-2.bin'), udpTable('ipv4', tables.udp4 ?? []));
  writeFileSync(join(dir, 'udp-23.bin'), udpTable('ipv6', tables.udp6 ?? []));
  return dir;
}

/**
 * PowerShell for a session prelude: loads the IP Helper type (as the snapshot script would) and points
 * its TableSource at the files in `dir`, so the snapshot's IP Helper path reads them instead of Windows.
 */
export function tableSourcePrelude(dir: string): string {
  return [
    `$global:PortTopFakeTableDir = '${dir.replace(/'/g, "''")}'`,
    '$reason = Import-PortTopIpHelper',
    'if ($reason) { throw "IP Helper type not loaded: $reason" }',
    "[PortTop.IpHelperNative]::TableSource = [Func[bool,int,byte[]]]{ param($tcp, $af) $kind = if ($tcp) { 'tcp' } else { 'udp' }; , [IO.File]::ReadAllBytes((Join-Path $global:PortTopFakeTableDir \"$kind-$af.bin\")) }",
  ].join('\n');
}
