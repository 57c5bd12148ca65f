// Waiting on a condition instead of sleeping a fixed time: poll, with a bound.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { BIN } from '../helpers/cli.js';

export async function waitFor<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 15_000, everyMs = 50): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export interface RunningBin {
  pid: number;
  /** resolves with the exit code and output once the process ended */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  stdout(): string;
  signal(name: NodeJS.Signals): void;
}

/** The built bin as a background process (inside a prefix such as a namespace), for commands that run until stopped. */
export function startBin(args: readonly string[], prefix: readonly string[] = []): RunningBin {
  const command = [...prefix, process.execPath, BIN, ...args];
  const child = spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000); // bounded, whatever happens
  const done = once(child, 'close').then(([code, signal]) => {
    clearTimeout(timer);
    return { code: code as number | null, signal: signal as NodeJS.Signals | null, stdout, stderr };
  });
  return { pid: child.pid!, done, stdout: () => stdout, signal: (name) => void child.kill(name) };
}
