// Ephemeral-port exhaustion: a verdict, the evidence in words, the culprits and what to do, from one
// snapshot, the dynamic ranges, the ranges the OS reserved and (Windows) the Tcpip System-log events.
// Pure and cheap enough for every refresh of the live view. The parts, in the order they run:
//   ../tally.ts   the one pass over the sockets (shared with the per-process rows)
//   timewait.ts   owners for TIME_WAIT piles, by inference
//   judge.ts      the verdict per range, of its usable pool
//   culprits.ts   the processes behind it, ranked
//   stopgap.ts    a wider range to buy time, or none
//   words.ts      evidence and advice in words
import { worseVerdict, type Verdict } from '../labels.js';
import { tallySnapshot, type SnapshotTally } from '../tally.js';
import { rankCulprits } from './culprits.js';
import { judgeRanges, verdictOfEvents } from './judge.js';
import { suggestStopGap } from './stopgap.js';
import { attributeTimeWait } from './timewait.js';
import type { DiagnoseInput, Diagnosis } from './types.js';
import { describeAdvice, describeEvidence } from './words.js';

export * from './types.js';
export { CULPRIT_LIMIT } from './culprits.js';
export { EXHAUSTION_EVENT_IDS, WARNING_EVENT_IDS } from './judge.js';
export { PREFERRED_LOWEST_START, suggestRange } from './stopgap.js';
export { TIME_WAIT_PILE_LIMIT } from './timewait.js';
export { BOUND_NOTABLE, CLOSE_WAIT_NOTABLE, poolWords, TIME_WAIT_NOTABLE, verdictDetails } from './words.js';

/** How far back `diagnose` reads the System log. */
export const EVENT_WINDOW_MINUTES = 60;

export function diagnose(input: DiagnoseInput): Diagnosis {
  return diagnoseTally(tallySnapshot(input.snapshot, input.ranges), input);
}

/**
 * The diagnosis of a pass already made (the live view makes one per refresh for its rows too).
 * It attributes TIME_WAIT sockets into the tally, so one tally is diagnosed once.
 */
export function diagnoseTally(tally: SnapshotTally, input: Omit<DiagnoseInput, 'snapshot' | 'ranges'>): Diagnosis {
  const { events, platform } = input;
  const timeWaitPiles = attributeTimeWait(tally);
  const usage = judgeRanges(tally, platform, input.excluded ?? []);
  const verdict = usage.reduce<Verdict>((worst, range) => worseVerdict(worst, range.verdict), verdictOfEvents(events));
  const culprits = rankCulprits(tally);
  const stopGap = verdict === 'ok' ? null : suggestStopGap(usage, platform);
  const unownedEphemeralPorts = tally.unowned.ports;
  const facts = {
    platform, verdict, usage, culprits, events, timeWaitPiles, unownedEphemeralPorts,
    unownedByState: tally.unowned.byState, stopGap, warnings: tally.snapshot.warnings, elevated: input.elevated ?? false,
  };
  return {
    verdict,
    usage,
    culprits,
    events,
    evidence: describeEvidence(facts),
    advice: describeAdvice(facts),
    timeWaitPiles,
    unownedEphemeralPorts,
    hiddenOwners: tally.snapshot.hiddenOwners ?? 0,
    totals: tally.totals,
    stopGap,
  };
}
