// The JSON the scripts print, turned into the core model. Pure: no I/O, tested on captured text.
// Windows PowerShell 5.1 and PowerShell 7 serialize arrays differently (a one-element array can come
// back as a bare object, or wrapped as {"value":[...],"Count":n}); asArray() accepts all three.
import { isTcpState, type Endpoint, type ExcludedRange, type ExhaustionEvents, type Family, type KillOutcome, type PortRange, type ProcessInfo, type Protocol, type Snapshot } from '../core/model.js';
import { makeRange } from '../core/ranges.js';
import { BackendError, NotPermittedError, UsageError } from '../errors.js';

/** An error a script reported in its envelope, with PowerShell's own message. */
export class PowerShellScriptError extends BackendError {
  constructor(
    readonly script: string,
    readonly kind: string,
    message: string,
  ) {
    super(message);
  }
}

export interface Envelope {
  ok: boolean;
  data: unknown;
  error: { kind: string; message: string } | null;
}

type Json = Record<string, unknown>;

/**
 * The envelope in a script's output (the last line that is a JSON object: anything a script or
 * module printed before it is ignored). Throws a typed error for ok:false: not-permitted -> exit 3,
 * bad-input -> exit 2, anything else -> exit 4.
 */
export function parseEnvelope(output: string, script: string): unknown {
  const lines = output.split(/\r?\n/).map((line) => line.trim());
  const last = [...lines].reverse().find((line) => line.startsWith('{'));
  if (last === undefined) throw new BackendError(`${script} printed no JSON envelope${output.trim() ? `: ${firstLine(output)}` : ''}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(last);
  } catch {
    throw new BackendError(`${script} printed broken JSON: ${last.slice(0, 200)}`);
  }
  if (!isObject(parsed) || typeof parsed.ok !== 'boolean') throw new BackendError(`${script} printed JSON without an ok field: ${last.slice(0, 200)}`);
  if (parsed.ok) return parsed.data ?? null;
  const error = isObject(parsed.error) ? parsed.error : {};
  const kind = typeof error.kind === 'string' ? error.kind : 'failed';
  const message = typeof error.message === 'string' && error.message ? error.message : `${script} failed without a message`;
  if (kind === 'not-permitted') throw new NotPermittedError(message);
  if (kind === 'bad-input') throw new UsageError(message);
  throw new PowerShellScriptError(script, kind, message);
}

export function firstLine(text: string): string {
  return (text.trim().split(/\r?\n/)[0] ?? '').slice(0, 300);
}

/** An array from JSON that may be an array, one bare object, null, or 5.1's {"value":[...],"Count":n}. */
export function asArray(value: unknown): unknown[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value;
  if (isObject(value) && Array.isArray(value.value) && 'Count' in value) return value.value;
  return [value];
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function integer(value: unknown, min: number, max: number): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max ? value : null;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function familyOf(row: Json, address: string): Family {
  if (row.family === 'ipv4' || row.family === 'ipv6') return row.family;
  return address.includes(':') ? 'ipv6' : 'ipv4';
}

/** Windows reports no owner as PID 0 (TIME_WAIT, some closing states): the model says null. */
function ownerPid(value: unknown): number | null {
  const pid = integer(value, 0, 0xffffffff);
  return pid === null || pid === 0 ? null : pid;
}

function toEndpoint(protocol: Protocol, value: unknown, warnings: string[]): Endpoint | null {
  if (!isObject(value)) return null;
  const localAddress = text(value.localAddress);
  const localPort = integer(value.localPort, 0, 65535);
  if (localAddress === null || localPort === null) {
    warnings.push(`a ${protocol} row without a local address or port was left out`);
    return null;
  }
  const family = familyOf(value, localAddress);
  const pid = ownerPid(value.pid);
  if (protocol === 'udp') {
    return { protocol, family, localAddress, localPort, remoteAddress: null, remotePort: null, state: null, pid, holders: pid === null ? [] : [pid] };
  }
  const state = typeof value.state === 'string' ? value.state : '';
  if (!isTcpState(state)) {
    warnings.push(`a tcp row on local port ${localPort} with unknown state '${state}' was left out`);
    return null;
  }
  const remotePort = integer(value.remotePort, 0, 65535) ?? 0;
  const hasPeer = remotePort !== 0;
  return {
    protocol,
    family,
    localAddress,
    localPort,
    remoteAddress: hasPeer ? text(value.remoteAddress) : null,
    remotePort: hasPeer ? remotePort : null,
    state,
    pid,
    holders: pid === null ? [] : [pid],
  };
}

function toProcess(value: unknown): ProcessInfo | null {
  if (!isObject(value)) return null;
  const pid = integer(value.pid, 0, 0xffffffff);
  if (pid === null) return null;
  return {
    pid,
    name: text(value.name) ?? '?',
    commandLine: text(value.commandLine),
    startTime: text(value.startTime),
    handles: integer(value.handles, 0, Number.MAX_SAFE_INTEGER),
    parentPid: integer(value.parentPid, 0, 0xffffffff),
    path: text(value.path),
  };
}

/** Get-PortTopSnapshot.ps1's data -> Snapshot. */
export function toSnapshot(data: unknown, takenAt: string): Snapshot {
  if (!isObject(data)) throw new BackendError('Get-PortTopSnapshot returned no snapshot object');
  const warnings = asArray(data.warnings).filter((warning): warning is string => typeof warning === 'string');
  const endpoints: Endpoint[] = [];
  for (const row of asArray(data.tcp)) {
    const endpoint = toEndpoint('tcp', row, warnings);
    if (endpoint) endpoints.push(endpoint);
  }
  for (const row of asArray(data.udp)) {
    const endpoint = toEndpoint('udp', row, warnings);
    if (endpoint) endpoints.push(endpoint);
  }
  const processes = new Map<number, ProcessInfo>();
  for (const row of asArray(data.processes)) {
    const info = toProcess(row);
    if (info) processes.set(info.pid, info);
  }
  if (data.source === 'netstat') warnings.push('read from netstat (the NetTCPIP cmdlets are missing on this Windows)');
  return { takenAt, endpoints, processes, warnings: [...new Set(warnings)] };
}

function protocolOf(value: unknown): Protocol {
  if (value === 'tcp' || value === 'udp') return value;
  throw new BackendError(`unexpected protocol in a range: ${JSON.stringify(value)}`);
}

function familyName(value: unknown): Family {
  if (value === 'ipv4' || value === 'ipv6') return value;
  throw new BackendError(`unexpected family in a range: ${JSON.stringify(value)}`);
}

/** Get-DynamicPortRange.ps1's data -> PortRange[]. netsh may show start 1024 on some machines: accepted. */
export function toRanges(data: unknown): PortRange[] {
  return asArray(data).map((row) => {
    if (!isObject(row)) throw new BackendError('Get-DynamicPortRange returned a range that is not an object');
    const start = integer(row.start, 1, 65535);
    const count = integer(row.count, 1, 65535);
    if (start === null || count === null || start + count - 1 > 65535) {
      throw new BackendError(`Get-DynamicPortRange returned an impossible range: start ${String(row.start)}, count ${String(row.count)}`);
    }
    return makeRange(protocolOf(row.protocol), familyName(row.family), start, count);
  });
}

/** Get-ExcludedPortRanges.ps1's data -> ExcludedRange[]. */
export function toExcludedRanges(data: unknown): ExcludedRange[] {
  const ranges: ExcludedRange[] = [];
  for (const row of asArray(data)) {
    if (!isObject(row)) continue;
    const start = integer(row.start, 0, 65535);
    const end = integer(row.end, 0, 65535);
    if (start === null || end === null || end < start) continue;
    ranges.push({ protocol: protocolOf(row.protocol), family: familyName(row.family), start, end });
  }
  return ranges;
}

/** Get-PortExhaustionEvents.ps1's data -> ExhaustionEvents. */
export function toEvents(data: unknown): ExhaustionEvents {
  if (!isObject(data)) throw new BackendError('Get-PortExhaustionEvents returned no object');
  const counts: Record<string, number> = {};
  const latest: Record<string, string | null> = {};
  const countData = isObject(data.counts) ? data.counts : {};
  const latestData = isObject(data.latest) ? data.latest : {};
  for (const [id, count] of Object.entries(countData)) counts[id] = integer(count, 0, Number.MAX_SAFE_INTEGER) ?? 0;
  for (const id of Object.keys(counts)) latest[id] = text(latestData[id]);
  return { since: text(data.since) ?? '', counts, latest };
}

const KILL_OUTCOMES: readonly KillOutcome[] = ['stopped', 'gone', 'refused', 'not-permitted', 'survived', 'signalled'];

export interface ScriptKillResult {
  outcome: KillOutcome;
  name: string | null;
  message: string;
}

/** Stop-PortTopProcess.ps1's data -> outcome and message. */
export function toKillOutcome(data: unknown): ScriptKillResult {
  if (!isObject(data) || !(KILL_OUTCOMES as readonly unknown[]).includes(data.outcome)) {
    throw new BackendError(`Stop-PortTopProcess returned no known outcome: ${JSON.stringify(data)?.slice(0, 200)}`);
  }
  return { outcome: data.outcome as KillOutcome, name: text(data.name), message: text(data.message) ?? String(data.outcome) };
}
