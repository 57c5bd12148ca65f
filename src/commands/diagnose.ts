// porttop diagnose: is this machine running out of ephemeral ports, which process is doing it, what to do.
import { escapeControl } from '../core/terminal.js';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { poolWords, type Diagnosis } from '../core/diagnose/index.js';
import { formatAddress, rangeKey, VERDICT_LABELS, VERDICT_SENTENCES, verdictReaches } from '../core/labels.js';
import { parseFailOn } from '../core/validate.js';
import { EXIT } from '../errors.js';
import { diagnoseBackend } from '../api/diagnose.js';
import { noteTo, printJson, withBackend, type GlobalArgs } from './common.js';
import { formatTable } from './format.js';

interface DiagnoseArgs extends GlobalArgs {
  'fail-on'?: string;
}

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

async function runDiagnose(args: ArgumentsCamelCase<DiagnoseArgs>): Promise<void> {
  const failOn = parseFailOn(args.failOn);
  await withBackend(args, async (backend) => {
    const { diagnosis } = await diagnoseBackend(backend, { note: noteTo(args.runtime) });
    if (args.json) printJson(args.runtime, diagnosisJson(diagnosis));
    else args.runtime.stdout(formatDiagnosis(diagnosis));
    // exit 1 is the "result, not an error" code: monitoring scripts test for it
    if (failOn && verdictReaches(diagnosis.verdict, failOn)) args.runtime.exitCode = EXIT.notFound;
  });
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
      reserved: range.reserved,
      usable: range.usable,
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
    hiddenOwners: diagnosis.hiddenOwners,
    totals: diagnosis.totals,
    events: diagnosis.events,
    evidence: diagnosis.evidence,
    advice: diagnosis.advice,
    stopGap: diagnosis.stopGap,
  };
}

export function formatDiagnosis(diagnosis: Diagnosis): string {
  const out: string[] = [`verdict: ${VERDICT_SENTENCES[diagnosis.verdict]}`, ''];
  const rows = diagnosis.usage.map((range) => [
    rangeKey(range),
    `${range.start}-${range.end}`,
    range.count,
    range.inUse,
    `${range.percent}%`,
    range.worstDestination ? `${formatAddress(range.worstDestination.remoteAddress, range.worstDestination.remotePort)} ${range.worstDestination.ports}` : null,
    `${range.judgedPercent}% (${range.judgedBy})`,
    VERDICT_LABELS[range.verdict],
  ]);
  out.push(formatTable(['RANGE', 'PORTS', 'SIZE', 'IN USE', 'USED', 'BUSIEST DESTINATION', 'JUDGED', 'LEVEL'], rows, new Set([2, 3, 4])).trimEnd());
  for (const range of diagnosis.usage) if (range.reserved > 0) out.push(`${rangeKey(range)}: ${poolWords(range)}`);
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
