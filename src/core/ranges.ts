// Dynamic (ephemeral) port ranges: the OS defaults, lookup by protocol and family.
import type { Family, PortRange, Protocol } from './model.js';
import { rangeKey } from './labels.js';

/** OS defaults, for `porttop range reset`. */
export const DEFAULT_RANGES = {
  linux: { start: 32768, count: 28232 }, // 32768-60999
  windows: { start: 49152, count: 16384 }, // 49152-65535 (Vista and later)
} as const;

export function makeRange(protocol: Protocol, family: Family, start: number, count: number): PortRange {
  return { protocol, family, start, count, end: start + count - 1 };
}

export type RangeLookup = (protocol: Protocol, family: Family) => PortRange | undefined;

export function rangeLookup(ranges: readonly PortRange[]): RangeLookup {
  const byKey = new Map<string, PortRange>();
  for (const range of ranges) byKey.set(rangeKey(range), range);
  return (protocol, family) => byKey.get(rangeKey({ protocol, family }));
}

/** True when all ranges are one and the same span (Linux: one sysctl for TCP, UDP, IPv4 and IPv6). */
export function rangesAreShared(ranges: readonly PortRange[]): boolean {
  return ranges.length > 1 && ranges.every((range) => range.start === ranges[0]!.start && range.count === ranges[0]!.count);
}
