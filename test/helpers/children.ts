// Real child processes that hold real sockets, for tests and benchmarks. Each child runs a snippet of
// ESM JavaScript with `ready(data)` in scope; the helper resolves once the child printed READY.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

/**
 * The name the OS gives a child started with this test's Node: on Linux the kernel's comm, which Node 24
 * sets to 'MainThread' (ss and lsof show that too), 'node' before it; 'node' on Windows.
 */
export const NODE_PROCESS_NAME = process.platform === 'linux' ? readFileSync('/proc/self/comm', 'utf8').trim() : 'node';

export interface Holder<T = unknown> {
  pid: number;
  child: ChildProcess;
  /** what the child passed to ready() */
  data: T;
  /** lines the child printed after READY */
  lines: string[];
  /** SIGKILL (if still running) and wait for the exit; safe to call twice */
  stop(): Promise<void>;
  exited: Promise<void>;
}

export interface HolderOptions {
  /** run inside this command prefix, e.g. ['ip', 'netns', 'exec', 'porttop-1'] */
  prefix?: readonly string[];
  /** the executable to run instead of node (e.g. a symlink to node named oddly) */
  node?: string;
  timeoutMs?: number;
}

const PRELUDE = `const ready = (data = null) => process.stdout.write('READY ' + JSON.stringify(data) + '\\n');\n`;

export async function startHolder<T = unknown>(source: string, options: HolderOptions = {}): Promise<Holder<T>> {
  const node = options.node ?? process.execPath;
  const args = [...(options.prefix ?? []), node, '--input-type=module', '-e', PRELUDE + source];
  const child = spawn(args[0]!, args.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit').then(() => undefined);
  const reader = createInterface({ input: child.stdout! });
  const data = await new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`holder did not get ready in time; stderr: ${stderr}`)), options.timeoutMs ?? 15_000);
    reader.on('line', (line) => {
      if (line.startsWith('READY ')) {
        clearTimeout(timer);
        resolve(JSON.parse(line.slice(6)) as T);
      } else lines.push(line);
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`holder exited before it was ready (code ${child.exitCode}); stderr: ${stderr}`));
    });
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  return { pid: child.pid!, child, data, lines, stop, exited };
}

/** Resolves when the process with this PID no longer exists (or is a zombie), or rejects after the timeout. */
export async function waitForExit(child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await Promise.race([
    once(child, 'exit'),
    new Promise((_, reject) => setTimeout(() => reject(new Error(`PID ${child.pid} still running after ${timeoutMs} ms`)), timeoutMs)),
  ]);
}
