// The slot for `porttop diagnose`'s verdict in the header. The diagnosis lives in its own branch
// (src/core/diagnose.ts); when it is merged, this function maps its verdict onto a header line and
// the header shows it under the range gauges. Until then there is no verdict and no line.
import type { UsageLevel } from '../core/usage.js';
import type { SnapshotAnalysis } from '../core/view.js';

export interface HeaderVerdict {
  /** drawn in colour and as text: ok -> OK, warning -> WARN, exhausted -> CRIT */
  level: UsageLevel;
  /** one line, e.g. "exhausted: tcp/ipv4 97 % in use; top culprit PID 1234 node (15000 ports)" */
  text: string;
}

/** Called once per snapshot (memoized by the App), never per key press. */
export function verdictFor(_analysis: SnapshotAnalysis): HeaderVerdict | null {
  return null;
}
