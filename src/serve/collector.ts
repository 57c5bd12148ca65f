// The collection loop of `porttop serve`: one snapshot and diagnosis every interval, never two at once.
// A scrape never collects; it reads what the last good collection left. A failed collection keeps
// that data, counts the error, and makes /healthz fail.
import type { Backend } from '../backend.js';
import { processRows, type ProcessRow } from '../core/aggregate.js';
import { diagnoseTally, EVENT_WINDOW_MINUTES, type Diagnosis, type RangeDiagnosis } from '../core/diagnose/index.js';
import { rangeKey } from '../core/labels.js';
import type { PortRange, Snapshot } from '../core/model.js';
import { tallySnapshot } from '../core/tally.js';
import { estimateTrend, TREND_WINDOW_SAMPLES, type TrendPoint } from '../core/trend.js';
import { exhaustionTarget } from '../core/watchsample.js';
import type { Runtime } from '../runtime.js';

/** Health fails when the last good collection is older than this many intervals. */
export const STALE_AFTER_INTERVALS = 3;

export interface Collection {
  snapshot: Snapshot;
  diagnosis: Diagnosis;
  ranges: readonly PortRange[];
  /** per-process counts from the same pass as the diagnosis (TIME_WAIT attributed by inference not included) */
  processes: ProcessRow[];
  /** Tcpip exhaustion events counted since serve started, by id; null where the OS has no such log */
  eventsSinceStart: Record<string, number> | null;
  /** seconds until each range (by rangeKey) is exhausted at its current growth; absent when not growing */
  etaSeconds: Map<string, number>;
  /** when the collection finished, ms since the epoch */
  finishedAtMs: number;
  durationSeconds: number;
}

export interface CollectorHooks {
  /** a good collection, to be turned into metrics */
  collected(collection: Collection): Promise<void> | void;
  /** a failed one: the previous data stays */
  failed(error: unknown, durationSeconds: number): void;
}

export interface Health {
  ok: boolean;
  /** seconds since the last good collection, null before the first */
  ageSeconds: number | null;
  /** why it is not ok, in words */
  problem: string | null;
}

/**
 * The judged ports of each range over the last few collections, and where they lead: seconds until
 * 95 % of the usable pool at the fitted growth. Absent for a range that is not growing.
 */
export class GrowthTracker {
  private readonly history = new Map<string, TrendPoint[]>();

  add(usage: readonly Pick<RangeDiagnosis, 'protocol' | 'family' | 'usable' | 'judgedPorts'>[], atMs: number): Map<string, number> {
    const eta = new Map<string, number>();
    for (const range of usage) {
      const key = rangeKey(range);
      const points = this.history.get(key) ?? [];
      points.push({ atMs, value: range.judgedPorts });
      if (points.length > TREND_WINDOW_SAMPLES) points.shift();
      this.history.set(key, points);
      const trend = estimateTrend(points, exhaustionTarget(range.usable));
      if (trend?.rising && trend.etaSeconds !== null) eta.set(key, trend.etaSeconds);
    }
    return eta;
  }
}

/** 503 when the last collection failed, none finished yet, or the last good one is older than 3 intervals. */
export function healthOf(lastGoodAtMs: number | null, lastError: string | null, intervalMs: number, nowMs: number): Health {
  const ageSeconds = lastGoodAtMs === null ? null : (nowMs - lastGoodAtMs) / 1000;
  if (lastError !== null) return { ok: false, ageSeconds, problem: `the last collection failed: ${lastError}` };
  if (ageSeconds === null) return { ok: false, ageSeconds, problem: 'no collection finished yet' };
  const staleAfter = (STALE_AFTER_INTERVALS * intervalMs) / 1000;
  if (ageSeconds > staleAfter) return { ok: false, ageSeconds, problem: `the last collection is older than ${STALE_AFTER_INTERVALS} intervals (${staleAfter} s)` };
  return { ok: true, ageSeconds, problem: null };
}

export class Collector {
  private lastGoodAtMs: number | null = null;
  private lastError: string | null = null;
  private stopped = false;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private readonly growth = new GrowthTracker();
  private readonly startedAt = new Date();
  private readonly notes = new Set<string>();

  constructor(
    private readonly backend: Backend,
    private readonly runtime: Runtime,
    private readonly intervalMs: number,
    private readonly hooks: CollectorHooks,
  ) {}

  /** Starts the loop: a first collection at once, then one per interval (measured start to start). */
  start(): void {
    this.loop ??= this.run();
  }

  /** Ends the loop after the collection in progress, if any. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
  }

  health(nowMs = Date.now()): Health {
    return healthOf(this.lastGoodAtMs, this.lastError, this.intervalMs, nowMs);
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const started = Date.now();
      await this.collectOnce();
      if (this.stopped) break;
      await this.sleep(Math.max(0, this.intervalMs - (Date.now() - started)));
    }
  }

  private async collectOnce(): Promise<void> {
    const started = performance.now();
    try {
      const collection = await this.collect();
      collection.durationSeconds = (performance.now() - started) / 1000;
      await this.hooks.collected(collection);
      this.lastGoodAtMs = collection.finishedAtMs;
      this.lastError = null;
    } catch (error) {
      this.lastError = error instanceof Error ? error.message : String(error);
      this.hooks.failed(error, (performance.now() - started) / 1000);
    }
  }

  /**
   * The snapshot, ranges, reserved ranges and events, read together as `porttop diagnose` does, and one
   * pass over the sockets for both the diagnosis and the per-process rows. Events and reserved ranges
   * are optional: without them the socket metrics still stand.
   */
  private async collect(): Promise<Collection> {
    const { backend } = this;
    const since = new Date(Date.now() - EVENT_WINDOW_MINUTES * 60_000);
    const [snapshot, ranges, events, excluded, eventsSinceStart] = await Promise.all([
      backend.snapshot(),
      backend.getRanges(),
      this.optional(backend.events && (() => backend.events!(since)), 'the Tcpip events from the System log'),
      this.optional(backend.excludedRanges && (() => backend.excludedRanges!()), 'the excluded port ranges'),
      backend.events ? backend.events(this.startedAt).then((counted) => counted.counts, () => null) : Promise.resolve(null),
    ]);
    const tally = tallySnapshot(snapshot, ranges);
    const diagnosis = diagnoseTally(tally, {
      events,
      platform: backend.platform,
      excluded: excluded ?? [],
      elevated: backend.platform === 'linux' && process.getuid?.() === 0,
    });
    const finishedAtMs = Date.now();
    return {
      snapshot, diagnosis, ranges, processes: processRows(tally), eventsSinceStart,
      etaSeconds: this.growth.add(diagnosis.usage, finishedAtMs), finishedAtMs, durationSeconds: 0,
    };
  }

  /** A source the OS may not have; a failure is a note on stderr, once per distinct message. */
  private async optional<T>(read: (() => Promise<T>) | undefined, what: string): Promise<T | null> {
    if (!read) return null;
    try {
      return await read();
    } catch (error) {
      const note = `note: could not read ${what}: ${error instanceof Error ? error.message : String(error)}\n`;
      if (!this.notes.has(note)) this.runtime.stderr(note);
      this.notes.add(note);
      return null;
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.wake = null;
        resolve();
      }
      this.wake = done;
    });
  }
}
