// For the commands that collect again and again for hours (the live view, serve, watch). At 30,000
// sockets a collection makes about 10 MB of objects that outlive V8's young generation (a collection
// spans several turns of the event loop, so its rows survive the young collections in between) and
// die one refresh later. V8 lets the old generation grow to several times what is live before it
// collects it, and grows the young generation to two 16 MB semi-spaces: the live view's resident
// memory climbed in a sawtooth to 250 MB and more while 35 MB of it was live.
import { setFlagsFromString } from 'node:v8';

/** The old generation may grow by this percent over what the last full collection left (V8's own factor is 110-300 %). */
export const HEAP_GROWING_PERCENT = 30;

/**
 * Applies to this process (every thread): the old generation's growing factor, and a young generation
 * that keeps its starting size. V8 reads both when it decides to grow, so they take effect when set at
 * run time, unlike the sizes of the heap's spaces. Measured on the live view at 30,000 sockets
 * (bench/tui.bench.ts, with the tables read in pieces): peak RSS 165 MB with the growing factor alone,
 * 150 MB with both, for the same total CPU (the garbage collector's share up about 2 % of a core).
 */
export function keepHeapNearLiveSize(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  setFlagsFromString('--semi-space-growth-factor=1');
}
