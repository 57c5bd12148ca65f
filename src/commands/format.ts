// Plain-text output helpers: aligned columns and endpoint addresses. A dozen lines do what a table
// library would, without pulling one into the start-up path of `who` and `list`.
import type { Endpoint } from '../core/model.js';
import type { PortSpan } from '../core/validate.js';

export function formatTable(headers: readonly string[], rows: readonly (readonly (string | number | null)[])[], rightAligned: ReadonlySet<number> = new Set()): string {
  const cells = rows.map((row) => row.map((cell) => (cell === null ? '-' : String(cell))));
  const widths = headers.map((header, column) => Math.max(header.length, ...cells.map((row) => row[column]?.length ?? 0)));
  const line = (row: readonly string[]) =>
    row
      .map((cell, column) => (rightAligned.has(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...cells.map(line)].join('\n') + '\n';
}

/** 127.0.0.1:8080, [::1]:8080 */
export function formatAddress(address: string | null, port: number | null): string {
  if (address === null || port === null) return '*:*';
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

export function formatLocal(endpoint: Endpoint): string {
  return formatAddress(endpoint.localAddress, endpoint.localPort);
}

export function formatRemote(endpoint: Endpoint): string {
  return formatAddress(endpoint.remoteAddress, endpoint.remotePort);
}

export function formatProtocol(endpoint: Endpoint): string {
  return endpoint.family === 'ipv6' ? `${endpoint.protocol.toUpperCase()}6` : endpoint.protocol.toUpperCase();
}

/** "port 8080" / "ports 8080, 9000-9010": the subject of who's and kill's sentences. */
export function describeSpans(spans: readonly PortSpan[]): string {
  const words = spans.map((span) => (span.from === span.to ? `${span.from}` : `${span.from}-${span.to}`));
  return `${spans.length === 1 && spans[0]!.from === spans[0]!.to ? 'port' : 'ports'} ${words.join(', ')}`;
}
