// The verdict per range, from the tally: Linux TCP per destination (connect() reuses a local port
// toward a different destination) plus globally taken ports, Linux UDP over the whole range, Windows
// per local address. Every share is of the usable pool: the range minus the ports the OS reserved.
import { worseVerdict, type Verdict } from '../labels.js';
import type { ExcludedRange, ExhaustionEvents, Platform } from '../model.js';
import type { SnapshotTally } from '../tally.js';
import { percentOf, reservedPorts, verdictOfPercent, type RangeUsage } from '../usage.js';
import type { RangeDiagnosis } from './types.js';

/** Tcpip events that prove connections already failed for want of a port (4227 reuse too fast, 4231 none left). */
export const EXHAUSTION_EVENT_IDS = ['4227', '4231'] as const;
/** The UDP counterpart (4266) is not confirmed by Microsoft's article: it raises a warning only. */
export const WARNING_EVENT_IDS = ['4266'] as const;

/** Each range's ports in use, of its usable pool. */
export function rangeUsages(tally: SnapshotTally, excluded: readonly ExcludedRange[]): RangeUsage[] {
  return tally.ranges.map((range, index) => {
    const counts = tally.perRange[index]!;
    const reserved = reservedPorts(range, excluded);
    const usable = range.count - reserved;
    return { ...range, reserved, usable, inUse: counts.ports.size, percent: percentOf(counts.ports.size, usable), byState: counts.byState };
  });
}

export function judgeRanges(tally: SnapshotTally, platform: Platform, excluded: readonly ExcludedRange[]): RangeDiagnosis[] {
  return rangeUsages(tally, excluded).map((usage, index) => {
    const counts = tally.perRange[index]!;
    const worst = counts.worstDestination();
    const worstDestination = worst && {
      remoteAddress: worst.destination.remoteAddress,
      remotePort: worst.destination.remotePort,
      ports: worst.ports,
      percent: percentOf(worst.ports, usage.usable),
    };
    const local = counts.worstLocalAddress();
    const worstLocalAddress = local && { ...local, percent: percentOf(local.ports, usage.usable) };
    const boundPorts = counts.bound.size;
    let judgedBy: RangeDiagnosis['judgedBy'];
    let judgedPorts: number;
    let globalVerdict: Verdict = 'ok';
    if (platform === 'windows') {
      judgedBy = worstLocalAddress ? 'local-address' : 'range';
      judgedPorts = worstLocalAddress?.ports ?? usage.inUse;
    } else if (usage.protocol === 'udp') {
      // UDP picks a port unused by any UDP socket: the whole range is one pool
      judgedBy = 'range';
      judgedPorts = usage.inUse;
    } else {
      const destinationPorts = worstDestination?.ports ?? 0;
      // bound ports are lost to every destination, so they add to the busiest one
      const combined = Math.min(usage.inUse, destinationPorts + counts.boundNotToward(worst?.destination ?? null));
      judgedBy = boundPorts > destinationPorts ? 'bound' : 'destination';
      judgedPorts = Math.max(combined, boundPorts);
      // a nearly full range breaks bind() to port 0 (and connect() after an explicit bind) first: a warning
      if (verdictOfPercent(usage.percent) !== 'ok') globalVerdict = 'warning';
    }
    const judgedPercent = percentOf(judgedPorts, usage.usable);
    return {
      ...usage,
      worstDestination,
      worstLocalAddress,
      boundPorts,
      judgedBy,
      judgedPorts,
      judgedPercent,
      verdict: worseVerdict(verdictOfPercent(judgedPercent), globalVerdict),
    };
  });
}

export function verdictOfEvents(events: ExhaustionEvents | null): Verdict {
  if (!events) return 'ok';
  if (EXHAUSTION_EVENT_IDS.some((id) => (events.counts[id] ?? 0) > 0)) return 'exhausted';
  if (WARNING_EVENT_IDS.some((id) => (events.counts[id] ?? 0) > 0)) return 'warning';
  return 'ok';
}

/** Exhaustion events (4227, 4231) in the window. */
export function exhaustionEventCount(events: ExhaustionEvents | null): number {
  return events ? EXHAUSTION_EVENT_IDS.reduce((sum, id) => sum + (events.counts[id] ?? 0), 0) : 0;
}
