// How much of a dynamic port range is in use, and the one judgement of a share: the gauge of the
// live view, `watch` and `diagnose` all read a percent through verdictOfPercent.
import type { ExcludedRange, PortRange } from './model.js';
import type { Verdict } from './labels.js';

/** At or above this share of the usable pool in use, the verdict is warning. */
export const WARNING_PERCENT = 70;
/** At or above this share of the usable pool in use, the range counts as exhausted. */
export const EXHAUSTED_PERCENT = 95;

export interface RangeUsage extends PortRange {
  /** ports of the range the OS reserved for others (Windows excluded ranges: Hyper-V, WSL, Docker) */
  reserved: number;
  /** count - reserved: the ports connections can really take; every percent is of this pool */
  usable: number;
  /** distinct local ports inside the range held by non-listening sockets (TIME_WAIT and BOUND included) */
  inUse: number;
  /** inUse / usable * 100, one decimal */
  percent: number;
  /** those sockets by state; UDP endpoints count as UDP */
  byState: Record<string, number>;
}

export function percentOf(part: number, whole: number): number {
  return whole === 0 ? (part === 0 ? 0 : 100) : Math.round((part / whole) * 1000) / 10;
}

export function verdictOfPercent(percent: number): Verdict {
  if (percent >= EXHAUSTED_PERCENT) return 'exhausted';
  if (percent >= WARNING_PERCENT) return 'warning';
  return 'ok';
}

/**
 * Ports of `range` inside the excluded ranges of the same protocol and family. Excluded ranges may
 * overlap each other (netsh lists administered and dynamic reservations apart): a port counts once.
 */
export function reservedPorts(range: PortRange, excluded: readonly ExcludedRange[]): number {
  const spans = excluded
    .filter((span) => span.protocol === range.protocol && span.family === range.family)
    .map((span) => [Math.max(span.start, range.start), Math.min(span.end, range.end)] as const)
    .filter(([start, end]) => start <= end)
    .sort((a, b) => a[0] - b[0]);
  let reserved = 0;
  let coveredTo = range.start - 1;
  for (const [start, end] of spans) {
    const from = Math.max(start, coveredTo + 1);
    if (end >= from) reserved += end - from + 1;
    coveredTo = Math.max(coveredTo, end);
  }
  return reserved;
}

/** The range that decides: the highest judged share; the first one wins a tie. */
export function worstRange<T extends { judgedPercent: number }>(ranges: readonly T[]): T | undefined {
  return ranges.reduce<T | undefined>((worst, range) => (!worst || range.judgedPercent > worst.judgedPercent ? range : worst), undefined);
}
