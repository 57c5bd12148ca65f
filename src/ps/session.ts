// One long-lived PowerShell process per porttop run, driven through node-powershell.
//
// node-powershell frames each command and queues calls, but leaves four hazards we handle here:
// its invocationTimeout only stops waiting (PowerShell keeps running and later calls queue behind
// it), so we time calls ourselves and kill the process; it never restarts a crashed shell, so a dead
// one is replaced on the next call; its exit promise rejects unobserved when the shell dies between
// calls, so we observe it; and it keeps every result in `history`, so we clear it after each call.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InvocationError, PowerShell } from 'node-powershell';
import { BackendError } from '../errors.js';
import { killTree, trackChild } from './cleanup.js';
import { base64Literal, definitionLine, dotSourceLine, invocationLine, SCRIPT_NAME, SESSION_START_LINE, type PsParameters } from './command.js';
import { firstLine, parseEnvelope, PowerShellScriptError } from './envelope.js';
import { findPowerShell } from './executable.js';

export const DEFAULT_CALL_TIMEOUT_MS = 30_000;
/** Starting PowerShell can take seconds on a cold Windows machine (antivirus, .NET JIT). */
export const DEFAULT_START_TIMEOUT_MS = 30_000;
export const SCRIPTS_DIR = fileURLToPath(new URL('../../scripts/ps1/', import.meta.url));
/** Functions every script shares (envelope, netsh, ASCII JSON, the IP Helper loader), loaded once per process. */
export const COMMON_SCRIPT = 'PortTopCommon.ps1';

export interface SessionOptions {
  /** PowerShell executable; default: findPowerShell() (PORTTOP_PWSH, pwsh, powershell.exe) */
  executable?: string;
  /** per-call timeout in ms (default 30 s) */
  timeoutMs?: number;
  startTimeoutMs?: number;
  /** where the scripts live (default: the package's scripts/ps1) */
  scriptsDir?: string;
  /**
   * PowerShell source dot-sourced into every new process right after start-up. Tests use it to
   * replace Windows-only commands (Get-NetTCPConnection, netsh, ...) with functions.
   */
  prelude?: string;
  /** extra environment for the PowerShell process (on top of process.env) */
  env?: NodeJS.ProcessEnv;
}

export interface CallOptions {
  timeoutMs?: number;
}

/** node-powershell's class with our executable taken as given (it would prefer $NODE_POWERSHELL). */
class PorttopShell extends PowerShell {
  protected override setExecutable(options: { executable?: string }): string {
    return options.executable!;
  }
}

/** The private parts of node-powershell 5.0.1 (child-shell 5.0.0) we must reach: pinned version. */
interface ShellInternals {
  process: ChildProcess;
  exitPromise: Promise<void>;
}

interface LiveShell {
  shell: PorttopShell;
  child: ChildProcess;
  /** resolves when the process has exited, never rejects */
  exited: Promise<void>;
  dead: boolean;
  /** scripts whose script block is defined in this process */
  defined: Set<string>;
  version: string;
  /** $PID of the PowerShell that runs the scripts: the child itself, or the child of a launcher */
  powershellPid: number | null;
  /** PIDs to kill with the child (the real PowerShell when the child is a launcher) */
  launched: Set<number>;
}

class TimeoutSignal {}

/** The PowerShell process died under a call (not a timeout): the call may be tried once more in a new one. */
class ShellDiedError extends BackendError {}

export class PowerShellSession {
  private readonly executable: string;
  /** per-call timeout in ms unless a call says otherwise */
  readonly timeoutMs: number;
  private readonly startTimeoutMs: number;
  private readonly scriptsDir: string;
  private readonly prelude: string | undefined;
  private readonly env: NodeJS.ProcessEnv;
  private live: LiveShell | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly sources = new Map<string, string>();
  /** how many PowerShell processes this session has started (tests: restarts) */
  starts = 0;
  /** text PowerShell wrote to stderr beside a valid envelope, kept for the caller to show */
  private strayStderr: string[] = [];

  constructor(options: SessionOptions = {}) {
    this.executable = options.executable ?? findPowerShell();
    this.timeoutMs = options.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    this.startTimeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
    this.scriptsDir = options.scriptsDir ?? SCRIPTS_DIR;
    this.prelude = options.prelude;
    this.env = options.env ?? {};
  }

  /**
   * PID of the PowerShell running the scripts, or null when none runs (not started yet, killed,
   * closed). It differs from the spawned PID when the executable is a launcher (dotnet tool shim).
   */
  get pid(): number | null {
    return this.live && !this.live.dead ? this.live.powershellPid : null;
  }

  /** PID of the process porttop spawned (a launcher, or the PowerShell itself); null when none runs. */
  get spawnedPid(): number | null {
    return this.live && !this.live.dead ? (this.live.child.pid ?? null) : null;
  }

  /** The PowerShell version of the running process ('' before the first call). */
  get version(): string {
    return this.live?.version ?? '';
  }

  /**
   * Runs scripts/ps1/<script>.ps1 with these parameters and returns its envelope's data.
   * Calls run one at a time in the order they were made.
   */
  call<T = unknown>(script: string, parameters: PsParameters = {}, options: CallOptions = {}): Promise<T> {
    if (!SCRIPT_NAME.test(script)) return Promise.reject(new TypeError(`not a porttop script name: ${script}`));
    const line = invocationLine(script, parameters); // throws on a bad value before anything runs
    const result = this.queue.then(() => this.run(script, line, options.timeoutMs ?? this.timeoutMs));
    this.queue = result.catch(() => undefined);
    return result as Promise<T>;
  }

  /** Warnings gathered since the last look (stderr text beside valid envelopes); clears them. */
  takeWarnings(): string[] {
    const warnings = this.strayStderr;
    this.strayStderr = [];
    return warnings;
  }

  /**
   * Ends the PowerShell process at once (a call still running fails, queued ones are refused), so
   * quitting never waits for a slow call. Safe to call twice.
   */
  async close(): Promise<void> {
    this.closed = true;
    await this.stop();
  }

  /** Kills the PowerShell process now (if any); the next call starts a fresh one. */
  async stop(): Promise<void> {
    const live = this.live;
    this.live = null;
    if (!live) return;
    live.dead = true;
    killTree(live.child, live.launched);
    await live.exited;
  }

  private async run(script: string, line: string, timeoutMs: number): Promise<unknown> {
    try {
      return await this.runOnce(script, line, timeoutMs);
    } catch (error) {
      // PowerShell died under this call (killed from outside, crashed) rather than timing out: the
      // exit may only have been noticed now, so start a new one and try once more. Every script is
      // safe to run twice (reads; a stop that re-checks the PID's identity; setting the same range).
      if (!(error instanceof ShellDiedError) || this.closed) throw error;
      return await this.runOnce(script, line, timeoutMs);
    }
  }

  private async runOnce(script: string, line: string, timeoutMs: number): Promise<unknown> {
    if (this.closed) throw new BackendError('the PowerShell session is closed');
    const live = await this.ensureStarted();
    if (!live.defined.has(script)) {
      // defining (parsing) a script once is start-up work: a fresh PowerShell on a busy machine may
      // need longer for it than a short per-call timeout allows
      await this.invoke(live, definitionLine(script, this.source(script)), Math.max(timeoutMs, this.startTimeoutMs), script);
      live.defined.add(script);
    }
    const { stdout, stderr } = await this.invoke(live, line, timeoutMs, script, true);
    if (stderr === '') return parseEnvelope(stdout, script);
    // a valid envelope wins over stray stderr text (a module's warning, a profile's noise): kept as a warning
    let data: unknown;
    try {
      data = parseEnvelope(stdout, script);
    } catch (error) {
      if (error instanceof BackendError && !(error instanceof PowerShellScriptError) && error.exitCode === 4 && /printed no JSON envelope|broken JSON|without an ok field/.test(error.message)) {
        throw new BackendError(`PowerShell reported an error in ${script}: ${firstLine(stripAnsi(stderr)) || 'no message'}`);
      }
      throw error;
    }
    const warning = `PowerShell wrote to stderr during ${script}: ${firstLine(stripAnsi(stderr))}`;
    if (typeof data === 'object' && data !== null && Array.isArray((data as { warnings?: unknown }).warnings)) {
      (data as { warnings: unknown[] }).warnings.push(warning);
    } else {
      this.strayStderr.push(warning);
    }
    return data;
  }

  private source(script: string): string {
    let text = this.sources.get(script);
    if (text === undefined) {
      try {
        text = readFileSync(`${this.scriptsDir}/${script}.ps1`, 'utf8').replace(/^\uFEFF/, '');
      } catch (error) {
        throw new BackendError(`cannot read the PowerShell script ${script}.ps1 in ${this.scriptsDir}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      }
      this.sources.set(script, text);
    }
    return text;
  }

  private async ensureStarted(): Promise<LiveShell> {
    if (this.live && !this.live.dead) return this.live;
    if (this.live) await this.stop();
    const live = this.spawn();
    this.live = live;
    this.starts++;
    try {
      const [version, pidText] = (await this.invoke(live, SESSION_START_LINE, this.startTimeoutMs, 'start-up')).stdout.trim().split(/\s+/);
      live.version = version ?? '';
      live.powershellPid = Number(pidText) || live.child.pid || null;
      if (live.powershellPid !== null) live.launched.add(live.powershellPid);
      // the shared functions, where the scripts (and the C# helper) live, and a watch on porttop's
      // PID so PowerShell ends by itself when porttop is gone, even after a SIGKILL
      const common = readFileSync(`${SCRIPTS_DIR}/${COMMON_SCRIPT}`, 'utf8').replace(/^\uFEFF/, '');
      await this.invoke(
        live,
        `$global:PortTopScriptsDir = ${base64Literal(SCRIPTS_DIR)}; ${dotSourceLine(common)}; Start-PortTopParentWatch -ParentId ${process.pid}`,
        this.startTimeoutMs,
        'start-up',
      );
      if (this.prelude !== undefined) await this.invoke(live, dotSourceLine(this.prelude), this.startTimeoutMs, 'prelude');
    } catch (error) {
      await this.stop();
      throw error;
    }
    return live;
  }

  private spawn(): LiveShell {
    const shell = new PorttopShell({
      executable: this.executable,
      executableOptions: { '-NoProfile': true, '-NonInteractive': true },
      spawnOptions: {
        // powershell.exe does not start without SystemRoot and friends: always pass the whole env.
        // TERM=dumb: pwsh on Unix otherwise writes keypad escape codes into stdout and breaks framing.
        env: { ...process.env, TERM: 'dumb', NO_COLOR: '1', POWERSHELL_UPDATECHECK: 'Off', POWERSHELL_TELEMETRY_OPTOUT: '1', ...this.env },
        windowsHide: true,
      },
      invocationTimeout: 0,
      // stderr text does not fail a call by itself: a valid envelope on stdout wins (runOnce)
      throwOnInvocationError: false,
    });
    const internals = shell as unknown as ShellInternals;
    const child = internals.process;
    // a rejection nobody awaits would end porttop (the shell died between calls, or never started)
    internals.exitPromise.catch(() => undefined);
    child.stdin?.on('error', () => undefined);
    const live: LiveShell = {
      shell,
      child,
      exited: new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) resolve();
        child.once('exit', () => resolve());
        child.once('error', () => resolve());
      }),
      dead: false,
      defined: new Set(),
      version: '',
      powershellPid: null,
      launched: new Set(),
    };
    void live.exited.then(() => {
      live.dead = true;
    });
    if (child.pid !== undefined) trackChild(child, live.launched);
    return live;
  }

  /**
   * One framed command with our own timeout; on timeout or death the process is killed. Text on
   * stderr fails the command unless `keepStderr` (then the caller weighs it against stdout).
   */
  private async invoke(live: LiveShell, line: string, timeoutMs: number, what: string, keepStderr = false): Promise<{ stdout: string; stderr: string }> {
    if (live.dead) throw new ShellDiedError(`PowerShell exited before ${what} could run (the next call starts a new PowerShell)`);
    let timer: NodeJS.Timeout | undefined;
    const invocation = live.shell.invoke(line);
    invocation.catch(() => undefined); // may settle after we gave up on it
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TimeoutSignal()), timeoutMs);
    });
    try {
      const result = (await Promise.race([invocation, timeout])) as { stdout?: Buffer; stderr?: Buffer; hadErrors?: boolean };
      // node-powershell answers an empty result when the process exited under the command
      if (live.dead || (live.shell as unknown as { isExited?: boolean }).isExited) throw new Error('PowerShell exited');
      const stdout = result.stdout?.toString('utf8') ?? '';
      const stderr = result.stderr?.toString('utf8') ?? '';
      if (stderr !== '' && !keepStderr) throw new InvocationError(stderr);
      return { stdout, stderr };
    } catch (error) {
      if (error instanceof TimeoutSignal) {
        await this.stop();
        throw new BackendError(`PowerShell did not finish ${what} within ${formatSeconds(timeoutMs)}: stopped it (the next call starts a new PowerShell)`);
      }
      if (error instanceof InvocationError && !live.dead) {
        // PowerShell wrote to its error stream: the call failed, the process is still fine
        throw new BackendError(`PowerShell reported an error in ${what}: ${firstLine(stripAnsi(error.message)) || 'no message'}`);
      }
      await this.stop();
      if (this.closed) throw new BackendError(`the PowerShell session was closed during ${what}`);
      if (live.child.pid === undefined) throw new BackendError(`cannot start PowerShell (${this.executable}): ${spawnFailure(error)}`);
      throw new ShellDiedError(`PowerShell failed during ${what}: the process exited or was killed (the next call starts a new PowerShell)`);
    } finally {
      clearTimeout(timer);
      live.shell.history.length = 0; // node-powershell keeps every result forever otherwise
    }
  }
}

function formatSeconds(ms: number): string {
  return `${ms % 1000 === 0 ? ms / 1000 : (ms / 1000).toFixed(1)} s`;
}

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
}

function spawnFailure(error: unknown): string {
  const original = (error as { originalError?: NodeJS.ErrnoException }).originalError;
  return original?.code ?? (error instanceof Error ? error.message : String(error));
}
