// Enter on a process: its endpoints (protocol, local, remote, state), listeners first, windowed like
// the table because one process may hold fifteen thousand of them.
import React from 'react';
import { Box, Text } from 'ink';
import type { Endpoint, ProcessInfo } from '../core/model.js';
import { fit } from './draw.js';

export interface DetailPaneProps {
  pid: number;
  info: ProcessInfo | undefined;
  endpoints: readonly Endpoint[];
  offset: number;
  /** lines available, title included */
  height: number;
  width: number;
}

/** Lines the pane uses above the endpoint rows. */
export const DETAIL_HEADER_LINES = 3;

export function detailRows(height: number): number {
  return Math.max(1, height - DETAIL_HEADER_LINES);
}

function address(address: string | null, port: number | null): string {
  if (address === null || port === null) return '*:*';
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

export function endpointLine(endpoint: Endpoint, localWidth: number): string {
  const protocol = `${endpoint.protocol.toUpperCase()}${endpoint.family === 'ipv6' ? '6' : ''}`.padEnd(5);
  const local = address(endpoint.localAddress, endpoint.localPort).padEnd(localWidth);
  const remote = address(endpoint.remoteAddress, endpoint.remotePort).padEnd(localWidth);
  return `${protocol} ${local} ${remote} ${endpoint.state ?? ''}`;
}

export function DetailPane({ pid, info, endpoints, offset, height, width }: DetailPaneProps) {
  const rows = detailRows(height);
  const visible = endpoints.slice(offset, offset + rows);
  const name = info?.name ?? '?';
  const range = endpoints.length === 0 ? '' : ` (${offset + 1}-${offset + visible.length} of ${endpoints.length})`;
  const addressWidth = Math.max(21, Math.min(47, Math.floor((width - 20) / 2)));
  const gone = info === undefined && endpoints.length === 0;
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate">
        {fit(`PID ${pid} ${name}: ${endpoints.length} endpoint${endpoints.length === 1 ? '' : 's'}${range}  (Esc closes)`, width)}
      </Text>
      <Text dimColor wrap="truncate">{fit(gone ? 'the process has exited' : (info?.commandLine ?? info?.path ?? ''), width)}</Text>
      <Text bold wrap="truncate">{fit(`${'PROTO'.padEnd(5)} ${'LOCAL'.padEnd(addressWidth)} ${'REMOTE'.padEnd(addressWidth)} STATE`, width)}</Text>
      {visible.map((endpoint, index) => (
        <Text key={offset + index} wrap="truncate">{fit(endpointLine(endpoint, addressWidth), width)}</Text>
      ))}
    </Box>
  );
}
