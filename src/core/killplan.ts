// The kill plan, pure: which processes `kill` (and the live view's kill dialog) would stop for the asked
// ports, which of them are refused and why, and, after the signals, whether each port is really free.
import { ownersHidden, runAs } from './explain.js';
import type { Endpoint, ProcessInfo, Snapshot } from './model.js';
import { protectionReason, type ProtectionContext } from './protect.js';
import { endpointsOnPorts, holdsPort } from './select.js';
import type { PortSpan } from './validate.js';

/** Signals meant to end a process: porttop waits for the end and escalates to SIGKILL; others are sent once. */
export const ENDING_SIGNALS: ReadonlySet<string> = new Set(['SIGTERM', 'SIGKILL', 'SIGINT', 'SIGQUIT', 'SIGABRT']);

export function isEndingSignal(signal: string): boolean {
  return ENDING_SIGNALS.has(signal);
}

/** One process the plan would stop. */
export interface KillCandidate {
  pid: number;
  name: string;
  startTime: string | null;
  commandLine: string | null;
  parentPid: number | null;
  /** ancestors, nearest first, as far as the backend read them */
  parentChain: { pid: number; name: string }[];
  /** the asked ports it holds ([] for a family member added by --tree) */
  ports: number[];
  /** why porttop will not stop it, or null */
  refusal: string | null;
  /** things to know before stopping it (a systemd service's main process restarts) */
  warnings: string[];
}

/** What one asked port looked like before the stop. */
export interface PortFinding {
  port: number;
  /** named on its own (`kill 8080`), not only covered by a range (`kill 8000-8099`) */
  named: boolean;
  /** visible processes holding it (listeners, bound sockets, UDP; with --all-states also connections) */
  holders: number[];
  /** sockets on it that hold the port but whose holder this user may not see */
  hidden: number;
  /**
   * listeners, bound and UDP sockets on it that no process porttop read holds, though it read every
   * process: the holder runs in another PID namespace (a container) or the kernel keeps the socket
   * (or its process exited while porttop read: one look cannot tell). Nothing porttop can stop.
   */
  outside: number;
  /** connections on it owned by a process, not counted as holding the port (without --all-states) */
  connections: number;
  /** sockets on it with no process at all that do not hold it (TIME_WAIT, closing, a connection whose process just went) */
  unowned: number;
}

export interface KillPlan {
  ports: PortFinding[];
  candidates: KillCandidate[];
}

export interface PlanOptions {
  allStates: boolean;
  protection: ProtectionContext;
}

/** The ports a person named one by one are always reported; of a range, only the ports something uses. */
export function reportedPorts(spans: readonly PortSpan[], endpoints: readonly Endpoint[]): number[] {
  const ports = new Set<number>();
  for (const span of spans) if (span.from === span.to) ports.add(span.from);
  for (const endpoint of endpointsOnPorts(endpoints, spans)) ports.add(endpoint.localPort);
  return [...ports].sort((a, b) => a - b);
}

export function planKill(snapshot: Snapshot, spans: readonly PortSpan[], options: PlanOptions): KillPlan {
  const onPorts = endpointsOnPorts(snapshot.endpoints, spans);
  const hiddenPossible = ownersHidden(snapshot);
  const ports: PortFinding[] = [];
  const portsOf = new Map<number, Set<number>>();
  const named = new Set(spans.filter((span) => span.from === span.to).map((span) => span.from));
  for (const port of reportedPorts(spans, onPorts)) {
    const finding: PortFinding = { port, named: named.has(port), holders: [], hidden: 0, outside: 0, connections: 0, unowned: 0 };
    const holders = new Set<number>();
    for (const endpoint of onPorts) {
      if (endpoint.localPort !== port) continue;
      const counts = options.allStates || holdsPort(endpoint);
      if (endpoint.holders.length === 0) {
        const unnamed = unnamedHolder(endpoint, counts, hiddenPossible);
        if (unnamed === 'hidden') finding.hidden++;
        else if (unnamed === 'outside') finding.outside++;
        else finding.unowned++;
      } else if (counts) {
        for (const pid of endpoint.holders) {
          holders.add(pid);
          let held = portsOf.get(pid);
          if (!held) portsOf.set(pid, (held = new Set()));
          held.add(port);
        }
      } else finding.connections++;
    }
    finding.holders = [...holders].sort((a, b) => a - b);
    ports.push(finding);
  }
  const candidates = [...portsOf.keys()]
    .sort((a, b) => a - b)
    .map((pid) => candidateOf(pid, snapshot.processes.get(pid), [...portsOf.get(pid)!].sort((a, b) => a - b), options.protection));
  return { ports, candidates };
}

/**
 * Why a socket that no visible process holds is there: `hidden` when some processes could not be read
 * (the holder may be one of them: run as root), `outside` when every process was read and it still
 * holds the port (another PID namespace, or the kernel), null when it does not hold the port.
 */
function unnamedHolder(endpoint: Endpoint, counts: boolean, hiddenPossible: boolean): 'hidden' | 'outside' | null {
  if (!counts || endpoint.state === 'TIME_WAIT') return null;
  if (hiddenPossible) return 'hidden';
  return holdsPort(endpoint) ? 'outside' : null;
}

export function candidateOf(pid: number, info: ProcessInfo | undefined, ports: number[], protection: ProtectionContext): KillCandidate {
  const name = info?.name ?? '?';
  const warnings: string[] = [];
  if (info?.unit && isServiceUnit(info.unit)) {
    const stop = `systemctl${info.userUnit ? ' --user' : ''} stop ${info.unit}`;
    warnings.push(`it runs in the systemd unit ${info.unit}, which may start it again: ${stop} stops it for good`);
  }
  return {
    pid,
    name,
    startTime: info?.startTime ?? null,
    commandLine: info?.commandLine ?? null,
    parentPid: info?.parentPid ?? null,
    parentChain: info?.parentChain ?? [],
    ports,
    refusal: protectionReason(pid, name, protection, { services: info?.services }),
    warnings,
  };
}

/** A unit that systemd restarts (a .service); session scopes and slices are not restarted. */
export function isServiceUnit(unit: string): boolean {
  return unit.endsWith('.service') && !/^user@\d+\.service$/.test(unit);
}

/** Whether anything on the asked ports was held before the stop (else `kill` has nothing to do: exit 1). */
export function anythingHeld(plan: KillPlan): boolean {
  return plan.ports.some((port) => port.holders.length > 0 || port.hidden > 0);
}

/** An asked port after the stop. */
export interface PortOutcome {
  port: number;
  /** free: nothing holds it; held: a process still (or again) holds it; hidden: a holder this user may not see */
  status: 'free' | 'held' | 'hidden';
  /** who holds it now, with the supervisor that restarted it where one is recognised */
  holders: { pid: number; processName: string; restartedBy: { pid: number; name: string } | null }[];
  /** TIME_WAIT (and other ownerless) sockets left on it: they hold no listener and go by themselves */
  timeWait: number;
}

/**
 * Looks at the asked ports again. A holder PID that porttop saw stop and that has no process any more is
 * a row the OS has not dropped yet (Windows tables lag), not a holder.
 */
export function portOutcomes(plan: KillPlan, after: Snapshot, spans: readonly PortSpan[], allStates: boolean, stopped: ReadonlySet<number>): PortOutcome[] {
  const onPorts = endpointsOnPorts(after.endpoints, spans);
  const hiddenPossible = ownersHidden(after);
  const before = new Map(plan.candidates.map((candidate) => [candidate.pid, candidate]));
  const outcomes: PortOutcome[] = [];
  for (const finding of plan.ports) {
    if (finding.holders.length === 0 && finding.hidden === 0) continue;
    const holders = new Set<number>();
    let hidden = 0;
    let timeWait = 0;
    for (const endpoint of onPorts) {
      if (endpoint.localPort !== finding.port) continue;
      const counts = allStates || holdsPort(endpoint);
      if (endpoint.holders.length === 0) {
        // after a stop, a socket whose process just exited looks like one held from outside: not a holder
        if (unnamedHolder(endpoint, counts, hiddenPossible) === 'hidden') hidden++;
        else timeWait++;
      } else if (counts) {
        for (const pid of endpoint.holders) if (!(stopped.has(pid) && !after.processes.has(pid))) holders.add(pid);
      }
    }
    const status = holders.size > 0 ? 'held' : hidden > 0 ? 'hidden' : 'free';
    outcomes.push({
      port: finding.port,
      status,
      holders: [...holders].sort((a, b) => a - b).map((pid) => ({
        pid,
        processName: after.processes.get(pid)?.name ?? '?',
        restartedBy: before.has(pid) ? null : restarter(pid, after, before),
      })),
      timeWait,
    });
  }
  return outcomes;
}

/**
 * A new holder whose parent (or a nearer ancestor) was the parent of a process porttop stopped: that
 * ancestor started it again (nodemon, npm, a respawning shell loop).
 */
function restarter(pid: number, after: Snapshot, before: ReadonlyMap<number, KillCandidate>): { pid: number; name: string } | null {
  const info = after.processes.get(pid);
  const parentPid = info?.parentPid ?? null;
  const chain = info?.parentChain ?? (parentPid ? [{ pid: parentPid, name: after.processes.get(parentPid)?.name ?? '?' }] : []);
  const stoppedParents = new Set<number>();
  // PID 1 adopts orphans and a service manager restarts by design: only a real parent counts here
  for (const candidate of before.values()) if (candidate.parentPid !== null && candidate.parentPid > 1) stoppedParents.add(candidate.parentPid);
  for (const ancestor of chain) if (stoppedParents.has(ancestor.pid)) return ancestor;
  return null;
}

/**
 * "port 3000 is free", "port 3000 is still held by PID 4188 node (restarted by PID 4110 nodemon: stop
 * that, or use --tree)": the proof after a stop, in words. Raw process text: callers escape it.
 */
export function describePortOutcome(outcome: PortOutcome, platform: 'linux' | 'windows'): string {
  const timeWait = outcome.timeWait > 0 ? ` (${outcome.timeWait} TIME_WAIT socket${outcome.timeWait === 1 ? '' : 's'} left: they hold no listener and go by themselves)` : '';
  if (outcome.status === 'free') return `port ${outcome.port} is free${timeWait}`;
  if (outcome.status === 'hidden') return `port ${outcome.port} is still held by a process hidden from this user: run porttop as ${runAs(platform)}`;
  const holders = outcome.holders.map((holder) => {
    const restarted = holder.restartedBy ? ` (restarted by PID ${holder.restartedBy.pid} ${holder.restartedBy.name}: stop that, or use --tree)` : '';
    return `PID ${holder.pid} ${holder.processName}${restarted}`;
  });
  return `port ${outcome.port} is still held by ${holders.join(', ')}`;
}
