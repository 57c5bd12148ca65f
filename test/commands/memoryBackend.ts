// A Backend over plain data, for running the commands in-process on shapes only one OS produces
// (Windows excluded ranges, Tcpip events, a range starting at 1024) or on a snapshot built in memory.
import type { Backend } from '../../src/backend.js';
import type { ExcludedRange, ExhaustionEvents, KillResult, Platform, PortRange, RangeChange, Snapshot } from '../../src/core/model.js';
import { makeRange } from '../../src/core/ranges.js';

export interface MemoryBackendData {
  platform: Platform;
  snapshot: Snapshot;
  ranges: PortRange[];
  excluded?: ExcludedRange[];
  events?: ExhaustionEvents;
}

export class MemoryBackend implements Backend {
  readonly name: Backend['name'];
  readonly platform: Platform;
  readonly events?: Backend['events'];
  readonly excludedRanges?: Backend['excludedRanges'];
  closed = false;
  readonly rangeChanges: RangeChange[] = [];

  constructor(private readonly data: MemoryBackendData) {
    this.platform = data.platform;
    this.name = data.platform === 'windows' ? 'ps' : 'linux';
    if (data.events) this.events = async () => data.events!;
    if (data.excluded) this.excludedRanges = async () => data.excluded!;
  }

  async snapshot(): Promise<Snapshot> {
    return this.data.snapshot;
  }

  async getRanges(): Promise<PortRange[]> {
    return this.data.ranges;
  }

  async setRange(change: RangeChange): Promise<PortRange[]> {
    this.rangeChanges.push(change);
    this.data.ranges = this.data.ranges.map((range) =>
      change.protocols.includes(range.protocol) && change.families.includes(range.family) ? makeRange(range.protocol, range.family, change.start, change.count) : range,
    );
    return this.data.ranges;
  }

  async kill(): Promise<KillResult> {
    throw new Error('the commands under test do not kill');
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
