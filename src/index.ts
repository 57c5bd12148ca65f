// The porttop library: the questions of the command line as functions over plain data.
//
//   import { who, kill, whyBind, freePorts, waitFor } from 'porttop';
//   const [port] = (await freePorts({ range: '3000-3999' })).ports;
//
// Each function opens the backend it needs (on Windows one PowerShell session) and closes it before it
// returns; openPorttop() keeps one open for many calls. Bad input throws UsageError, a missing right
// NotPermittedError, a broken backend BackendError. Nothing here prints, exits or sets process.exitCode,
// and importing it loads neither Ink, React nor yargs.
import { freePortsWith, type FreeResult } from './api/free.js';
import { killWith, type KillJson } from './api/kill.js';
import { parseCount, parseHostAddress, parseOneProtocol, parseSinglePort, spansOf } from './api/options.js';
import { diagnoseWith, listWith, procsWith, whoWith, type DiagnosisReport, type ProcsRow } from './api/query.js';
import { waitForWith, type WaitResult } from './api/wait.js';
import { whyBindWith } from './api/why.js';
import { parseBackendChoice, type Backend, type BackendChoice } from './backend.js';
import { openBackend } from './openBackend.js';
import type { Protocol } from './core/model.js';
import type { OwnedEndpoint } from './core/select.js';
import { parseEndpointFilter, parsePortSpan, parsePositiveInteger, parseProtocols, parseSignal, parseSortKey } from './core/validate.js';
import type { WaitUntil } from './core/waitfor.js';
import type { WhyReport } from './core/why.js';
import { UsageError } from './errors.js';

export { BackendError, EXIT, NotPermittedError, PorttopError, UsageError } from './errors.js';
export type { Endpoint, ExcludedRange, Family, PortRange, ProcessInfo, Protocol, TcpState } from './core/model.js';
export type { OwnedEndpoint } from './core/select.js';
export type { WhyKind, WhyReason, WhyReport } from './core/why.js';
export type { WaitUntil } from './core/waitfor.js';
export type { WaitResult } from './api/wait.js';
export type { FreeResult } from './api/free.js';
export type { KillJson, KillReport, PortReport } from './api/kill.js';
export type { DiagnosisReport, ProcsRow } from './api/query.js';
export type { BackendChoice } from './backend.js';

/** Ports as numbers or text: 8080, '8080', ':8080', '8000-8099', or a list of them. */
export type PortsInput = number | string | readonly (number | string)[];

export interface BackendOptions {
  /** 'auto' (default: Windows -> ps, Linux -> linux), 'linux' or 'ps' */
  backend?: BackendChoice;
}

export interface ListOptions {
  proto?: Protocol;
  family?: 'ipv4' | 'ipv6';
  /** TCP state, e.g. 'LISTEN' or 'TIME_WAIT' */
  state?: string;
  pid?: number;
  /** a local or remote port, or a range '8000-8099' */
  port?: number | string;
}

export interface ProcsOptions {
  /** 'sockets' (default), 'handles', 'ephemeral', 'closewait' or 'bound'; largest first */
  sort?: string;
  /** only the first N rows */
  top?: number;
}

export interface WaitOptions {
  /** 'free' (default): nothing holds the ports (TIME_WAIT alone does not count); 'listening': something listens on every one */
  until?: WaitUntil;
  /** default 30000 */
  timeoutMs?: number;
  /** time between looks, default 250 */
  intervalMs?: number;
  /** 'tcp', 'udp' or 'all' (default) */
  proto?: Protocol | 'all';
  /** ends the wait early; the result then says met: false */
  signal?: AbortSignal;
}

export interface FreePortsOptions {
  /** where to look, e.g. '3000-3999'; default 1024-65535 minus the dynamic range (a given range may reach into it) */
  range?: string | { from: number; to: number };
  /** default 1 */
  count?: number;
  /** the address to bind, default '127.0.0.1' */
  host?: string;
  /** default 'tcp' */
  proto?: Protocol;
}

export interface KillOptions {
  /** first signal, by name ('SIGTERM', 'HUP') or number; default SIGTERM (Windows: always Stop-Process -Force) */
  signal?: string | number;
  /** SIGKILL at once */
  force?: boolean;
  /** how long to wait before SIGKILL, and for the ports to come free; default 3000 */
  timeoutMs?: number;
  /** also stop the owners of mere connections, not only listeners, bound sockets and UDP */
  allStates?: boolean;
  /** stop each holder's whole family, topmost first, so a supervisor cannot restart it */
  tree?: boolean;
  /** only say what would be stopped */
  dryRun?: boolean;
  /** Windows: allow csrss, lsass, services, service hosts and other critical processes */
  allowCritical?: boolean;
}

export interface WhyBindOptions {
  /** the address the server would bind, default '0.0.0.0' */
  host?: string;
  /** default 'tcp' */
  proto?: Protocol;
}

/** The library's methods over one open backend: for many calls in a row (one PowerShell session on Windows). */
export interface Porttop extends AsyncDisposable {
  who(ports: PortsInput): Promise<OwnedEndpoint[]>;
  kill(ports: PortsInput, options?: KillOptions): Promise<KillJson>;
  list(options?: ListOptions): Promise<OwnedEndpoint[]>;
  procs(options?: ProcsOptions): Promise<ProcsRow[]>;
  diagnose(): Promise<DiagnosisReport>;
  waitFor(ports: PortsInput, options?: WaitOptions): Promise<WaitResult>;
  freePorts(options?: FreePortsOptions): Promise<FreeResult>;
  whyBind(port: number | string, options?: WhyBindOptions): Promise<WhyReport>;
  /** ends the backend (the PowerShell session); safe to call twice */
  close(): Promise<void>;
}

export const WAIT_DEFAULTS = { timeoutMs: 30_000, intervalMs: 250 } as const;
export const KILL_DEFAULTS = { timeoutMs: 3_000 } as const;

class OpenPorttop implements Porttop {
  constructor(private readonly backend: Backend) {}

  who(ports: PortsInput): Promise<OwnedEndpoint[]> {
    return whoWith(this.backend, spansOf(ports));
  }

  kill(ports: PortsInput, options: KillOptions = {}): Promise<KillJson> {
    return killWith(this.backend, {
      spans: spansOf(ports),
      options: {
        signal: parseSignal(options.signal ?? 'SIGTERM'),
        force: options.force === true,
        timeoutMs: milliseconds(options.timeoutMs ?? KILL_DEFAULTS.timeoutMs, 'timeoutMs', 0),
        allowCritical: options.allowCritical === true,
      },
      allStates: options.allStates === true,
      tree: options.tree === true,
      dryRun: options.dryRun === true,
    }).then((run) => run.json);
  }

  list(options: ListOptions = {}): Promise<OwnedEndpoint[]> {
    const filter = parseEndpointFilter({
      proto: options.proto,
      family: options.family,
      state: options.state,
      pid: options.pid === undefined ? undefined : String(options.pid),
      port: options.port === undefined ? undefined : String(options.port),
    });
    return listWith(this.backend, filter);
  }

  procs(options: ProcsOptions = {}): Promise<ProcsRow[]> {
    const top = options.top === undefined ? undefined : parsePositiveInteger(options.top, 'top');
    return procsWith(this.backend, parseSortKey(options.sort ?? 'sockets'), top);
  }

  diagnose(): Promise<DiagnosisReport> {
    return diagnoseWith(this.backend);
  }

  waitFor(ports: PortsInput, options: WaitOptions = {}): Promise<WaitResult> {
    const until = options.until ?? 'free';
    if (until !== 'free' && until !== 'listening') throw new UsageError(`invalid until '${String(until)}': expected free or listening`);
    return waitForWith(this.backend, {
      spans: spansOf(ports),
      until,
      protocols: parseProtocols(options.proto ?? 'all'),
      timeoutMs: milliseconds(options.timeoutMs ?? WAIT_DEFAULTS.timeoutMs, 'timeoutMs', 0),
      intervalMs: milliseconds(options.intervalMs ?? WAIT_DEFAULTS.intervalMs, 'intervalMs', 10),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  freePorts(options: FreePortsOptions = {}): Promise<FreeResult> {
    const range = options.range;
    const span = range === undefined ? undefined : parsePortSpan(typeof range === 'string' ? range : `${range.from}-${range.to}`);
    return freePortsWith(this.backend, {
      span,
      count: parseCount(options.count ?? 1),
      host: parseHostAddress(options.host ?? '127.0.0.1'),
      protocol: parseOneProtocol(options.proto ?? 'tcp'),
    });
  }

  whyBind(port: number | string, options: WhyBindOptions = {}): Promise<WhyReport> {
    return whyBindWith(this.backend, {
      port: parseSinglePort(port),
      host: parseHostAddress(options.host ?? '0.0.0.0'),
      protocol: parseOneProtocol(options.proto ?? 'tcp'),
    });
  }

  close(): Promise<void> {
    return this.backend.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

function milliseconds(value: number, what: string, min: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > 86_400_000) {
    throw new UsageError(`invalid ${what} '${String(value)}': expected milliseconds from ${min} to 86400000`);
  }
  return value;
}

/** Opens the backend once for many calls; close() it (or `await using porttop = await openPorttop()`). */
export async function openPorttop(options: BackendOptions = {}): Promise<Porttop> {
  return new OpenPorttop(await openBackend(parseBackendChoice(options.backend ?? 'auto')));
}

/** One call on a backend opened for it and closed after it, whatever happens. */
async function once<T>(options: BackendOptions, work: (porttop: Porttop) => Promise<T>): Promise<T> {
  const porttop = await openPorttop(options);
  try {
    return await work(porttop);
  } finally {
    await porttop.close();
  }
}

/** Every endpoint on these local ports with its owner: `porttop who --json`. */
export async function who(ports: PortsInput, options: BackendOptions = {}): Promise<OwnedEndpoint[]> {
  spansOf(ports); // bad input fails before a backend starts
  return once(options, (porttop) => porttop.who(ports));
}

/**
 * Stops every process holding these ports (SIGTERM, then SIGKILL after timeoutMs), by porttop's kill plan:
 * protected processes are refused, a reused PID is never signalled, and the ports are looked at again.
 * Returns `porttop kill --json`: per process the outcome, per port what held it and whether it is free now.
 */
export async function kill(ports: PortsInput, options: KillOptions & BackendOptions = {}): Promise<KillJson> {
  spansOf(ports);
  return once(options, (porttop) => porttop.kill(ports, options));
}

/** Every endpoint, filtered: `porttop list --json`. */
export async function list(options: ListOptions & BackendOptions = {}): Promise<OwnedEndpoint[]> {
  return once(options, (porttop) => porttop.list(options));
}

/** Per-process socket counts: `porttop procs --json`. */
export async function procs(options: ProcsOptions & BackendOptions = {}): Promise<ProcsRow[]> {
  return once(options, (porttop) => porttop.procs(options));
}

/** The port-exhaustion verdict with evidence, culprits and advice: `porttop diagnose --json`. */
export async function diagnose(options: BackendOptions = {}): Promise<DiagnosisReport> {
  return once(options, (porttop) => porttop.diagnose());
}

/** Until the ports are free or listened on, or the timeout: `porttop wait --json` (met: false at the timeout; never throws for it). */
export async function waitFor(ports: PortsInput, options: WaitOptions & BackendOptions = {}): Promise<WaitResult> {
  spansOf(ports);
  return once(options, (porttop) => porttop.waitFor(ports, options));
}

/** Ports that can be bound now, each tried: `porttop free --json`. Fewer than asked when the range runs out. */
export async function freePorts(options: FreePortsOptions & BackendOptions = {}): Promise<FreeResult> {
  return once(options, (porttop) => porttop.freePorts(options));
}

/** Can a server bind this port here, and if not, why: `porttop why --json`. */
export async function whyBind(port: number | string, options: WhyBindOptions & BackendOptions = {}): Promise<WhyReport> {
  parseSinglePort(port);
  return once(options, (porttop) => porttop.whyBind(port, options));
}
