// How much of each dynamic port range is in use: the gauge of the terminal view and the basis of diagnose.
import type { Endpoint, PortRange } from './model.js';

/** At or above this share of a range in use, the level is WARN. */
export const WARNING_PERCENT = 70;
/** At or above this share of a range in use, the range counts as exhausted (CRIT). */
export const EXHAUSTED_PERCENT = 95;

export type UsageLevel = 'OK' | 'WARN' | 'CRIT';

export interface RangeUsage extends PortRange {
  /** distinct local ports inside the range held by non-listening sockets (TIME_WAIT and BOUND included) */
  inUse: number;
  /** inUse / count * 100, one decimal */
  percent: number;
  /** those sockets by state; UDP endpoints count as UDP */
  byState: Record<string, number>;
}

export function rangeUsage(endpoints: readonly Endpoint[], ranges: readonly PortRange[]): RangeUsage[] {
  return ranges.map((range) => {
    const ports = new Set<number>();
    const byState: Record<string, number> = {};
    for (const endpoint of endpoints) {
      if (endpoint.protocol !== range.protocol || endpoint.family !== range.family) continue;
      if (endpoint.state === 'LISTEN' || endpoint.localPort < range.start || endpoint.localPort > range.end) continue;
      ports.add(endpoint.localPort);
      const state = endpoint.state ?? 'UDP';
      byState[state] = (byState[state] ?? 0) + 1;
    }
    return { ...range, inUse: ports.size, percent: percentOf(ports.size, range.count), byState };
  });
}

export function percentOf(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 1000) / 10;
}

export function usageLevel(percent: number): UsageLevel {
  if (percent >= EXHAUSTED_PERCENT) return 'CRIT';
  if (percent >= WARNING_PERCENT) return 'WARN';
  return 'OK';
}
