// `porttop diagnose`'s verdict as the header's line: the same judgement and the same words, in colour and in text.
import { verdictDetails } from '../core/diagnose/index.js';
import { VERDICT_LABELS, type Verdict } from '../core/labels.js';
import type { SnapshotAnalysis } from '../core/view.js';

export interface HeaderVerdict {
  verdict: Verdict;
  /** OK, WARNING or EXHAUSTED, as `porttop diagnose` and the gauges say it */
  label: string;
  /** the rest of the line, e.g. "tcp/ipv4 300/300 ports toward 127.0.0.1:8080 (100%) · top PID 1234 node 300 ports" */
  text: string;
}

/** The diagnosis is made once per snapshot, in the refresh loop; this only words it. */
export function verdictFor(analysis: SnapshotAnalysis): HeaderVerdict {
  const { diagnosis } = analysis;
  return { verdict: diagnosis.verdict, label: VERDICT_LABELS[diagnosis.verdict], text: verdictDetails(diagnosis).join(' · ') };
}
