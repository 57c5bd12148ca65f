// `--listen HOST:PORT` for `porttop serve`: pure parsing, one-line errors naming the bad value.
import { isIPv4, isIPv6 } from 'node:net';
import { UsageError } from '../errors.js';

export const DEFAULT_LISTEN = '127.0.0.1:9465';

export interface ListenAddress {
  /** an IP literal (IPv6 without brackets) or localhost */
  host: string;
  /** 0 asks the OS for a free port (tests use it) */
  port: number;
}

const EXPECTED = 'expected HOST:PORT with an IP address and a port from 0 to 65535, e.g. 127.0.0.1:9465, 0.0.0.0:9465 or [::]:9465';

/**
 * A host is required: binding every interface exposes process names, so it must be written out
 * (0.0.0.0 or [::]), never implied by a bare ":9465".
 */
export function parseListen(value: unknown): ListenAddress {
  const text = String(value ?? '').trim();
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  const bad = () => new UsageError(`invalid --listen '${text}': ${EXPECTED}`);
  if (!match) throw bad();
  const host = match[1] ?? match[2]!;
  const port = Number(match[3]);
  const hostOk = match[1] !== undefined ? isIPv6(host) : isIPv4(host) || host === 'localhost';
  if (!hostOk || port > 65535) throw bad();
  return { host, port };
}
