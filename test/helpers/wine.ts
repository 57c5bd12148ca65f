// The Windows test bed: the Windows build of PowerShell 7 under Wine (test/wine/setup.sh builds it
// into a cache folder). pwsh under Wine needs a terminal and cannot be driven over pipes, so each run
// is one pwsh process under script(1), with its output redirected to files: one script per process.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { TestContext } from 'node:test';
import { base64Literal, definitionLine, dotSourceLine, invocationLine, SESSION_START_LINE, type PsParameters } from '../../src/ps/command.js';
import { COMMON_SCRIPT, SCRIPTS_DIR } from '../../src/ps/session.js';

export const WINE_CACHE = process.env.PORTTOP_WINE_CACHE ?? join(homedir(), '.cache', 'porttop-wine');

export interface WineBed {
  cache: string;
  prefix: string;
  /** the Linux path of the Windows pwsh.exe */
  pwshExe: string;
  /** the environment every Wine process of the bed runs with */
  env: NodeJS.ProcessEnv;
}

/** The bed if setup.sh finished building it (its stamp is written last) and wine is on PATH; else why not. */
export function findWineBed(cache = WINE_CACHE): WineBed | string {
  if (process.platform !== 'linux') return 'the Wine bed runs on Linux only';
  if (spawnSync('sh', ['-c', 'command -v wine && command -v script'], { stdio: 'ignore' }).status !== 0) {
    return 'wine or script(1) is not installed';
  }
  const pwshExe = join(cache, 'pwsh-win', 'pwsh.exe');
  if (!existsSync(join(cache, 'ready')) || !existsSync(pwshExe)) return `no Wine bed in ${cache}`;
  const prefix = join(cache, 'prefix');
  // no mshtml (Gecko) prompts; never disable mscoree: IL-only DLLs need it. .NET's W^X double
  // mapping breaks under Wine 8: without the switch pwsh dies at random with "Internal CLR error
  // (0x80131506)" in DynamicResolver+DestroyScout.Finalize (a native command, a command not found)
  const env = { ...process.env, WINEPREFIX: prefix, WINEDEBUG: '-all', WINEDLLOVERRIDES: 'mshtml=', DOTNET_EnableWriteXorExecute: '0' };
  return { cache, prefix, pwshExe, env };
}

const FOUND = findWineBed();
export const WINE_BED: WineBed | null = typeof FOUND === 'string' ? null : FOUND;
const REQUIRED = process.env.PORTTOP_REQUIRE_WINE === '1';
export const NO_WINE_REASON = `Windows pwsh under Wine unavailable: ${typeof FOUND === 'string' ? FOUND : ''} (run test/wine/setup.sh as root; PORTTOP_REQUIRE_WINE=1 makes this a failure)`;

if (WINE_BED === null && !REQUIRED) process.stderr.write(`NOTICE: Wine tests skipped: ${NO_WINE_REASON}\n`);

/** The bed, or skips the test with a visible reason (fails instead under PORTTOP_REQUIRE_WINE=1). */
export function requireWine(t: TestContext): WineBed | null {
  if (WINE_BED !== null) return WINE_BED;
  if (REQUIRED) throw new Error(`PORTTOP_REQUIRE_WINE=1 but ${NO_WINE_REASON}`);
  t.skip(NO_WINE_REASON);
  return null;
}

/** How Windows code under Wine sees a Linux path: drive Z: is the root (/srv/x.ps1 is Z:\srv\x.ps1). */
export function windowsPath(linuxPath: string): string {
  if (!linuxPath.startsWith('/')) throw new TypeError(`not an absolute Linux path: ${linuxPath}`);
  return `Z:${linuxPath.replaceAll('/', '\\')}`;
}

/** A POSIX shell word holding this text exactly. */
function shellWord(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

export interface WineRun {
  /** pwsh's exit code (script -e passes it through) */
  code: number | null;
  /** stdout's exact bytes (Wine's console writes CRLF line ends) */
  stdout: Buffer;
  /** stdout decoded as UTF-8, split into lines without their CR LF, empty lines dropped */
  lines: string[];
  /** Wine's and pwsh's stderr, as text */
  stderr: string;
  ms: number;
}

export interface WineRunOptions {
  timeoutMs?: number;
  /** extra environment, e.g. LOCALAPPDATA for the compiled-helper cache */
  env?: NodeJS.ProcessEnv;
}

/**
 * Runs PowerShell source in one Windows pwsh under Wine: written to a .ps1 (UTF-8 with BOM, so any
 * PowerShell reads it as UTF-8) and started with -File under a pseudo-terminal.
 */
export async function runWinePwsh(bed: WineBed, source: string, options: WineRunOptions = {}): Promise<WineRun> {
  const dir = mkdtempSync(join(tmpdir(), 'porttop-wine-run-'));
  try {
    const scriptFile = join(dir, 'run.ps1');
    const outFile = join(dir, 'out.txt');
    const errFile = join(dir, 'err.txt');
    writeFileSync(scriptFile, `\ufeff${source}\n`, 'utf8');
    const command = [
      'exec wine', shellWord(bed.pwshExe), '-NoProfile -NonInteractive -ExecutionPolicy Bypass -File', shellWord(windowsPath(scriptFile)),
      '>', shellWord(outFile), '2>', shellWord(errFile),
    ].join(' ');
    const started = performance.now();
    const child = spawn('script', ['-qec', command, '/dev/null'], { env: { ...bed.env, ...options.env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let scriptStderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (scriptStderr += chunk.toString()));
    const code = await exitWithin(child, options.timeoutMs ?? 120_000);
    const ms = performance.now() - started;
    const stdout = existsSync(outFile) ? readFileSync(outFile) : Buffer.alloc(0);
    const stderr = (existsSync(errFile) ? readFileSync(errFile, 'utf8') : '') + scriptStderr;
    const lines = stdout.toString('utf8').split(/\r?\n/).filter((line) => line.length > 0);
    return { code, stdout, lines, stderr, ms };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function exitWithin(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  const first = await Promise.race([exited, timedOut]);
  clearTimeout(timer);
  if (first === 'timeout') {
    // closing the pseudo-terminal hangs up pwsh (script's session leader) as well
    child.kill('SIGKILL');
    await exited;
    throw new Error(`pwsh under Wine did not finish within ${timeoutMs} ms`);
  }
  return first[0];
}

/**
 * Stand-ins for what Wine lacks, defined before any script runs. Get-CimInstance fails there (no MI
 * library) and, worse, an Add-Type after a failed CIM call hangs or exits the process: the stand-in
 * fails at once, as CIM does on a machine that denies it. Wine has no NetTCPIP module: its two
 * cmdlets answer with the rows in $global:PortTopWineTcpRows / PortTopWineUdpRows (none unless a
 * test sets some), filtered by -LocalPort and -State as the real ones are.
 */
export const WINE_PRELUDE = [
  "function global:Get-CimInstance { throw [System.PlatformNotSupportedException]::new('CIM is not available under Wine (test-bed stand-in)') }",
  '$global:PortTopWineTcpRows = @(); $global:PortTopWineUdpRows = @()',
  'function global:Get-NetTCPConnection { [CmdletBinding()] param([int[]]$LocalPort, [string[]]$State) @($global:PortTopWineTcpRows) | Where-Object { (-not $LocalPort -or $LocalPort -contains $_.LocalPort) -and (-not $State -or $State -contains [string]$_.State) } }',
  'function global:Get-NetUDPEndpoint { [CmdletBinding()] param([int[]]$LocalPort) @($global:PortTopWineUdpRows) | Where-Object { -not $LocalPort -or $LocalPort -contains $_.LocalPort } }',
].join('\n');

export interface ScriptCall {
  script: string;
  parameters?: PsParameters;
}

export interface ScriptCallOptions {
  /** run the session's first line (console output as UTF-8) before the calls, as porttop's session does */
  sessionStart?: boolean;
  /** PowerShell lines to run before the calls (printing nothing), e.g. stand-in rows */
  before?: string[];
  /** PowerShell lines to run after the calls, each printing one more line */
  after?: string[];
}

/**
 * The source of porttop calls under Wine, each printing its one line: the same definition and
 * invocation lines porttop's session sends (parameters as base64 literals), but without the
 * session's UTF-8 console line unless asked, so the console keeps Wine's OEM code page 437 as a fresh
 * Windows console does.
 */
export function scriptCallsSource(calls: readonly ScriptCall[], options: ScriptCallOptions = {}): string {
  const defined = new Set<string>();
  const lines = [
    WINE_PRELUDE,
    options.sessionStart ? `$null = . { ${SESSION_START_LINE} }` : '$global:PortTopScripts = @{}',
    ...commonLines(),
    ...(options.before ?? []),
  ];
  for (const call of calls) {
    if (!defined.has(call.script)) {
      lines.push(definitionLine(call.script, readFileSync(join(SCRIPTS_DIR, `${call.script}.ps1`), 'utf8')));
      defined.add(call.script);
    }
    lines.push(invocationLine(call.script, call.parameters));
  }
  return [...lines, ...(options.after ?? [])].join('\n');
}

/**
 * As the session loads the scripts' shared functions, with the scripts' folder as Windows sees it (no
 * parent watch: porttop's PID means nothing to Windows code under Wine, and the process ends anyway).
 */
function commonLines(): string[] {
  const common = readFileSync(join(SCRIPTS_DIR, COMMON_SCRIPT), 'utf8').replace(/^\uFEFF/, '');
  return [`$global:PortTopScriptsDir = ${base64Literal(windowsPath(SCRIPTS_DIR))}`, dotSourceLine(common)];
}

/** A Windows program started under Wine from Linux (e.g. a renamed copy of cmd.exe); it runs until stopped. */
export interface WineProgram {
  /** the Linux PID of the Wine process that is the Windows process */
  pid: number;
  child: ChildProcess;
  exited: Promise<void>;
  /** resolves once Wine has loaded the program (its Linux command line names the .exe) */
  loaded: Promise<void>;
  /** SIGKILL if still running, and wait for the exit */
  stop(): Promise<void>;
}

/** Starts `wine <exe> <args>`; stdin stays an open pipe, so a `cmd /k` copy waits on it until killed. */
export function startWineProgram(bed: WineBed, exe: string, args: string[] = []): WineProgram {
  const child = spawn('wine', [exe, ...args], { env: bed.env, stdio: ['pipe', 'ignore', 'ignore'] });
  const exited = once(child, 'exit').then(() => undefined);
  const loaded = (async () => {
    const deadline = Date.now() + 30_000;
    const name = basename(exe);
    for (;;) {
      let commandLine = '';
      try {
        commandLine = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8');
      } catch {
        throw new Error(`${name} under Wine exited before it was loaded`);
      }
      if (commandLine.includes(name)) return;
      if (Date.now() > deadline) throw new Error(`${name} under Wine not loaded within 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return {
    pid: child.pid!,
    child,
    exited,
    loaded,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
