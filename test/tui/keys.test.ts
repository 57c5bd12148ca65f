import assert from 'node:assert/strict';
import { test } from 'node:test';
import { actionFor, decodeKey, DETAIL_KEYS, FILTER_KEYS, GLOBAL_KEYS, keyLabel, keysOf, LIST_KEYS, splitKeys } from '../../src/tui/keys.js';

test('decodeKey names the escape sequences xterm, tmux and rxvt send for the bound keys', () => {
  const cases: [string, string][] = [
    ['\u001b[A', 'up'], ['\u001bOA', 'up'], ['\u001b[B', 'down'], ['\u001bOB', 'down'],
    ['\u001b[5~', 'pageup'], ['\u001b[6~', 'pagedown'], ['\u001b[H', 'home'], ['\u001b[1~', 'home'],
    ['\u001b[F', 'end'], ['\u001b[4~', 'end'], ['\u001b[3~', 'delete'], ['\u001b[20~', 'f9'], ['\u001b[21~', 'f10'],
    ['\u001bOP', 'f1'], ['\u001b', 'escape'], ['\r', 'return'], ['\u007f', 'backspace'], ['\u0003', 'ctrl+c'], [' ', 'space'],
    ['q', 'q'], ['K', 'K'], ['/', '/'], ['?', '?'], ['+', '+'],
  ];
  for (const [raw, name] of cases) assert.equal(decodeKey(raw), name, JSON.stringify(raw));
});

test('decodeKey gives unknown sequences no name, so they match nothing', () => {
  assert.equal(decodeKey('\u001b[99~'), '');
  assert.equal(decodeKey('\u0000'), '');
  assert.equal(actionFor(LIST_KEYS, ''), null);
});

test('splitKeys turns a pasted run of text into one key per character but keeps escape sequences whole', () => {
  assert.deepEqual(splitKeys('node'), ['n', 'o', 'd', 'e']);
  assert.deepEqual(splitKeys('\u001b[A'), ['\u001b[A']);
  assert.deepEqual(splitKeys('q'), ['q']);
});

test('the list bindings: k, F9 and Delete kill, K forces, q and F10 quit, Ctrl-C quits everywhere', () => {
  for (const key of ['k', 'f9', 'delete']) assert.equal(actionFor(LIST_KEYS, key), 'kill');
  assert.equal(actionFor(LIST_KEYS, 'K'), 'forceKill');
  assert.equal(actionFor(LIST_KEYS, 'q'), 'quit');
  assert.equal(actionFor(LIST_KEYS, 'f10'), 'quit');
  assert.equal(actionFor(GLOBAL_KEYS, 'ctrl+c'), 'quit');
  assert.equal(actionFor(LIST_KEYS, 'j'), 'down');
  assert.equal(actionFor(LIST_KEYS, 's'), 'cycleSort');
  assert.equal(actionFor(LIST_KEYS, 'S'), 'reverseSort');
  assert.equal(actionFor(LIST_KEYS, 'h'), 'sortHandles');
  assert.equal(actionFor(LIST_KEYS, 'space'), 'pause');
  assert.equal(actionFor(LIST_KEYS, 'p'), 'pause');
  assert.equal(actionFor(LIST_KEYS, '/'), 'filter');
  assert.equal(actionFor(LIST_KEYS, 'escape'), 'clearFilter');
  assert.equal(actionFor(LIST_KEYS, 'return'), 'details');
  assert.equal(actionFor(DETAIL_KEYS, 'escape'), 'close');
  assert.equal(actionFor(FILTER_KEYS, 'escape'), 'cancel');
});

test('no key is bound to two actions in the same bindings', () => {
  for (const bindings of [LIST_KEYS, DETAIL_KEYS, FILTER_KEYS]) {
    const all = Object.values(bindings).flat() as string[];
    assert.equal(new Set(all).size, all.length, `duplicate in ${all.join(' ')}`);
  }
});

test('keyLabel and keysOf write keys as a person reads them', () => {
  assert.equal(keyLabel('pageup'), 'PgUp');
  assert.equal(keyLabel('f9'), 'F9');
  assert.equal(keyLabel('ctrl+c'), 'Ctrl-C');
  assert.equal(keysOf(LIST_KEYS, ['kill']), 'k F9 Del');
});
