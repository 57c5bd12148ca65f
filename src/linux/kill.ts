// Stopping a process on Linux: verify it is the same process, SIGTERM, poll with backoff, SIGKILL.
import type { KillOptions, KillResult, KillTarget } from '../core/model.js';
import { isEndingSignal } from '../core/killplan.js';
import { protectionReason } from '../core/protect.js';

export interface RunningProcess {
  name: string;
  startTime: string;
  /** exited but not yet reaped by its parent: as good as gone */
  zombie: boolean;
}

export type Identify = (pid: number) => RunningProcess | null;
/** How long SIGKILL may take to be acted on before we call the process a survivor. */
const SIGKILL_GRACE_MS = 2000;
const FIRST_POLL_MS = 5;
const MAX_POLL_MS = 200;

/** `ancestors`: porttop's own ancestors, never signalled (the shell or script it runs in). */
export async function killLinuxProcess(target: KillTarget, options: KillOptions, identify: Identify, ancestors: readonly number[] = []): Promise<KillResult> {
  const signals: string[] = [];
  const result = (outcome: KillResult['outcome'], message: string): KillResult => ({
    pid: target.pid,
    name: target.name,
    outcome,
    signals,
    message,
  });

  const refusal = protectionReason(target.pid, target.name, {
    platform: 'linux',
    selfPid: process.pid,
    parentPid: process.ppid,
    ancestors,
    allowCritical: options.allowCritical,
  });
  if (refusal) return result('refused', `refused: ${refusal}`);

  const isSame = (): boolean => {
    const now = identify(target.pid);
    return now !== null && !now.zombie && now.name === target.name && (target.startTime === null || now.startTime === target.startTime);
  };

  const send = (signal: string): KillResult | null => {
    if (!isSame()) return result(signals.length ? 'stopped' : 'gone', signals.length ? 'stopped' : 'exited or PID reused; left alone');
    try {
      process.kill(target.pid, signal);
      signals.push(signal);
      return null;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ESRCH') return result(signals.length ? 'stopped' : 'gone', signals.length ? 'stopped' : 'exited or PID reused; left alone');
      if (code === 'EPERM') return result('not-permitted', `not permitted to signal PID ${target.pid} (EPERM): run porttop as root (sudo)`);
      return result('not-permitted', `cannot signal PID ${target.pid}: ${code ?? String(error)}`);
    }
  };

  const first = options.force ? 'SIGKILL' : options.signal;
  const early = send(first);
  if (early) return early;
  // HUP, USR1, CONT, STOP, WINCH...: delivered once, never escalated (a reload is not a failed stop)
  if (!isEndingSignal(first)) return result('signalled', `sent ${first} once (a signal that need not end a process: not escalated)`);

  if (await waitUntilGone(isSame, first === 'SIGKILL' ? SIGKILL_GRACE_MS : options.timeoutMs)) {
    return result('stopped', `stopped by ${first}`);
  }
  if (first === 'SIGKILL') return result('survived', `still running ${SIGKILL_GRACE_MS / 1000} s after SIGKILL (stuck in the kernel?)`);

  const escalated = send('SIGKILL');
  if (escalated) return escalated;
  if (await waitUntilGone(isSame, SIGKILL_GRACE_MS)) {
    return result('stopped', `ignored ${first} for ${options.timeoutMs / 1000} s; stopped by SIGKILL`);
  }
  return result('survived', `still running after ${first} and SIGKILL (stuck in the kernel?)`);
}

/** Polls with a doubling delay (5 ms up to 200 ms) until the process is gone or the time is up. */
async function waitUntilGone(isSame: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let delay = FIRST_POLL_MS;
  for (;;) {
    if (!isSame()) return true;
    const left = deadline - Date.now();
    if (left <= 0) return false;
    await new Promise((resolve) => setTimeout(resolve, Math.min(delay, left)));
    delay = Math.min(delay * 2, MAX_POLL_MS);
  }
}
