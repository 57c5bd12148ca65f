// A scripted Backend for UI tests (as bandwhich's UI tests run on a fake OS layer): snapshots are
// built from a short description, kills are recorded and answered as the test says.
import type { Backend } from '../../src/backend.js';
import type { Endpoint, KillOptions, KillResult, KillTarget, PortRange, ProcessInfo, Snapshot } from '../../src/core/model.js';
import { makeRange } from '../../src/core/ranges.js';

export interface FakeProcess {
  pid: number;
  name: string;
  startTime?: string;
  handles?: number | null;
  /** how many ESTABLISHED sockets on ephemeral ports it holds */
  established?: number;
  closeWait?: number;
  /** ports it listens on */
  listen?: number[];
}

/** Endpoints get local ports from 40000 up, in the order the processes are given. */
export function buildSnapshot(processes: readonly FakeProcess[], extra: Partial<Snapshot> = {}): Snapshot {
  let nextPort = 40000;
  const endpoints: Endpoint[] = [];
  const infos = new Map<number, ProcessInfo>();
  const tcp = (pid: number, localPort: number, state: Endpoint['state'], remotePort: number | null): Endpoint => ({
    protocol: 'tcp', family: 'ipv4', localAddress: '127.0.0.1', localPort,
    remoteAddress: remotePort === null ? null : '127.0.0.1', remotePort, state, pid, holders: pid === null ? [] : [pid],
  });
  for (const process of processes) {
    infos.set(process.pid, {
      pid: process.pid, name: process.name, commandLine: `${process.name} --serve`,
      startTime: process.startTime ?? '2024-01-01T00:00:00.000Z', handles: process.handles ?? 10,
    });
    for (const port of process.listen ?? []) endpoints.push(tcp(process.pid, port, 'LISTEN', null));
    for (let i = 0; i < (process.established ?? 0); i++) endpoints.push(tcp(process.pid, nextPort++, 'ESTABLISHED', 5432));
    for (let i = 0; i < (process.closeWait ?? 0); i++) endpoints.push(tcp(process.pid, nextPort++, 'CLOSE_WAIT', 443));
  }
  return { takenAt: new Date().toISOString(), endpoints, processes: infos, warnings: [], ...extra };
}

export type KillAnswer = KillResult['outcome'] | Error;

export class FakeBackend implements Backend {
  readonly name = 'linux' as const;
  readonly platform = 'linux' as const;
  readonly kills: { target: KillTarget; options: KillOptions }[] = [];
  snapshotCalls = 0;
  closed = false;
  /** the answer to the next kill */
  killAnswer: KillAnswer = 'stopped';
  /** when set, snapshot() waits for this before answering (to test slow collections) */
  gate: Promise<void> | null = null;
  /** how many snapshot() calls were running at the same time, at most */
  maxConcurrent = 0;
  private running = 0;
  ranges: PortRange[] = [makeRange('tcp', 'ipv4', 32768, 28232), makeRange('tcp', 'ipv6', 32768, 28232)];

  /** each call answers the next script entry; the last one repeats; an Error entry makes that call fail */
  constructor(private readonly script: (Snapshot | Error)[]) {}

  async snapshot(): Promise<Snapshot> {
    const entry = this.script[Math.min(this.snapshotCalls, this.script.length - 1)]!;
    this.snapshotCalls++;
    this.running++;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.running);
    try {
      if (this.gate) await this.gate;
      if (entry instanceof Error) throw entry;
      return entry;
    } finally {
      this.running--;
    }
  }

  async getRanges(): Promise<PortRange[]> {
    return this.ranges;
  }

  async setRange(): Promise<PortRange[]> {
    throw new Error('not used by the view');
  }

  async kill(target: KillTarget, options: KillOptions): Promise<KillResult> {
    this.kills.push({ target, options });
    const answer = this.killAnswer;
    if (answer instanceof Error) throw answer;
    const messages: Record<KillResult['outcome'], string> = {
      stopped: 'stopped by SIGTERM', gone: 'exited or PID reused; left alone', refused: 'refused: protected',
      'not-permitted': `not permitted to signal PID ${target.pid} (EPERM): run porttop as root (sudo)`,
      survived: 'still running after SIGTERM and SIGKILL', signalled: 'sent SIGUSR1',
    };
    return { pid: target.pid, name: target.name, outcome: answer, signals: ['SIGTERM'], message: messages[answer] };
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** Polls until the condition holds (a frame shows something), never a fixed sleep. */
export async function waitFor(condition: () => boolean, what: string | (() => string), timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
