// Option values shared by the commands and the library, checked the same way for both: each failure is
// a UsageError naming the value and what is allowed.
import { isIP } from 'node:net';
import type { Protocol } from '../core/model.js';
import { parsePortSpan, parsePortSpans, parsePositiveInteger, type PortSpan } from '../core/validate.js';
import { UsageError } from '../errors.js';

/** An IP address literal; names such as localhost are refused so the answer is about one address. */
export function parseHostAddress(value: unknown): string {
  const text = String(value ?? '').trim();
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (isIP(bare) === 0) {
    throw new UsageError(`invalid --host '${text}': expected an IP address such as 127.0.0.1, 0.0.0.0, ::1 or ::`);
  }
  return bare.toLowerCase();
}

export function parseOneProtocol(value: unknown): Protocol {
  const text = String(value ?? 'tcp').trim().toLowerCase();
  if (text === 'tcp' || text === 'udp') return text;
  throw new UsageError(`invalid --proto '${String(value)}': expected tcp or udp`);
}

/** One port, also written :8080. */
export function parseSinglePort(value: unknown): number {
  const span = parsePortSpan(value);
  if (span.from !== span.to) throw new UsageError(`invalid port '${String(value)}': expected one port from 1 to 65535, not a range`);
  return span.from;
}

export function parseCount(value: unknown): number {
  return parsePositiveInteger(value, '--count', 65535);
}

/** A number or text given to a library function: 8080, '8080', ':8080', '8000-8099'. */
export function spansOf(ports: number | string | readonly (number | string)[]): PortSpan[] {
  return parsePortSpans(Array.isArray(ports) ? ports : [ports]);
}
