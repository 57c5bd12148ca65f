import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProcessRow } from '../../src/core/aggregate.js';
import { filterRows, parseViewFilter } from '../../src/core/view.js';
import { decodeKey, splitKeys } from '../../src/tui/keys.js';
import { openKillDialog } from '../../src/tui/killDialog.js';
import { initialViewState, reduceKey, reduceView, type KeyContext, type ViewState } from '../../src/tui/viewState.js';

const row = (pid: number, processName: string): ProcessRow => ({
  pid, processName, commandLine: null, sockets: 1, listen: 0, established: 1, timeWait: 0, closeWait: 0, bound: 0, udp: 0, ephemeral: 0, handles: null, handleSuspect: false,
});
const ROWS = [row(1, 'node'), row(2, 'nginx'), row(3, 'postgres')];
const context: KeyContext = {
  rowsFor: (_sort, filterText) => filterRows(ROWS, parseViewFilter(filterText), []),
  pageSize: 2,
  detailPageSize: 2,
  detailCount: () => 10,
  killDialogFor: (r, force) => openKillDialog({ target: { pid: r.pid, name: r.processName, startTime: null }, ports: [], force }, { platform: 'linux', selfPid: 99, parentPid: 98 }),
};

/** Feeds raw terminal input as one event, the way a paste or tmux send-keys arrives. */
function typeAll(state: ViewState, input: string): ViewState {
  return splitKeys(input).reduce((current, raw) => reduceKey(current, decodeKey(raw), raw, context), state);
}

test('keys that arrive together are each applied to the state the previous one left: "/pos" filters, it does not pause', () => {
  const state = typeAll(initialViewState(2, 'sockets', ''), '/pos');
  assert.equal(state.overlay.kind, 'filter');
  assert.equal(state.filterText, 'pos');
  assert.equal(state.paused, false);
  const accepted = typeAll(state, '\r');
  assert.equal(accepted.overlay.kind, 'none');
  assert.equal(accepted.filterText, 'pos');
});

test('while the kill dialog is open the list is muted: j answers the dialog (cancel), it does not move', () => {
  let state = typeAll(initialViewState(2, 'sockets', ''), 'jk');
  assert.equal(state.killDialog.phase, 'confirm');
  assert.equal(state.selection.pid, 2);
  state = typeAll(state, 'j');
  assert.equal(state.killDialog.phase, 'closed');
  assert.equal(state.selection.pid, 2);
  state = typeAll(state, 'ky');
  assert.equal(state.killDialog.phase, 'working');
  assert.equal(typeAll(state, 'n').killDialog.phase, 'working', 'nothing cancels a kill under way');
  const done = reduceView(state, { type: 'killDone', result: { pid: 2, name: 'nginx', outcome: 'stopped', signals: ['SIGTERM'], message: 'stopped by SIGTERM' } }, context);
  assert.equal(done.killDialog.phase, 'result');
});

test('Ctrl-C quits from anywhere, q from the list, and nothing happens after quitting', () => {
  assert.equal(typeAll(initialViewState(2, 'sockets', ''), '/\u0003').quitting, true);
  assert.equal(typeAll(initialViewState(2, 'sockets', ''), '/q').quitting, false, 'q is text in the filter prompt');
  const quit = typeAll(initialViewState(2, 'sockets', ''), 'q');
  assert.equal(quit.quitting, true);
  assert.equal(typeAll(quit, 'p').paused, false);
});

test('a pin from an older render does not undo a key that moved the selection meanwhile', () => {
  const moved = typeAll({ ...initialViewState(2, 'sockets', ''), selection: { pid: 1, index: 0 } }, 'j');
  assert.equal(moved.selection.pid, 2);
  assert.equal(reduceView(moved, { type: 'pin', from: 1, pid: 1, index: 0 }, context).selection.pid, 2);
  assert.equal(reduceView(moved, { type: 'pin', from: 2, pid: 3, index: 1 }, context).selection.pid, 3);
});

test('the detail pane scrolls within its endpoints and Esc closes it', () => {
  let state = typeAll(initialViewState(2, 'sockets', ''), '\r');
  assert.deepEqual(state.overlay, { kind: 'detail', pid: 1, offset: 0 });
  state = typeAll(state, '\u001b[F');
  assert.deepEqual(state.overlay, { kind: 'detail', pid: 1, offset: 8 });
  assert.equal(typeAll(state, '\u001b').overlay.kind, 'none');
});
