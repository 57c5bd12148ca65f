// The view's state and what each key does to it, as one pure function. Keys are handled here rather
// than by one useInput per component because a terminal often delivers several keys at once (a paste,
// tmux send-keys, a fast typist): with a handler per component, the second key of "/node" would
// reach the list's stale handler before React re-rendered. A reducer sees every key against the
// state the previous key left, and the mode in that state decides which bindings apply, so the list
// is muted while a dialog is open by construction.
import type { PortOutcome } from '../core/killplan.js';
import type { ProcessRow, SortKey } from '../core/aggregate.js';
import type { KillResult } from '../core/model.js';
import { clampIndex, indexOfSelection, moveIndex, nextSortKey, stepInterval, type Move } from './navigation.js';
import { actionFor, CONFIRM_KEYS, DETAIL_KEYS, FILTER_KEYS, GLOBAL_KEYS, LIST_KEYS } from './keys.js';
import { afterKill, afterKillError, CLOSED, type KillDialog } from './killDialog.js';

export type Overlay = { kind: 'none' } | { kind: 'help' } | { kind: 'filter' } | { kind: 'detail'; pid: number; offset: number };

export interface ViewState {
  overlay: Overlay;
  killDialog: KillDialog;
  sort: { key: SortKey; descending: boolean };
  filterText: string;
  /** the selected PID, and where it was, for when it goes away */
  selection: { pid: number | null; index: number };
  paused: boolean;
  intervalSeconds: number;
  /** q was pressed: the App exits */
  quitting: boolean;
}

export function initialViewState(intervalSeconds: number, sortKey: SortKey, filterText: string): ViewState {
  return {
    overlay: { kind: 'none' },
    killDialog: CLOSED,
    sort: { key: sortKey, descending: true },
    filterText,
    selection: { pid: null, index: 0 },
    paused: false,
    intervalSeconds,
    quitting: false,
  };
}

/** What the reducer needs to know about the data on screen; the App builds it from the latest snapshot. */
export interface KeyContext {
  /** the table's rows for a sort and a filter (memoized by the App: no work per key) */
  rowsFor(sort: ViewState['sort'], filterText: string): readonly ProcessRow[];
  /** table rows on screen, for PgUp/PgDn */
  pageSize: number;
  /** endpoint lines on screen in the detail pane */
  detailPageSize: number;
  detailCount(pid: number): number;
  /** the dialog for killing this row: confirm, or an error when the process is protected */
  killDialogFor(row: ProcessRow, force: boolean): KillDialog;
}

export type ViewAction =
  | { type: 'key'; keyName: string; raw: string }
  | { type: 'killDone'; result: KillResult; others?: KillResult[]; portsAfter?: PortOutcome[] | null }
  | { type: 'killFailed'; error: unknown }
  /**
   * The selected process left the list: the row now under the cursor becomes the selection, unless
   * a key moved the selection since that render (`from` is the PID the render saw as selected).
   */
  | { type: 'pin'; from: number | null; pid: number; index: number };

const MOVES: Partial<Record<string, Move>> = { up: 'up', down: 'down', pageUp: 'pageUp', pageDown: 'pageDown', home: 'home', end: 'end' };

export function reduceView(state: ViewState, action: ViewAction, context: KeyContext): ViewState {
  switch (action.type) {
    case 'killDone':
      return state.killDialog.phase === 'working' ? { ...state, killDialog: afterKill(state.killDialog, action.result, action.others, action.portsAfter) } : state;
    case 'killFailed':
      return state.killDialog.phase === 'working' ? { ...state, killDialog: afterKillError(state.killDialog, action.error) } : state;
    case 'pin':
      return state.selection.pid === action.from ? { ...state, selection: { pid: action.pid, index: action.index } } : state;
    case 'key':
      return reduceKey(state, action.keyName, action.raw, context);
  }
}

export function reduceKey(state: ViewState, keyName: string, raw: string, context: KeyContext): ViewState {
  if (state.quitting) return state;
  if (actionFor(GLOBAL_KEYS, keyName) === 'quit') return { ...state, quitting: true };
  if (state.killDialog.phase !== 'closed') return killDialogKey(state, keyName);
  switch (state.overlay.kind) {
    case 'help':
      return { ...state, overlay: { kind: 'none' } }; // any key returns
    case 'filter':
      return filterKey(state, keyName, raw);
    case 'detail':
      return detailKey(state, state.overlay, keyName, context);
    case 'none':
      return listKey(state, keyName, context);
  }
}

function killDialogKey(state: ViewState, keyName: string): ViewState {
  const dialog = state.killDialog;
  if (dialog.phase === 'working') return state; // the answer is on its way; nothing to cancel any more
  if (dialog.phase === 'confirm' && (CONFIRM_KEYS.confirm as readonly string[]).includes(keyName)) {
    return { ...state, killDialog: { ...dialog, phase: 'working' } };
  }
  return { ...state, killDialog: CLOSED }; // cancel, or close the result
}

function filterKey(state: ViewState, keyName: string, raw: string): ViewState {
  switch (actionFor(FILTER_KEYS, keyName)) {
    case 'accept': return { ...state, overlay: { kind: 'none' } };
    case 'cancel': return { ...state, overlay: { kind: 'none' }, filterText: '' };
    case 'erase': return { ...state, filterText: state.filterText.slice(0, -1) };
    default: return isPrintable(raw) ? { ...state, filterText: state.filterText + raw } : state;
  }
}

function detailKey(state: ViewState, overlay: Extract<Overlay, { kind: 'detail' }>, keyName: string, context: KeyContext): ViewState {
  const action = actionFor(DETAIL_KEYS, keyName);
  if (action === 'quit') return { ...state, quitting: true };
  if (action === 'close') return { ...state, overlay: { kind: 'none' } };
  const move = action === null ? undefined : MOVES[action];
  if (!move) return state;
  const positions = Math.max(0, context.detailCount(overlay.pid) - context.detailPageSize) + 1;
  const offset = moveIndex(clampIndex(overlay.offset, positions), move, positions, context.detailPageSize);
  return { ...state, overlay: { ...overlay, offset } };
}

function listKey(state: ViewState, keyName: string, context: KeyContext): ViewState {
  const action = actionFor(LIST_KEYS, keyName);
  if (action === null) return state;
  const rows = context.rowsFor(state.sort, state.filterText);
  const index = indexOfSelection(rows.map((row) => row.pid), state.selection.pid, state.selection.index);
  const move = MOVES[action];
  if (move) {
    const next = moveIndex(index, move, rows.length, context.pageSize);
    return { ...state, selection: { pid: rows[next]?.pid ?? null, index: next } };
  }
  const selected = rows[index];
  switch (action) {
    case 'quit': return { ...state, quitting: true };
    case 'help': return { ...state, overlay: { kind: 'help' } };
    case 'cycleSort': return { ...state, sort: { key: nextSortKey(state.sort.key), descending: true } };
    case 'reverseSort': return { ...state, sort: { ...state.sort, descending: !state.sort.descending } };
    case 'sortHandles': return { ...state, sort: { key: 'handles', descending: true } };
    case 'filter': return { ...state, overlay: { kind: 'filter' } };
    case 'clearFilter': return { ...state, filterText: '' };
    case 'details': return selected ? { ...state, overlay: { kind: 'detail', pid: selected.pid, offset: 0 } } : state;
    case 'kill':
    case 'forceKill':
      return selected ? { ...state, killDialog: context.killDialogFor(selected, action === 'forceKill') } : state;
    case 'pause': return { ...state, paused: !state.paused };
    case 'faster': return { ...state, intervalSeconds: stepInterval(state.intervalSeconds, -1) };
    case 'slower': return { ...state, intervalSeconds: stepInterval(state.intervalSeconds, 1) };
    default: return state;
  }
}

function isPrintable(raw: string): boolean {
  return raw.length > 0 && [...raw].every((char) => char >= ' ' && char !== '\u007f');
}
