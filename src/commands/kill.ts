// porttop kill <port|from-to>...: stop every process holding those ports, then prove the ports are free.
import type { ArgumentsCamelCase } from 'yargs';
import { killWith, type KillReport } from '../api/kill.js';
import type { FamilyPlan } from '../core/family.js';
import { OUTSIDE_HOLDER, runAs } from '../core/explain.js';
import { describePortOutcome, type KillPlan, type PortFinding, type PortOutcome } from '../core/killplan.js';
import type { KillOptions } from '../core/model.js';
import { safeText } from '../core/terminal.js';
import { parsePortSpans, parseSeconds, parseSignal, rejectFlagValues, type PortSpan } from '../core/validate.js';
import { EXIT, UsageError } from '../errors.js';
import type { Runtime } from '../runtime.js';
import { printJson, withBackend, type GlobalArgs } from './common.js';
import { defineCommand } from './define.js';
import { describeSpans } from './format.js';

// the shapes of `kill --json` live with the stop itself (src/api/kill.ts), which the library shares
export type { KillJson } from '../api/kill.js';

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

export const killCommand = defineCommand<KillArgs>({
  command: 'kill <ports..>',
  describe: 'stop every process holding those ports (SIGTERM, then SIGKILL), then check the ports are free',
  positionals: { ports: { type: 'string', array: true, describe: 'ports (8080) or ranges (8000-8099)', demandOption: true } },
  options: {
    'all-states': { type: 'boolean', default: false, describe: 'also stop owners of connections (not just listeners, bound sockets and UDP)' },
    force: { type: 'boolean', default: false, describe: 'SIGKILL at once (Windows: always Stop-Process -Force)' },
    signal: { type: 'string', default: 'SIGTERM', nargs: 1, describe: 'first signal, by name (TERM, HUP) or number (15, 9); only TERM, INT, QUIT, ABRT and KILL are escalated' },
    timeout: { type: 'string', default: '3', nargs: 1, describe: 'seconds to wait before escalating to SIGKILL, and for the ports to come free' },
    'dry-run': { type: 'boolean', default: false, describe: 'only print what would be stopped' },
    tree: { type: 'boolean', default: false, describe: "stop each holder's whole family: the topmost parent below the shell or service manager first, so a supervisor cannot restart it" },
    'allow-critical': { type: 'boolean', default: false, describe: 'Windows: allow csrss, lsass, services, service hosts and other critical processes' },
  },
  examples: [
    ['$0 kill 8080', 'stop whatever listens on port 8080 and check it is free'],
    ['$0 kill 3000 --tree --dry-run', 'show the family (npm, nodemon, node) that --tree would stop'],
    ['$0 kill 3000-3010 --dry-run', 'show what would be stopped'],
  ],
  handler: (args) => runKill(args),
});

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
    const dryRun = args.dryRun;
    const run = await killWith(backend, { spans, options, allStates: args.allStates, tree: args.tree, dryRun });
    const { plan, family, targets, byPort } = run;
    if (!run.anythingHeld) {
      runtime.exitCode = EXIT.notFound;
      if (args.json) printJson(runtime, run.json);
      else {
        runtime.stdout(plan.ports.length === 0 ? `nothing uses ${describeSpans(spans)}\n` : findingLines(plan.ports, backend.platform).map((line) => `${line.text}\n`).join(''));
        for (const warning of run.json.warnings) runtime.stderr(`note: ${warning}\n`);
      }
      return;
    }
    const { refusedOrDenied, stillHeld } = run;
    const verify = run.verified;
    const reports = run.json.processes;
    if (refusedOrDenied) runtime.exitCode = EXIT.notPermitted;
    else if (stillHeld && !dryRun) runtime.exitCode = EXIT.stillHeld;

    if (args.json) {
      printJson(runtime, run.json);
      return;
    }
    if (family && dryRun) runtime.stdout(describeFamily(family));
    for (const report of reports) (isFailure(report) ? runtime.stderr : runtime.stdout)(`${describeReport(report)}\n`);
    for (const candidate of targets) for (const warning of candidate.warnings) runtime.stdout(`  note: PID ${candidate.pid} ${safeText(candidate.name)}: ${safeText(warning)}\n`);
    printPorts(runtime, plan, byPort, backend.platform, verify);
    for (const warning of run.json.warnings) runtime.stderr(`note: ${warning}\n`);
  });
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
  for (const line of findingLines(unverified, platform)) (line.unstoppable ? runtime.stderr : runtime.stdout)(`${line.text}\n`);
}

/**
 * A line per port named on its own or held; ports a range only covers, with nothing to stop on them
 * (connections, TIME_WAIT), are counted in one line instead of a line each.
 */
function findingLines(findings: readonly PortFinding[], platform: 'linux' | 'windows'): { text: string; unstoppable: boolean }[] {
  const lines: { text: string; unstoppable: boolean }[] = [];
  let quiet = 0;
  for (const found of findings) {
    // held by a holder porttop cannot name or reach: an error line
    const unstoppable = found.hidden > 0 || found.outside > 0;
    if (!found.named && found.holders.length === 0 && !unstoppable) quiet++;
    else lines.push({ text: describeFinding(found, platform), unstoppable });
  }
  if (quiet > 0) {
    const text = `${quiet} more port${quiet === 1 ? '' : 's'} in the range${quiet === 1 ? ' has' : 's have'} only connections or TIME_WAIT sockets: nothing to stop (see porttop who)`;
    lines.push({ text, unstoppable: false });
  }
  return lines;
}


/** A port before the stop, for ports with nothing to stop (or --dry-run). */
function describeFinding(found: PortFinding, platform: 'linux' | 'windows'): string {
  const parts: string[] = [];
  if (found.holders.length > 0) parts.push(`held by PID ${found.holders.join(', ')}`);
  if (found.hidden > 0) parts.push(`held by a process hidden from this user: run porttop as ${runAs(platform)}`);
  if (found.outside > 0) parts.push(`held by ${OUTSIDE_HOLDER[platform]}: nothing porttop can stop (if its process just exited, the port is free: porttop who ${found.port})`);
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
