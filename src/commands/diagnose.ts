// porttop diagnose: is this machine running out of ephemeral ports, which process is doing it, what to do.
import { escapeControl } from '../core/terminal.js';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import type { Backend } from '../backend.js';
import { diagnose, EVENT_WINDOW_MINUTES, verdictReaches, type Diagnosis, type Verdict } from '../core/diagnose.js';
import type { ExhaustionEvents, Snapshot } from '../core/model.js';
import { EXIT, UsageError } from '../errors.js';
import type { Runtime } from '../runtime.js';
import { printJson, withBackend, type GlobalArgs } from './common.js';
import { formatAddress, formatTable } from './format.js';

interface DiagnoseArgs extends GlobalArgs {
  'fail-on'?: string;
}

const FAIL_ON_LEVELS = ['warning', 'exhausted'] as const;

export const diagnoseCommand: CommandModule<GlobalArgs, DiagnoseArgs> = {
  command: 'diagnose',
  describe: 'is this machine running out of ephemeral ports, and which process is doing it',
  builder: (yargs) =>
    (yargs as Argv<GlobalArgs>)
      .option('fail-on', { type: 'string', describe: 'exit 1 when the verdict reaches warning or exhausted (for monitoring and CI)' })
      .example('$0 diagnose', 'verdict, evidence, culprits and advice')
      .example('$0 diagnose --json --fail-on exhausted', 'for a monitoring check: exit 1 when ports ran out') as Argv<DiagnoseArgs>,
  handler: (args) => runDiagnose(args),
};

export function parseFailOn(value: unknown): Verdict | null {
  if (value === undefined) return null;
  const text = String(value).trim().toLowerCase();
  if ((FAIL_ON_LEVELS as readonly string[]).includes(text)) return text as Verdict;
  throw new UsageError(`invalid --fail-on '${String(value)}': expected warning or exhausted`);
}

async function runDiagnose(args: ArgumentsCamelCase<DiagnoseArgs>): Promise<void> {
  const failOn = parseFailOn(args.failOn);
  await withBackend(args, async (backend) => {
    const { diagnosis } = await diagnoseBackend(backend, args.runtime);
    if (args.json) printJson(args.runtime, diagnosisJson(diagnosis));
    else args.runtime.stdout(formatDiagnosis(diagnosis));
    // exit 1 is the "result, not an error" code: monitoring scripts test for it
    if (failOn && verdictReaches(diagnosis.verdict, failOn)) args.runtime.exitCode = EXIT.notFound;
  });
}

/**
 * One diagnosis from a backend; shared with `watch`, which passes the snapshot's totals on. Events are
 * read only where the OS has them, by default over the last EVENT_WINDOW_MINUTES.
 */
export async function diagnoseBackend(backend: Backend, runtime: Runtime, eventsSince?: Date): Promise<{ diagnosis: Diagnosis; snapshot: Snapshot }> {
  const since = eventsSince ?? new Date(Date.now() - EVENT_WINDOW_MINUTES * 60_000);
  const [snapshot, ranges, events] = await Promise.all([backend.snapshot(), backend.getRanges(), readEvents(backend, runtime, since)]);
  return { diagnosis: diagnose({ snapshot, ranges, events, platform: backend.platform }), snapshot };
}

async function readEvents(backend: Backend, runtime: Runtime, since: Date): Promise<ExhaustionEvents | null> {
  if (!backend.events) return null;
  try {
    return await backend.events(since);
  } catch (error) {
    // partial failure is data: the verdict still stands on the sockets
    runtime.stderr(`note: could not read the Tcpip events from the System log: ${error instanceof Error ? error.message : String(error)}\n`);
    return null;
  }
}

/** The stable JSON shape (camelCase). */
export function diagnosisJson(diagnosis: Diagnosis) {
  return {
    verdict: diagnosis.verdict,
    usage: diagnosis.usage.map((range) => ({
      protocol: range.protocol,
      family: range.family,
      start: range.start,
      end: range.end,
      count: range.count,
      inUse: range.inUse,
      percent: range.percent,
      byState: range.byState,
      worstDestination: range.worstDestination,
      worstLocalAddress: range.worstLocalAddress,
      boundPorts: range.boundPorts,
      judgedBy: range.judgedBy,
      judgedPorts: range.judgedPorts,
      judgedPercent: range.judgedPercent,
      verdict: range.verdict,
    })),
    culprits: diagnosis.culprits,
    timeWaitPiles: diagnosis.timeWaitPiles,
    unownedEphemeralPorts: diagnosis.unownedEphemeralPorts,
    events: diagnosis.events,
    evidence: diagnosis.evidence,
    advice: diagnosis.advice,
    stopGap: diagnosis.stopGap,
  };
}

const VERDICT_WORDS: Record<Verdict, string> = {
  ok: 'OK: no sign of ephemeral-port exhaustion',
  warning: 'WARNING: ephemeral ports are running low',
  exhausted: 'EXHAUSTED: ephemeral ports ran out (new connections fail)',
};

export function formatDiagnosis(diagnosis: Diagnosis): string {
  const out: string[] = [`verdict: ${VERDICT_WORDS[diagnosis.verdict]}`, ''];
  const rows = diagnosis.usage.map((range) => [
    `${range.protocol}/${range.family}`,
    `${range.start}-${range.end}`,
    range.count,
    range.inUse,
    `${range.percent}%`,
    range.worstDestination ? `${formatAddress(range.worstDestination.remoteAddress, range.worstDestination.remotePort)} ${range.worstDestination.ports}` : null,
    `${range.judgedPercent}% (${range.judgedBy})`,
    range.verdict === 'ok' ? 'ok' : range.verdict.toUpperCase(),
  ]);
  out.push(formatTable(['RANGE', 'PORTS', 'SIZE', 'IN USE', 'USED', 'BUSIEST DESTINATION', 'JUDGED', 'LEVEL'], rows, new Set([2, 3, 4])).trimEnd());
  out.push('', 'evidence:');
  // evidence and advice name processes: their text is escaped for the terminal
  for (const line of diagnosis.evidence) out.push(`  - ${escapeControl(line)}`);
  if (diagnosis.culprits.length > 0) {
    out.push('', 'culprits (by ephemeral ports held; TIME_WAIT marked ~ when inferred):');
    const culpritRows = diagnosis.culprits.map((c) => [
      c.pid, escapeControl(c.processName), c.ephemeralPorts, c.established,
      c.inferredTimeWait > 0 ? `~${c.timeWait}` : c.timeWait, c.closeWait, c.bound,
      c.handles === null ? null : `${c.handles}${c.handleSuspect ? ' !' : ''}`,
    ]);
    out.push(
      formatTable(['PID', 'NAME', 'EPHEMERAL', 'ESTABLISHED', 'TIME_WAIT', 'CLOSE_WAIT', 'BOUND', 'HANDLES'], culpritRows, new Set([0, 2, 3, 4, 5, 6, 7]))
        .trimEnd()
        .split('\n')
        .map((line) => `  ${line}`)
        .join('\n'),
    );
  }
  out.push('', 'advice:');
  if (diagnosis.advice.length === 0) out.push('  nothing to do');
  diagnosis.advice.forEach((line, index) => out.push(`  ${index + 1}. ${escapeControl(line)}`));
  return `${out.join('\n')}\n`;
}
