// Enter on a process: its endpoints (protocol, local, remote, state), listeners first, windowed like
// the table because one process may hold fifteen thousand of them.
import React from 'react';
import { Box, Text } from 'ink';
import type { Endpoint, ProcessInfo } from '../core/model.js';
import { classifyOwner } from '../core/owner.js';
import { fit } from './draw.js';

export interface DetailPaneProps {
  pid: number;
  info: ProcessInfo | undefined;
  /** the snapshot's processes, to name the other holders of a shared socket */
  processes?: ReadonlyMap<number, ProcessInfo>;
  platform?: 'linux' | 'windows';
  endpoints: readonly Endpoint[];
  offset: number;
  /** lines available, title included */
  height: number;
  width: number;
}

/** Lines the pane uses above the endpoint rows: title, command line, parents and owner, column heads. */
export const DETAIL_HEADER_LINES = 4;

export function detailRows(height: number): number {
  return Math.max(1, height - DETAIL_HEADER_LINES);
}

function address(address: string | null, port: number | null): string {
  if (address === null || port === null) return '*:*';
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

export function endpointLine(endpoint: Endpoint, localWidth: number, pid?: number, processes?: ReadonlyMap<number, ProcessInfo>): string {
  const protocol = `${endpoint.protocol.toUpperCase()}${endpoint.family === 'ipv6' ? '6' : ''}`.padEnd(5);
  const local = address(endpoint.localAddress, endpoint.localPort).padEnd(localWidth);
  const remote = address(endpoint.remoteAddress, endpoint.remotePort).padEnd(localWidth);
  const others = pid === undefined ? [] : endpoint.holders.filter((holder) => holder !== pid);
  const shared = others.length === 0 ? '' : `  shared with ${others.map((other) => `${other} ${processes?.get(other)?.name ?? '?'}`).join(', ')}`;
  return `${protocol} ${local} ${remote} ${(endpoint.state ?? '').padEnd(11)}${shared}`.trimEnd();
}

/** "parents: npm (4101) <- bash (3990)  owner: systemd service x (stop: systemctl stop x)" */
export function familyLine(pid: number, info: ProcessInfo | undefined, platform: 'linux' | 'windows', endpoint: Endpoint | null): string {
  const parts: string[] = [];
  const chain = info?.parentChain ?? [];
  if (chain.length > 0) parts.push(`parents: ${chain.map((parent) => `${parent.name} (${parent.pid})`).join(' <- ')}`);
  else if (info?.parentPid) parts.push(`parent: ${info.parentPid}`);
  const owner = classifyOwner(info, endpoint, platform);
  if (owner) parts.push(`owner: ${owner.description}${owner.stop ? ` (stop: ${owner.stop})` : ''}`);
  else if (info?.unit) parts.push(`unit: ${info.unit}`);
  if (info?.container) parts.push(`container: ${info.container.runtime} ${info.container.id.slice(0, 12)}`);
  return parts.join('  ') || (pid === 4 && platform === 'windows' ? 'owner: HTTP.sys' : '');
}

export function DetailPane({ pid, info, processes, platform = 'linux', endpoints, offset, height, width }: DetailPaneProps) {
  const rows = detailRows(height);
  const visible = endpoints.slice(offset, offset + rows);
  const name = info?.name ?? '?';
  const range = endpoints.length === 0 ? '' : ` (${offset + 1}-${offset + visible.length} of ${endpoints.length})`;
  // a shared socket names its other holders at the end of the line: leave them room
  const anyShared = visible.some((endpoint) => endpoint.holders.length > 1);
  const addressWidth = Math.max(21, Math.min(anyShared ? 30 : 47, Math.floor((width - (anyShared ? 45 : 20)) / 2)));
  const gone = info === undefined && endpoints.length === 0;
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate">
        {fit(`PID ${pid} ${name}: ${endpoints.length} endpoint${endpoints.length === 1 ? '' : 's'}${range}  (Esc closes)`, width)}
      </Text>
      <Text dimColor wrap="truncate">{fit(gone ? 'the process has exited' : (info?.commandLine ?? info?.path ?? ''), width)}</Text>
      <Text wrap="truncate">{fit(familyLine(pid, info, platform, endpoints[0] ?? null), width)}</Text>
      <Text bold wrap="truncate">{fit(`${'PROTO'.padEnd(5)} ${'LOCAL'.padEnd(addressWidth)} ${'REMOTE'.padEnd(addressWidth)} STATE`, width)}</Text>
      {visible.map((endpoint, index) => (
        <Text key={offset + index} wrap="truncate">{fit(endpointLine(endpoint, addressWidth, pid, processes), width)}</Text>
      ))}
    </Box>
  );
}
