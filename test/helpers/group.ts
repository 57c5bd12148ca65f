// A real child in its own process group (python3, a compiled C program, sh): for tests where the child
// forks, so that cleanup can stop the whole group it made (and nothing else) with one kill(-pgid).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

export interface GroupChild<T = unknown> {
  pid: number;
  child: ChildProcess;
  /** the JSON the child printed after READY */
  data: T;
  /** lines printed after READY */
  lines: string[];
  /** SIGKILL to the whole process group this child leads; safe to call twice */
  stop(): Promise<void>;
  exited: Promise<void>;
}

/** Starts `command args` as a group leader and waits for a `READY <json>` line on stdout. */
export async function startGroup<T = unknown>(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<GroupChild<T>> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: options.env ?? process.env });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit').then(() => undefined);
  const lines: string[] = [];
  const reader = createInterface({ input: child.stdout! });
  const data = await new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} did not get ready in time; stderr: ${stderr}`)), options.timeoutMs ?? 15_000);
    reader.on('line', (line) => {
      if (line.startsWith('READY ')) {
        clearTimeout(timer);
        resolve(JSON.parse(line.slice(6)) as T);
      } else lines.push(line);
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${command} exited before it was ready (code ${child.exitCode}); stderr: ${stderr}`));
    });
  });
  const pid = child.pid!;
  const stop = async () => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // the group is already gone
    }
    if (child.exitCode === null && child.signalCode === null) await exited;
  };
  return { pid, child, data, lines, stop, exited };
}

/** python3 -c SOURCE in its own group; the source prints `READY <json>` (flush=True). */
export function startPython<T = unknown>(source: string, options: { env?: NodeJS.ProcessEnv; args?: readonly string[] } = {}): Promise<GroupChild<T>> {
  return startGroup<T>('python3', ['-u', '-c', source, ...(options.args ?? [])], options);
}

/** A listener on 127.0.0.1 (port chosen by the kernel) that forks so `holders` processes share it. */
export function forkedListener(holders: number, extra = ''): string {
  return `
import socket, os, time, json
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
pids = [os.getpid()]
for i in range(${holders - 1}):
    pid = os.fork()
    if pid == 0:
        ${extra || 'pass'}
        time.sleep(120); os._exit(0)
    pids.append(pid)
print("READY " + json.dumps({"port": s.getsockname()[1], "pids": pids}), flush=True)
time.sleep(120)
`;
}
