// Moving a selection through a list and keeping it on screen, the sort cycle and the refresh-interval
// steps: the widget state of the live view (as bottom keeps it in src/widgets), pure and unit-tested.
import { SORT_KEYS, type SortKey } from '../core/aggregate.js';
import { INTERVAL_LIMITS } from '../core/validate.js';


export type Move = 'up' | 'down' | 'pageUp' | 'pageDown' | 'home' | 'end';

export function clampIndex(index: number, count: number): number {
  if (count <= 0) return 0;
  return Math.min(Math.max(index, 0), count - 1);
}

/** The index after a move in a list of `count` items of which `pageSize` fit on screen. */
export function moveIndex(index: number, move: Move, count: number, pageSize: number): number {
  const page = Math.max(1, pageSize);
  switch (move) {
    case 'up': return clampIndex(index - 1, count);
    case 'down': return clampIndex(index + 1, count);
    case 'pageUp': return clampIndex(index - page, count);
    case 'pageDown': return clampIndex(index + page, count);
    case 'home': return 0;
    case 'end': return clampIndex(count - 1, count);
  }
}

/**
 * The first visible index so that `index` is on screen, moving the window as little as possible
 * (htop scrolls only when the selection leaves the screen) and never showing blank rows past the end.
 */
export function scrollOffset(offset: number, index: number, height: number, count: number): number {
  if (height <= 0 || count <= 0) return 0;
  let first = offset;
  if (index < first) first = index;
  if (index >= first + height) first = index - height + 1;
  return Math.max(0, Math.min(first, count - height));
}

/**
 * Where the selection is in a fresh list: on the same PID when it is still there, otherwise at the
 * same position (the neighbour moves up, as in htop when a process exits).
 */
export function indexOfSelection(pids: readonly number[], selectedPid: number | null, fallbackIndex: number): number {
  if (selectedPid !== null) {
    const found = pids.indexOf(selectedPid);
    if (found >= 0) return found;
  }
  return clampIndex(fallbackIndex, pids.length);
}

export function nextSortKey(key: SortKey): SortKey {
  return SORT_KEYS[(SORT_KEYS.indexOf(key) + 1) % SORT_KEYS.length]!;
}

/** The steps `+` and `-` move through, in seconds (within INTERVAL_LIMITS, which --interval accepts). */
export const INTERVAL_STEPS_SECONDS = [0.5, 1, 2, 3, 5, 10, 15, 30, 60] as const;

/**
 * The next step above (+1) or below (-1) the current interval, which need not be a step itself (an
 * --interval of 0.2 or 120); past the last step in that direction the interval stays as it is.
 */
export function stepInterval(seconds: number, direction: 1 | -1): number {
  const next = direction > 0
    ? INTERVAL_STEPS_SECONDS.find((step) => step > seconds)
    : [...INTERVAL_STEPS_SECONDS].reverse().find((step) => step < seconds);
  return Math.min(INTERVAL_LIMITS.maxSeconds, Math.max(INTERVAL_LIMITS.minSeconds, next ?? seconds));
}

