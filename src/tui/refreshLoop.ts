// The one polling loop of the live view: collect, analyse once, hand over, wait, repeat. A new
// collection starts only when the previous one has finished, so a backend slower than the interval
// (PowerShell under load) is never asked twice at once; pause is just a flag.
import type { Backend } from '../backend.js';
import type { ExcludedRange } from '../core/model.js';
import { analyzeSnapshot, type SnapshotAnalysis } from '../core/view.js';

/** The least idle time between two collections, as a share of the interval. */
export const MIN_IDLE_SHARE = 0.25;

export interface RefreshListener {
  data(analysis: SnapshotAnalysis): void;
  /** a failed refresh; the view keeps the last good data */
  error(message: string, at: Date): void;
}

export class RefreshLoop {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | null = null;
  /** a refresh was asked for while one was running: run again as soon as it ends (after a kill) */
  private again = false;
  private stopped = false;
  private lastStart = 0;

  constructor(
    private readonly backend: Backend,
    private intervalMs: number,
    private paused: boolean,
    private readonly listener: RefreshListener,
    private readonly now: () => number = Date.now,
  ) {}

  /** the first collection happens at once, even when started paused (there must be something to show) */
  start(): void {
    void this.refreshNow();
  }

  /** Collects now, or right after the collection that is running; resolves when fresh data is in. */
  refreshNow(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.inFlight) {
      this.again = true;
      return this.inFlight.then(() => this.inFlight ?? undefined);
    }
    return this.collect();
  }

  setIntervalMs(intervalMs: number): void {
    this.intervalMs = intervalMs;
    if (!this.inFlight) this.schedule();
  }

  setPaused(paused: boolean): void {
    if (paused === this.paused) return;
    this.paused = paused;
    if (paused) clearTimeout(this.timer);
    else void this.refreshNow(); // resuming shows the present at once
  }

  /** Ports the OS reserved (Windows), so the gauges show the usable pool; a failure only loses that refinement. */
  private async excludedRanges(): Promise<ExcludedRange[]> {
    if (!this.backend.excludedRanges) return [];
    try {
      return await this.backend.excludedRanges();
    } catch {
      return [];
    }
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private collect(): Promise<void> {
    clearTimeout(this.timer);
    this.lastStart = this.now();
    const run = (async () => {
      try {
        const [snapshot, ranges, excluded] = await Promise.all([this.backend.snapshot(), this.backend.getRanges(), this.excludedRanges()]);
        if (!this.stopped) this.listener.data(analyzeSnapshot(snapshot, ranges, this.backend.platform, excluded));
      } catch (error) {
        if (!this.stopped) this.listener.error(error instanceof Error ? error.message : String(error), new Date(this.now()));
      }
    })();
    this.inFlight = run.finally(() => {
      this.inFlight = null;
      if (this.stopped) return;
      if (this.again) {
        this.again = false;
        void this.collect();
      } else this.schedule();
    });
    return this.inFlight;
  }

  /**
   * The next collection starts one interval after the last one started; when collecting took longer
   * than that, a quarter interval after it ended, so a slow backend is not kept busy without a pause.
   */
  private schedule(): void {
    clearTimeout(this.timer);
    if (this.paused || this.stopped) return;
    const wait = Math.max(this.lastStart + this.intervalMs - this.now(), this.intervalMs * MIN_IDLE_SHARE);
    this.timer = setTimeout(() => void this.collect(), wait);
  }
}
