// The kill dialog as a union of its phases (bottom's closed | confirm | error, plus working and
// result), and the pure steps between them. The component only draws the phase it is given.
import type { KillOptions, KillResult, KillTarget } from '../core/model.js';
import { protectionReason, type ProtectionContext } from '../core/protect.js';

interface Subject {
  target: KillTarget;
  /** the ports it holds, named in the question so the user sees what they stop */
  ports: number[];
  force: boolean;
}

export type KillDialog =
  | { phase: 'closed' }
  | ({ phase: 'confirm' } & Subject)
  | ({ phase: 'working' } & Subject)
  | ({ phase: 'result' } & Subject & { result: KillResult })
  | ({ phase: 'error' } & Subject & { message: string });

export const CLOSED: KillDialog = { phase: 'closed' };

/** Seconds SIGTERM gets before SIGKILL, as `porttop kill`'s default. */
export const KILL_TIMEOUT_SECONDS = 3;

/**
 * Opening the dialog: a protected process (PID 1, porttop itself, its parent, Windows' critical
 * processes) goes straight to an error, so nobody is asked to confirm what will be refused anyway.
 */
export function openKillDialog(subject: Subject, context: Omit<ProtectionContext, 'allowCritical'>): KillDialog {
  const refusal = protectionReason(subject.target.pid, subject.target.name, { ...context, allowCritical: false });
  if (refusal) return { phase: 'error', ...subject, message: `refused: ${refusal}` };
  return { phase: 'confirm', ...subject };
}

export function killOptions(force: boolean): KillOptions {
  return { signal: 'SIGTERM', force, timeoutMs: KILL_TIMEOUT_SECONDS * 1000, allowCritical: false };
}

const FAILED: ReadonlySet<KillResult['outcome']> = new Set(['refused', 'not-permitted', 'survived']);

/** What the backend answered: a stop (or "already gone") is a result, a refusal or EPERM an error. */
export function afterKill(dialog: KillDialog & Subject, result: KillResult): KillDialog {
  const subject = { target: dialog.target, ports: dialog.ports, force: dialog.force };
  if (FAILED.has(result.outcome)) return { phase: 'error', ...subject, message: describeFailure(result) };
  return { phase: 'result', ...subject, result };
}

export function afterKillError(dialog: KillDialog & Subject, error: unknown): KillDialog {
  const subject = { target: dialog.target, ports: dialog.ports, force: dialog.force };
  return { phase: 'error', ...subject, message: error instanceof Error ? error.message : String(error) };
}

function describeFailure(result: KillResult): string {
  if (result.outcome === 'not-permitted') return `not permitted: run as root/Administrator (${result.message})`;
  return result.message;
}

/** How the process will be stopped, in the words of the platform. */
export function describeMethod(force: boolean, platform: 'linux' | 'windows'): string {
  if (platform === 'windows') return 'Stop-Process -Force';
  return force ? 'SIGKILL at once' : `SIGTERM, then SIGKILL after ${KILL_TIMEOUT_SECONDS} s`;
}

/** "8080, 8443 and 12 more": the ports, cut to a length a dialog can show. */
export function describePorts(ports: readonly number[], shown = 6): string {
  if (ports.length === 0) return 'none';
  const listed = ports.slice(0, shown).join(', ');
  return ports.length > shown ? `${listed} and ${ports.length - shown} more` : listed;
}
