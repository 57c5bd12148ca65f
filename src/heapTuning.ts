// For the commands that collect again and again for hours (the live view, serve, watch). At 30,000
// sockets a collection makes about 10 MB of objects that outlive V8's young generation (a collection
// spans several turns of the event loop, so its rows survive the young collections in between) and
// die one refresh later. V8 lets the old generation grow to several times what is live before it
// collects it, so the live view's resident memory climbed in a sawtooth to 250 MB and more while 35 MB
// of it was live. A smaller growing factor keeps it near the live size, for a few milliseconds more
// of garbage collection per refresh (bench/tui.bench.ts measures both).
import { setFlagsFromString } from 'node:v8';

/** The old generation may grow by this percent over what the last full collection left (V8's own factor is 110-300 %). */
export const HEAP_GROWING_PERCENT = 30;

/**
 * Applies the growing factor to this process (every thread). V8 reads it at each full collection, so it
 * takes effect when set at run time, unlike the sizes of the heap's spaces.
 */
export function keepHeapNearLiveSize(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
