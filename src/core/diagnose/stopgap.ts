// The stop-gap: a wider dynamic range that buys time, as the exact `porttop range set` command and its
// undo. A range porttop cannot widen by its own rules (already as wide as it gets, or starting below
// what `range set` accepts, as Windows allows) gets no suggestion: never an error.
import { rangeSetCommand } from '../labels.js';
import type { Family, Platform, PortRange, Protocol } from '../model.js';
import { DEFAULT_RANGES, rangesAreShared } from '../ranges.js';
import { worstRange } from '../usage.js';
import { RANGE_RULES, rangeValuesProblem } from '../validate.js';
import type { RangeDiagnosis, StopGap } from './types.js';

/** Suggested widenings do not start below this port unless the range already does (keeps well-known service ports out). */
export const PREFERRED_LOWEST_START = 10_000;

/**
 * A range smaller than the OS default goes back to the default; otherwise it doubles, keeping its
 * start where it fits and never starting below PREFERRED_LOWEST_START unless it already does. null
 * when no wider range passes the rules `porttop range set` applies.
 */
export function suggestRange(range: PortRange, platform: Platform): { start: number; count: number } | null {
  const osDefault = DEFAULT_RANGES[platform];
  if (range.count < osDefault.count) return { start: osDefault.start, count: osDefault.count };
  const lowestStart = Math.max(RANGE_RULES.minStart, Math.min(range.start, PREFERRED_LOWEST_START));
  const count = Math.min(RANGE_RULES.maxEnd - lowestStart + 1, range.count * 2);
  if (count <= range.count) return null;
  const start = Math.max(lowestStart, Math.min(range.start, RANGE_RULES.maxEnd - count + 1));
  const given = { start: String(start), count: String(count) };
  return rangeValuesProblem(start, count, given) === null ? { start, count } : null;
}

export function suggestStopGap(usage: readonly RangeDiagnosis[], platform: Platform): StopGap | null {
  const bad = usage.filter((range) => range.verdict !== 'ok');
  const candidates = bad.length > 0 ? bad : usage;
  const worst = worstRange(candidates);
  if (!worst) return null;
  const suggestion = suggestRange(worst, platform);
  if (!suggestion) return null;
  // Linux has one sysctl for everything; Windows keeps one range per protocol and family
  const only: { protocol?: Protocol; family?: Family } = {};
  if (platform === 'windows' && !rangesAreShared(usage)) {
    if (new Set(candidates.map((range) => range.protocol)).size === 1) only.protocol = worst.protocol;
    if (new Set(candidates.map((range) => range.family)).size === 1) only.family = worst.family;
  }
  // the undo puts back what was there: a range below what `range set` accepts has no undo command of ours
  const undoValid = rangeValuesProblem(worst.start, worst.count, { start: String(worst.start), count: String(worst.count) }) === null;
  return {
    ...suggestion,
    command: rangeSetCommand(suggestion.start, suggestion.count, only),
    undo: undoValid ? rangeSetCommand(worst.start, worst.count, only) : osUndo(worst, platform),
  };
}

/** The OS's own command for a range that `porttop range set` would refuse (it starts below 1025). */
function osUndo(range: PortRange, platform: Platform): string {
  return platform === 'windows'
    ? `netsh int ${range.family} set dynamicport ${range.protocol} start=${range.start} num=${range.count}`
    : `sysctl -w net.ipv4.ip_local_port_range="${range.start} ${range.end}"`;
}
