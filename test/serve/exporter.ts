// A real `porttop serve` (the built bin) as a child process, optionally inside a prefix such as a
// network namespace; unless told otherwise it listens on a port the OS picks (127.0.0.1:0) and prints its URL.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { BIN } from '../helpers/cli.js';

export interface RunningExporter {
  child: ChildProcess;
  pid: number;
  /** http://127.0.0.1:PORT (no trailing slash) */
  base: string;
  port: number;
  stderr(): string;
  /** sends the signal and resolves with the exit code (null when killed by a signal) */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function startExporter(args: readonly string[], prefix: readonly string[] = [], timeoutMs = 15_000): Promise<RunningExporter> {
  const listen = args.includes('--listen') ? [] : ['--listen', '127.0.0.1:0'];
  const command = [...prefix, process.execPath, BIN, 'serve', ...listen, ...args];
  const child = spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`porttop serve printed no URL in time; stderr: ${stderr}`)), timeoutMs);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /(http:\/\/\S+)\/metrics/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    void exited.then(([code]) => {
      clearTimeout(timer);
      reject(new Error(`porttop serve exited (code ${code}) before listening; stderr: ${stderr}`));
    });
  });
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    const [code, by] = await exited;
    return { code, signal: by };
  };
  return { child, pid: child.pid!, base, port: Number(new URL(base).port), stderr: () => stderr, stop };
}

/** GET a path; the body as text with the status and the time it took. */
export async function get(url: string): Promise<{ status: number; body: string; ms: number; contentType: string | null }> {
  const started = performance.now();
  const response = await fetch(url);
  const body = await response.text();
  return { status: response.status, body, ms: performance.now() - started, contentType: response.headers.get('content-type') };
}

/** Polls until the check returns a value (not undefined) or the time is up. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 15_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** The value of one series in a Prometheus text scrape, or undefined. Labels must match exactly as printed. */
export function sampleValue(scrape: string, series: string): number | undefined {
  for (const line of scrape.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return undefined;
}
