// The /proc backend reads synchronously (fastest in Node), but a 30k-socket collection takes a few
// hundred milliseconds: the live view would not answer keys meanwhile. Long loops ask this helper
// whether their slice is up and, if so, give the event loop one turn.

/** Longest stretch of synchronous collection work between two turns of the event loop. */
export const COLLECTION_SLICE_MS = 8;

export class EventLoopYielder {
  private sliceStart = nowMs();

  constructor(private readonly sliceMs = COLLECTION_SLICE_MS) {}

  /** Resolves at once while the slice lasts; after it, on the next turn of the event loop. */
  async maybeYield(): Promise<void> {
    if (nowMs() - this.sliceStart < this.sliceMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.sliceStart = nowMs();
  }
}

/** Milliseconds from a monotonic clock; process.hrtime needs no module (the performance global loads perf_hooks). */
function nowMs(): number {
  const [seconds, nanoseconds] = process.hrtime();
  return seconds * 1000 + nanoseconds / 1e6;
}
