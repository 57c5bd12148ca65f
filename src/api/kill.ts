// kill: stop every process holding the asked ports, by the kill plan of core/killplan.ts, then look at
// the ports again. No printing: `porttop kill` prints what this returns, the library returns it as is.
import type { Backend } from '../backend.js';
import { planFamily, type FamilyPlan } from '../core/family.js';
import {
  anythingHeld,
  isEndingSignal,
  planKill,
  portOutcomes,
  type KillCandidate,
  type KillPlan,
  type PortFinding,
  type PortOutcome,
} from '../core/killplan.js';
import type { KillOptions, KillResult, Snapshot } from '../core/model.js';
import { portsOfSpans, type PortSpan } from '../core/validate.js';

/** One process porttop was asked to stop, and what happened. */
export interface KillReport {
  pid: number;
  processName: string;
  ports: number[];
  outcome: KillResult['outcome'] | 'would-stop';
  signals: string[];
  message: string;
}

/** One asked port: what held it before, and (after a stop) whether it is free now. */
export interface PortReport {
  port: number;
  found: Omit<PortFinding, 'port'>;
  /** null for --dry-run, a non-ending signal, or a port nothing held */
  after: Omit<PortOutcome, 'port'> | null;
}

/** The shape of `kill --json`. */
export interface KillJson {
  processes: KillReport[];
  ports: PortReport[];
  /** what the snapshot could not see, e.g. a PID reused while porttop read it */
  warnings: string[];
  /** --tree: the family that is (or would be) stopped, topmost first */
  family?: { pid: number; name: string; depth: number }[];
}

/** After every asked port looked free, porttop looks once more this much later: a supervisor restarts at once. */
export const RESPAWN_SETTLE_MS = 300;
const FIRST_LOOK_MS = 20;
const MAX_LOOK_MS = 250;

export interface KillRequest {
  spans: readonly PortSpan[];
  options: KillOptions;
  /** also the owners of mere connections */
  allStates: boolean;
  /** stop each holder's whole family, topmost first */
  tree: boolean;
  dryRun: boolean;
}

/** Everything a stop found and did: the --json shape plus what the command prints from. */
export interface KillRun {
  json: KillJson;
  plan: KillPlan;
  family: FamilyPlan | null;
  /** the processes stopped (or that would be), in order */
  targets: KillCandidate[];
  /** the ports looked at again after the stop, by port */
  byPort: Map<number, PortOutcome>;
  /** the ports were looked at again (not for --dry-run or a signal that does not end a process) */
  verified: boolean;
  /** false: nothing held the ports, nothing was done */
  anythingHeld: boolean;
  /** a process was refused (protected) or the OS said no */
  refusedOrDenied: boolean;
  /** an asked port is still held afterwards (or held by a hidden process) */
  stillHeld: boolean;
}

export async function killWith(backend: Backend, request: KillRequest): Promise<KillRun> {
  const { spans, options, dryRun } = request;
  const localPorts = portsOfSpans(spans);
  const snapshot = await backend.snapshot({ localPorts });
  const protection = {
    platform: backend.platform,
    selfPid: process.pid,
    parentPid: process.ppid,
    ancestors: snapshot.porttopAncestors ?? [process.ppid],
    allowCritical: options.allowCritical,
  };
  const plan = planKill(snapshot, spans, { allStates: request.allStates, protection });
  if (!anythingHeld(plan)) {
    return {
      json: { processes: [], ports: plan.ports.map((found) => portReport(found, null)), warnings: snapshot.warnings },
      plan,
      family: null,
      targets: [],
      byPort: new Map(),
      verified: false,
      anythingHeld: false,
      refusedOrDenied: false,
      stillHeld: false,
    };
  }
  let family: FamilyPlan | null = null;
  if (request.tree) {
    const processes = backend.processTree ? await backend.processTree() : snapshot.processes;
    family = planFamily(plan.candidates, processes, protection);
  }
  const targets = family ? family.order : plan.candidates;
  const reports: KillReport[] = [];
  if (family && !dryRun) {
    // topmost first, one at a time: a supervisor must be gone before its children, or it restarts them
    for (const candidate of targets) {
      const report = await stopOne(backend, snapshot, candidate, options, dryRun);
      // a child that ended with its parent (npm forwards SIGTERM) is not a reused PID
      if (report.outcome === 'gone' && reports.some((earlier) => earlier.outcome === 'stopped')) report.message = 'already gone (it ended with its family)';
      reports.push(report);
    }
  } else {
    reports.push(...(await Promise.all(targets.map((candidate) => stopOne(backend, snapshot, candidate, options, dryRun)))));
  }
  const signalled = reports.some((report) => report.signals.length > 0);
  const verified = !dryRun && (isEndingSignal(options.force ? 'SIGKILL' : options.signal) || backend.platform === 'windows');
  const stopped = new Set(reports.filter((report) => report.outcome === 'stopped' || report.outcome === 'gone').map((report) => report.pid));
  const outcomes = verified ? await verifyPorts(backend, plan, spans, request.allStates, stopped, options.timeoutMs, signalled) : [];
  const byPort = new Map(outcomes.map((outcome) => [outcome.port, outcome]));

  const refusedOrDenied = reports.some((report) => report.outcome === 'refused' || report.outcome === 'not-permitted');
  const stillHeld = verified
    ? outcomes.some((outcome) => outcome.status !== 'free')
    : plan.ports.some((port) => port.hidden > 0 && port.holders.length === 0);
  const json: KillJson = { processes: reports, ports: plan.ports.map((found) => portReport(found, byPort.get(found.port) ?? null)), warnings: snapshot.warnings };
  if (family) json.family = family.order.map((member) => ({ pid: member.pid, name: member.name, depth: family.depth.get(member.pid) ?? 0 }));
  return { json, plan, family, targets, byPort, verified, anythingHeld: true, refusedOrDenied, stillHeld };
}

async function stopOne(backend: Backend, snapshot: Snapshot, candidate: KillCandidate, options: KillOptions, dryRun: boolean): Promise<KillReport> {
  const base = { pid: candidate.pid, processName: candidate.name, ports: candidate.ports };
  if (candidate.refusal) return { ...base, outcome: 'refused', signals: [], message: `refused: ${candidate.refusal}` };
  if (dryRun) {
    const first = options.force ? 'SIGKILL' : options.signal;
    const how = options.force || !isEndingSignal(first) ? `${first} once` : `${first}, then SIGKILL after ${options.timeoutMs / 1000} s`;
    return { ...base, outcome: 'would-stop', signals: [], message: `would stop it (${backend.platform === 'windows' ? 'Stop-Process -Force' : how})` };
  }
  const info = snapshot.processes.get(candidate.pid);
  const result = await backend.kill({ pid: candidate.pid, name: candidate.name, startTime: info?.startTime ?? candidate.startTime }, options);
  return { ...base, outcome: result.outcome, signals: result.signals, message: result.message };
}

/**
 * Looks at the asked ports again until each is free or the time is up. Holders that were signalled get
 * the time to go; a holder porttop did not stop (a survivor of SIGKILL, a restarted child, a hidden one)
 * will not go by waiting, so the answer comes at once. When all look free, one more look after a moment
 * catches a supervisor that starts its child again.
 */
async function verifyPorts(
  backend: Backend,
  plan: KillPlan,
  spans: readonly PortSpan[],
  allStates: boolean,
  stopped: ReadonlySet<number>,
  timeoutMs: number,
  signalled: boolean,
): Promise<PortOutcome[]> {
  const deadline = Date.now() + timeoutMs;
  const localPorts = portsOfSpans(spans);
  let delay = FIRST_LOOK_MS;
  let settled = !signalled;
  for (;;) {
    const outcomes = portOutcomes(plan, await backend.snapshot({ localPorts }), spans, allStates, stopped);
    const held = outcomes.filter((outcome) => outcome.status !== 'free');
    if (held.length === 0) {
      if (settled) return outcomes;
      settled = true;
      await sleep(RESPAWN_SETTLE_MS);
      continue;
    }
    const dying = held.every((outcome) => outcome.status === 'held' && outcome.holders.every((holder) => stopped.has(holder.pid)));
    const left = deadline - Date.now();
    if (!dying || left <= 0) return outcomes;
    await sleep(Math.min(delay, left));
    delay = Math.min(delay * 2, MAX_LOOK_MS);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function portReport(found: PortFinding, after: PortOutcome | null): PortReport {
  const { port, ...rest } = found;
  if (!after) return { port, found: rest, after: null };
  const { port: _port, ...outcome } = after;
  return { port, found: rest, after: outcome };
}

