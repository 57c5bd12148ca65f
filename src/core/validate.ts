// Input validation, pure: each failure is a UsageError whose one line names the value and what is allowed.
import { UsageError } from '../errors.js';
import { SORT_KEYS, type SortKey } from './aggregate.js';
import { VERDICTS, type Verdict } from './labels.js';
import { FAMILIES, isTcpState, PROTOCOLS, TCP_STATES, type Family, type Protocol, type TcpState } from './model.js';

export const MIN_PORT = 1;
export const MAX_PORT = 65535;

/** An inclusive span of local ports, from a `porttop who 8080` or `who 8000-8099` argument. */
export interface PortSpan {
  from: number;
  to: number;
}

const DECIMAL = /^\d+$/;

/** A whole number written in decimal digits only: "08" is 8, "1e3", "0x50", "-1" and "" are not numbers here. */
export function parseWholeNumber(text: string): number | null {
  const trimmed = text.trim();
  if (!DECIMAL.test(trimmed) || trimmed.length > 15) return null;
  return Number(trimmed);
}

export function parsePort(value: unknown, what = 'port'): number {
  const text = String(value ?? '');
  const port = parseWholeNumber(text);
  if (port === null || port < MIN_PORT || port > MAX_PORT) {
    throw new UsageError(`invalid ${what} '${text}': expected a whole number from ${MIN_PORT} to ${MAX_PORT}`);
  }
  return port;
}

/** "8080" -> 8080..8080; "8000-8099" -> 8000..8099. */
export function parsePortSpan(value: unknown): PortSpan {
  const text = String(value ?? '').trim();
  const dash = text.indexOf('-', 1);
  if (dash === -1) {
    const port = parsePortOrExplain(text, text);
    return { from: port, to: port };
  }
  const from = parsePortOrExplain(text.slice(0, dash), text);
  const to = parsePortOrExplain(text.slice(dash + 1), text);
  if (from > to) {
    throw new UsageError(`invalid port range '${text}': the first port must not be greater than the second (e.g. 8000-8099)`);
  }
  return { from, to };
}

function parsePortOrExplain(part: string, whole: string): number {
  const port = parseWholeNumber(part);
  if (port === null || port < MIN_PORT || port > MAX_PORT) {
    throw new UsageError(
      `invalid port '${whole}': expected a port from ${MIN_PORT} to ${MAX_PORT} or a range like 8000-8099`,
    );
  }
  return port;
}

export function parsePortSpans(values: readonly unknown[]): PortSpan[] {
  if (values.length === 0) throw new UsageError('no port given: expected one or more ports (1-65535) or ranges like 8000-8099');
  return values.map(parsePortSpan);
}

export function portInSpans(port: number, spans: readonly PortSpan[]): boolean {
  for (const span of spans) if (port >= span.from && port <= span.to) return true;
  return false;
}

/** Every port the spans cover, for a quick Set lookup (bounded by 65535). */
export function portsOfSpans(spans: readonly PortSpan[]): Set<number> {
  const ports = new Set<number>();
  for (const { from, to } of spans) for (let port = from; port <= to; port++) ports.add(port);
  return ports;
}

export function parsePositiveInteger(value: unknown, what: string, max = Number.MAX_SAFE_INTEGER): number {
  const text = String(value ?? '');
  const n = parseWholeNumber(text);
  if (n === null || n < 1 || n > max) {
    const allowed = max === Number.MAX_SAFE_INTEGER ? 'a whole number, 1 or more' : `a whole number from 1 to ${max}`;
    throw new UsageError(`invalid ${what} '${text}': expected ${allowed}`);
  }
  return n;
}

export function parsePid(value: unknown): number {
  return parsePositiveInteger(value, '--pid', 4_294_967_295);
}

/** Seconds as a positive decimal (e.g. 0.5, 2, 10), bounded. */
export function parseSeconds(value: unknown, what: string, min: number, max: number): number {
  const text = String(value ?? '').trim();
  const seconds = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  if (!(seconds >= min && seconds <= max)) {
    throw new UsageError(`invalid ${what} '${text}': expected a number of seconds from ${min} to ${max}`);
  }
  return seconds;
}

/** How often `watch` samples and the live view refreshes: one pair of limits for both. */
export const INTERVAL_LIMITS = { minSeconds: 0.1, maxSeconds: 86_400 } as const;

export function parseInterval(value: unknown): number {
  return parseSeconds(value, '--interval', INTERVAL_LIMITS.minSeconds, INTERVAL_LIMITS.maxSeconds);
}

/** The rules of `netsh int ipv4 set dynamicport`, which porttop applies on every OS. */
export const RANGE_RULES = {
  minStart: 1025,
  minCount: 255,
  maxEnd: MAX_PORT,
} as const;

export interface RangeValues {
  start: number;
  count: number;
}

/**
 * What is wrong with a range by those rules, in words naming the flag, or null when it is valid.
 * Pure and non-throwing, so core can ask it of a range it computed (the stop-gap suggestion).
 */
export function rangeValuesProblem(start: number | null, count: number | null, given: { start: string; count: string }): string | null {
  if (start === null || start < RANGE_RULES.minStart || start > RANGE_RULES.maxEnd) {
    return `invalid --start '${given.start}': expected a whole number from ${RANGE_RULES.minStart} to ${RANGE_RULES.maxEnd - RANGE_RULES.minCount + 1}`;
  }
  if (count === null || count < RANGE_RULES.minCount) {
    return `invalid --num '${given.count}': expected a whole number of ports, at least ${RANGE_RULES.minCount}`;
  }
  const end = start + count - 1;
  if (end > RANGE_RULES.maxEnd) {
    return `invalid range --start ${start} --num ${count}: it would end at ${end}, past ${RANGE_RULES.maxEnd} (start + num - 1 must be at most ${RANGE_RULES.maxEnd})`;
  }
  return null;
}

export function parseRangeValues(startValue: unknown, countValue: unknown): RangeValues {
  const given = { start: String(startValue ?? ''), count: String(countValue ?? '') };
  const start = parseWholeNumber(given.start);
  const count = parseWholeNumber(given.count);
  const problem = rangeValuesProblem(start, count, given);
  if (problem) throw new UsageError(problem);
  return { start: start!, count: count! };
}

/** What --proto accepts, in the words its help and its error both use. */
export const PROTO_CHOICES = 'tcp, udp or all';
export const FAMILY_CHOICES = 'ipv4, ipv6 or all';

export function parseProtocols(value: unknown): Protocol[] {
  const text = String(value ?? 'all').trim().toLowerCase();
  if (text === 'all') return [...PROTOCOLS];
  if ((PROTOCOLS as readonly string[]).includes(text)) return [text as Protocol];
  throw new UsageError(`invalid --proto '${String(value)}': expected ${PROTO_CHOICES}`);
}

export function parseFamilies(value: unknown): Family[] {
  const text = String(value ?? 'all').trim().toLowerCase();
  if (text === 'all') return [...FAMILIES];
  if ((FAMILIES as readonly string[]).includes(text)) return [text as Family];
  throw new UsageError(`invalid --family '${String(value)}': expected ${FAMILY_CHOICES}`);
}

/** A TCP state as netstat, ss or PowerShell write it: TIME_WAIT, time-wait, Listening. */
export function parseState(value: unknown): TcpState {
  const state = String(value ?? '').trim().toUpperCase().replace(/-/g, '_');
  const canonical = state === 'LISTENING' ? 'LISTEN' : state;
  if (!isTcpState(canonical)) throw new UsageError(`invalid --state '${String(value)}': expected one of ${TCP_STATES.join(', ')}`);
  return canonical;
}

/** `list`'s filters (select.ts's EndpointFilter); "all" (both protocols or families) is the same as leaving the flag out. */
export interface ParsedEndpointFilter {
  protocol?: Protocol;
  family?: Family;
  state?: TcpState;
  pid?: number;
  port?: number;
}

export function parseEndpointFilter(args: { proto?: unknown; family?: unknown; state?: unknown; pid?: unknown; port?: unknown }): ParsedEndpointFilter {
  const filter: ParsedEndpointFilter = {};
  if (args.proto !== undefined) {
    const protocols = parseProtocols(args.proto);
    if (protocols.length === 1) filter.protocol = protocols[0]!;
  }
  if (args.family !== undefined) {
    const families = parseFamilies(args.family);
    if (families.length === 1) filter.family = families[0]!;
  }
  if (args.state !== undefined) filter.state = parseState(args.state);
  if (args.pid !== undefined) filter.pid = parsePid(args.pid);
  if (args.port !== undefined) filter.port = parsePort(args.port, '--port');
  return filter;
}

export function parseSortKey(value: unknown): SortKey {
  const text = String(value ?? '').trim().toLowerCase();
  if ((SORT_KEYS as readonly string[]).includes(text)) return text as SortKey;
  throw new UsageError(`invalid --sort '${String(value)}': expected one of ${SORT_KEYS.join(', ')}`);
}

/** --fail-on: the verdict at which `diagnose` exits 1; null when not given. */
export function parseFailOn(value: unknown): Verdict | null {
  if (value === undefined) return null;
  const text = String(value).trim().toLowerCase();
  const levels = VERDICTS.filter((verdict) => verdict !== 'ok');
  if ((levels as readonly string[]).includes(text)) return text as Verdict;
  throw new UsageError(`invalid --fail-on '${String(value)}': expected ${levels.join(' or ')}`);
}

export type OutFormat = 'csv' | 'ndjson';

/** --out of `watch`: the file's name says its format. */
export function parseOutFile(value: unknown): { path: string; format: OutFormat } | null {
  if (value === undefined) return null;
  const path = String(value);
  const match = /\.(csv|ndjson)$/i.exec(path);
  const base = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  if (!match || base.length === match[0].length) {
    throw new UsageError(`invalid --out '${path}': expected a file name ending in .csv or .ndjson`);
  }
  return { path, format: match[1]!.toLowerCase() as OutFormat };
}

/** Linux signal numbers (as kill(1) takes them) to names; the names porttop accepts for `kill --signal`. */
export const SIGNAL_NUMBERS: Readonly<Record<number, string>> = {
  1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 6: 'SIGABRT', 9: 'SIGKILL', 10: 'SIGUSR1', 12: 'SIGUSR2', 13: 'SIGPIPE',
  14: 'SIGALRM', 15: 'SIGTERM', 18: 'SIGCONT', 19: 'SIGSTOP', 20: 'SIGTSTP', 21: 'SIGTTIN', 22: 'SIGTTOU', 28: 'SIGWINCH',
};

export const SIGNAL_NAMES = [
  'SIGTERM', 'SIGKILL', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGSTOP', 'SIGCONT', 'SIGABRT',
  'SIGPIPE', 'SIGALRM', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU', 'SIGWINCH',
] as const;
export type SignalName = (typeof SIGNAL_NAMES)[number];

/** `TERM`, `SIGTERM`, `sigterm` or `15` -> SIGTERM. */
export function parseSignal(value: unknown): SignalName {
  const text = String(value ?? '').trim().toUpperCase();
  const number = parseWholeNumber(text);
  const name = number !== null ? SIGNAL_NUMBERS[number] : text.startsWith('SIG') ? text : `SIG${text}`;
  if (name !== undefined && (SIGNAL_NAMES as readonly string[]).includes(name)) return name as SignalName;
  throw new UsageError(
    `invalid --signal '${String(value)}': expected a name (${SIGNAL_NAMES.map((signal) => signal.slice(3)).join(', ')}) or its number (${Object.keys(SIGNAL_NUMBERS).join(', ')})`,
  );
}

/**
 * yargs reads `--force=maybe` as false and runs on: a flag that takes no value must refuse one.
 * `raw` is the command line as given; only `--name=value` spellings can carry a value for a boolean.
 */
export function rejectFlagValues(raw: readonly string[], flags: readonly string[]): void {
  for (const argument of raw) {
    if (argument === '--') return;
    const match = /^--([^=]+)=(.*)$/s.exec(argument);
    if (!match || !flags.includes(match[1]!)) continue;
    if (match[2] === 'true' || match[2] === 'false') continue;
    throw new UsageError(`invalid --${match[1]} '${match[2]}': --${match[1]} is a flag and takes no value`);
  }
}
