// The kill dialog as a union of its phases (bottom's closed | confirm | error, plus working and
// result), and the pure steps between them. The component only draws the phase it is given.
// The dialog stops every process that holds the selected process's listening sockets (a forked server
// shares them), and its result says whether the ports are free afterwards.
import type { KillCandidate, PortOutcome } from '../core/killplan.js';
import type { KillOptions, KillResult, KillTarget, WindowsService } from '../core/model.js';
import { protectionReason, type ProtectionContext } from '../core/protect.js';

interface Subject {
  target: KillTarget;
  /** the ports it holds, named in the question so the user sees what they stop */
  ports: number[];
  force: boolean;
  /** the target's command line, shown so five `node` processes can be told apart */
  commandLine?: string | null;
  /** Windows services the target hosts: it is refused, and the dialog names Stop-Service instead */
  services?: WindowsService[];
  /** the other processes holding the same listening sockets: stopped too, or the port stays taken */
  also?: KillCandidate[];
  /** the ports it held (listening, bound, UDP): looked at again after the stop */
  heldPorts?: number[];
}

export type KillDialog =
  | { phase: 'closed' }
  | ({ phase: 'confirm' } & Subject)
  | ({ phase: 'working' } & Subject)
  | ({ phase: 'result' } & Subject & { result: KillResult; others: KillResult[]; portsAfter: PortOutcome[] | null })
  | ({ phase: 'error' } & Subject & { message: string });

export const CLOSED: KillDialog = { phase: 'closed' };

/** Seconds SIGTERM gets before SIGKILL, as `porttop kill`'s default. */
export const KILL_TIMEOUT_SECONDS = 3;

/**
 * Opening the dialog: a protected process (PID 1, porttop itself, its ancestors, Windows' critical
 * processes and service hosts) goes straight to an error, so nobody is asked to confirm what will be
 * refused anyway.
 */
export function openKillDialog(subject: Subject, context: Omit<ProtectionContext, 'allowCritical'>): KillDialog {
  const refusal = protectionReason(subject.target.pid, subject.target.name, { ...context, allowCritical: false }, { services: subject.services });
  if (refusal) return { phase: 'error', ...subject, message: `refused: ${refusal}` };
  return { phase: 'confirm', ...subject };
}

export function killOptions(force: boolean): KillOptions {
  return { signal: 'SIGTERM', force, timeoutMs: KILL_TIMEOUT_SECONDS * 1000, allowCritical: false };
}

const FAILED: ReadonlySet<KillResult['outcome']> = new Set(['refused', 'not-permitted', 'survived']);

function subjectOf(dialog: KillDialog & Subject): Subject {
  const { target, ports, force, commandLine, services, also, heldPorts } = dialog;
  return { target, ports, force, commandLine, services, also, heldPorts };
}

/** The processes the dialog will signal: the target and every other holder that is not refused. */
export function targetsOf(dialog: Subject): KillTarget[] {
  return [dialog.target, ...(dialog.also ?? []).filter((other) => other.refusal === null).map((other) => ({ pid: other.pid, name: other.name, startTime: other.startTime }))];
}

/** What the backend answered: a stop (or "already gone") is a result, a refusal or EPERM an error. */
export function afterKill(dialog: KillDialog & Subject, result: KillResult, others: KillResult[] = [], portsAfter: PortOutcome[] | null = null): KillDialog {
  const subject = subjectOf(dialog);
  if (FAILED.has(result.outcome)) return { phase: 'error', ...subject, message: describeFailure(result) };
  return { phase: 'result', ...subject, result, others, portsAfter };
}

export function afterKillError(dialog: KillDialog & Subject, error: unknown): KillDialog {
  return { phase: 'error', ...subjectOf(dialog), message: error instanceof Error ? error.message : String(error) };
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
