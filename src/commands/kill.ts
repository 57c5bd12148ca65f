// porttop kill <port|from-to>...: stop every process holding those ports, then prove the ports are free.
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import type { Backend } from '../backend.js';
import {
  anythingHeld,
  describePortOutcome,
  isEndingSignal,
  planKill,
  portOutcomes,
  type KillCandidate,
  type KillPlan,
  type PortFinding,
  type PortOutcome,
} from '../core/killplan.js';
import type { KillOptions, KillResult, Snapshot } from '../core/model.js';
import { planFamily, type FamilyPlan } from '../core/family.js';
import { safeText } from '../core/terminal.js';
import { parsePortSpans, parseSeconds, parseSignal, portsOfSpans, rejectFlagValues, type PortSpan } from '../core/validate.js';
import { EXIT, UsageError } from '../errors.js';
import type { Runtime } from '../runtime.js';
import { printJson, withBackend, type GlobalArgs } from './common.js';
import { describeSpans } from './format.js';

interface KillArgs extends GlobalArgs {
  ports: string[];
  'all-states': boolean;
  force: boolean;
  signal: string;
  timeout: string;
  'dry-run': boolean;
  'allow-critical': boolean;
  tree: boolean;
}

const FLAGS = ['all-states', 'force', 'dry-run', 'allow-critical', 'tree', 'json'] as const;

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

export const killCommand: CommandModule<GlobalArgs, KillArgs> = {
  command: 'kill <ports..>',
  describe: 'stop every process holding those ports (SIGTERM, then SIGKILL), then check the ports are free',
  builder: (yargs) =>
    (yargs as Argv<GlobalArgs>)
      .positional('ports', { type: 'string', array: true, describe: 'ports (8080) or ranges (8000-8099)', demandOption: true })
      .option('all-states', { type: 'boolean', default: false, describe: 'also stop owners of connections (not just listeners, bound sockets and UDP)' })
      .option('force', { type: 'boolean', default: false, describe: 'SIGKILL at once (Windows: always Stop-Process -Force)' })
      .option('signal', { type: 'string', default: 'SIGTERM', nargs: 1, describe: 'first signal, by name (TERM, HUP) or number (15, 9); only TERM, INT, QUIT, ABRT and KILL are escalated' })
      .option('timeout', { type: 'string', default: '3', nargs: 1, describe: 'seconds to wait before escalating to SIGKILL, and for the ports to come free' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'only print what would be stopped' })
      .option('tree', { type: 'boolean', default: false, describe: "stop each holder's whole family: the topmost parent below the shell or service manager first, so a supervisor cannot restart it" })
      .option('allow-critical', { type: 'boolean', default: false, describe: 'Windows: allow csrss, lsass, services, service hosts and other critical processes' })
      .example('$0 kill 8080', 'stop whatever listens on port 8080 and check it is free')
      .example('$0 kill 3000 --tree --dry-run', 'show the family (npm, nodemon, node) that --tree would stop')
      .example('$0 kill 3000-3010 --dry-run', 'show what would be stopped') as Argv<KillArgs>,
  handler: (args) => runKill(args),
};

async function runKill(args: ArgumentsCamelCase<KillArgs>): Promise<void> {
  rejectFlagValues(args.rawArgs ?? [], FLAGS);
  const signalGiven = (args.rawArgs ?? []).some((argument) => argument === '--signal' || argument.startsWith('--signal='));
  if (args.force && signalGiven) throw new UsageError(`conflicting --force and --signal '${args.signal}': --force sends SIGKILL at once; give one of them`);
  const spans = parsePortSpans(args.ports);
  const options: KillOptions = {
    signal: parseSignal(args.signal),
    force: args.force,
    timeoutMs: parseSeconds(args.timeout, '--timeout', 0, 600) * 1000,
    allowCritical: args.allowCritical,
  };
  const { runtime } = args;
  await withBackend(args, async (backend) => {
    const localPorts = portsOfSpans(spans);
    const snapshot = await backend.snapshot({ localPorts });
    const protection = {
      platform: backend.platform,
      selfPid: process.pid,
      parentPid: process.ppid,
      ancestors: snapshot.porttopAncestors ?? [process.ppid],
      allowCritical: options.allowCritical,
    };
    const plan = planKill(snapshot, spans, { allStates: args.allStates, protection });
    if (!anythingHeld(plan)) {
      runtime.exitCode = EXIT.notFound;
      if (args.json) printJson(runtime, { processes: [], ports: plan.ports.map((found) => portReport(found, null)), warnings: snapshot.warnings } satisfies KillJson);
      else {
        runtime.stdout(plan.ports.length === 0 ? `nothing uses ${describeSpans(spans)}\n` : findingLines(plan.ports, backend.platform).map((line) => `${line}\n`).join(''));
        for (const warning of snapshot.warnings) runtime.stderr(`note: ${warning}\n`);
      }
      return;
    }
    let family: FamilyPlan | null = null;
    if (args.tree) {
      const processes = backend.processTree ? await backend.processTree() : snapshot.processes;
      family = planFamily(plan.candidates, processes, protection);
    }
    const targets = family ? family.order : plan.candidates;
    const dryRun = args.dryRun;
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
    const verify = !dryRun && (isEndingSignal(options.force ? 'SIGKILL' : options.signal) || backend.platform === 'windows');
    const stopped = new Set(reports.filter((report) => report.outcome === 'stopped' || report.outcome === 'gone').map((report) => report.pid));
    const outcomes = verify ? await verifyPorts(backend, plan, spans, args.allStates, stopped, options.timeoutMs, signalled) : [];
    const byPort = new Map(outcomes.map((outcome) => [outcome.port, outcome]));

    const refusedOrDenied = reports.some((report) => report.outcome === 'refused' || report.outcome === 'not-permitted');
    const stillHeld = verify
      ? outcomes.some((outcome) => outcome.status !== 'free')
      : plan.ports.some((port) => port.hidden > 0 && port.holders.length === 0);
    if (refusedOrDenied) runtime.exitCode = EXIT.notPermitted;
    else if (stillHeld && !dryRun) runtime.exitCode = EXIT.stillHeld;

    if (args.json) {
      const json: KillJson = { processes: reports, ports: plan.ports.map((found) => portReport(found, byPort.get(found.port) ?? null)), warnings: snapshot.warnings };
      if (family) json.family = family.order.map((member) => ({ pid: member.pid, name: member.name, depth: family.depth.get(member.pid) ?? 0 }));
      printJson(runtime, json);
      return;
    }
    if (family && dryRun) runtime.stdout(describeFamily(family));
    for (const report of reports) (isFailure(report) ? runtime.stderr : runtime.stdout)(`${describeReport(report)}\n`);
    for (const candidate of targets) for (const warning of candidate.warnings) runtime.stdout(`  note: PID ${candidate.pid} ${safeText(candidate.name)}: ${safeText(warning)}\n`);
    printPorts(runtime, plan, byPort, backend.platform, verify);
    for (const warning of snapshot.warnings) runtime.stderr(`note: ${warning}\n`);
  });
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

function printPorts(runtime: Runtime, plan: KillPlan, byPort: ReadonlyMap<number, PortOutcome>, platform: 'linux' | 'windows', verified: boolean): void {
  const unverified: PortFinding[] = [];
  for (const found of plan.ports) {
    const outcome = byPort.get(found.port);
    if (outcome) {
      const line = safeText(describePortOutcome(outcome, platform));
      (outcome.status === 'free' ? runtime.stdout : runtime.stderr)(`${line}\n`);
    } else if (found.holders.length === 0 || !verified) unverified.push(found);
  }
  for (const line of findingLines(unverified, platform)) (/hidden/.test(line) ? runtime.stderr : runtime.stdout)(`${line}\n`);
}

/**
 * A line per port named on its own or held; ports a range only covers, with nothing to stop on them
 * (connections, TIME_WAIT), are counted in one line instead of a line each.
 */
function findingLines(findings: readonly PortFinding[], platform: 'linux' | 'windows'): string[] {
  const lines: string[] = [];
  let quiet = 0;
  for (const found of findings) {
    if (!found.named && found.holders.length === 0 && found.hidden === 0) quiet++;
    else lines.push(describeFinding(found, platform));
  }
  if (quiet > 0) lines.push(`${quiet} more port${quiet === 1 ? '' : 's'} in the range${quiet === 1 ? ' has' : 's have'} only connections or TIME_WAIT sockets: nothing to stop (see porttop who)`);
  return lines;
}

const runAs = (platform: 'linux' | 'windows') => (platform === 'windows' ? 'Administrator' : 'root (sudo)');

/** A port before the stop, for ports with nothing to stop (or --dry-run). */
function describeFinding(found: PortFinding, platform: 'linux' | 'windows'): string {
  const parts: string[] = [];
  if (found.holders.length > 0) parts.push(`held by PID ${found.holders.join(', ')}`);
  if (found.hidden > 0) parts.push(`held by a process hidden from this user: run porttop as ${runAs(platform)}`);
  if (found.connections > 0) parts.push(`${found.connections} connection${found.connections === 1 ? ' uses' : 's use'} it; add --all-states to stop their owners too`);
  if (found.unowned > 0) parts.push(`${found.unowned} socket${found.unowned === 1 ? '' : 's'} without a process (TIME_WAIT, or its process just went): nothing to stop`);
  if (parts.length === 0) return `port ${found.port}: nothing holds it`;
  return `port ${found.port}: ${parts.join('; ')}`;
}

function describeFamily(family: FamilyPlan): string {
  const lines = ['--tree would stop this family, topmost first:'];
  for (const member of family.order) {
    const depth = family.depth.get(member.pid) ?? 0;
    const command = member.commandLine ? `  ${safeText(member.commandLine).slice(0, 100)}` : '';
    lines.push(`${'  '.repeat(depth + 1)}${depth > 0 ? '└ ' : ''}PID ${member.pid} ${safeText(member.name)}${command}${member.refusal ? `  (refused: ${safeText(member.refusal)})` : ''}`);
  }
  if (family.stoppedAt) lines.push(`  (above it: PID ${family.stoppedAt.pid} ${safeText(family.stoppedAt.name)}, ${family.stoppedAt.reason}: left alone)`);
  return `${lines.join('\n')}\n`;
}

function isFailure(report: KillReport): boolean {
  return report.outcome === 'refused' || report.outcome === 'not-permitted' || report.outcome === 'survived';
}

function describeReport(report: KillReport): string {
  const ports = report.ports.length === 0 ? 'family' : `port${report.ports.length === 1 ? '' : 's'} ${report.ports.join(', ')}`;
  return `PID ${report.pid} ${safeText(report.processName)} (${ports}): ${safeText(report.message)}`;
}
