// `porttop diagnose`'s verdict as the header's line: the same judgement, in colour and in words.
import { LEVEL_OF_VERDICT, VERDICT_LABELS, verdictDetails } from '../core/diagnose.js';
import type { UsageLevel } from '../core/usage.js';
import type { SnapshotAnalysis } from '../core/view.js';

export interface HeaderVerdict {
  /** drawn in colour and as text: ok -> OK, warning -> WARN, exhausted -> CRIT */
  level: UsageLevel;
  /** OK, WARNING or EXHAUSTED, as `porttop diagnose` says it */
  label: string;
  /** the rest of the line, e.g. "tcp/ipv4 300/300 ports toward 127.0.0.1:8080 (100%) · top PID 1234 node 300 ports" */
  text: string;
}

/** The diagnosis is made once per snapshot, in the refresh loop; this only words it. */
export function verdictFor(analysis: SnapshotAnalysis): HeaderVerdict {
  const { diagnosis } = analysis;
  return {
    level: LEVEL_OF_VERDICT[diagnosis.verdict],
    label: VERDICT_LABELS[diagnosis.verdict],
    text: verdictDetails(diagnosis).join(' · '),
  };
}
