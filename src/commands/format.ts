// Plain-text output helpers: aligned columns and an endpoint's two addresses (in labels.ts's spelling). A dozen lines do what a table
// library would, without pulling one into the start-up path of `who` and `list`.
import { formatAddress, protocolLabel } from '../core/labels.js';
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

export function formatLocal(endpoint: Endpoint): string {
  return formatAddress(endpoint.localAddress, endpoint.localPort);
}

export function formatRemote(endpoint: Endpoint): string {
  return formatAddress(endpoint.remoteAddress, endpoint.remotePort);
}

/** TCP, TCP6, UDP, UDP6 (labels.ts's protocolLabel, the one spelling) */
export function formatProtocol(endpoint: Endpoint): string {
  return protocolLabel(endpoint);
}

/** "port 8080" / "ports 8080, 9000-9010": the subject of who's and kill's sentences. */
export function describeSpans(spans: readonly PortSpan[]): string {
  const words = spans.map((span) => (span.from === span.to ? `${span.from}` : `${span.from}-${span.to}`));
  return `${spans.length === 1 && spans[0]!.from === spans[0]!.to ? 'port' : 'ports'} ${words.join(', ')}`;
}
