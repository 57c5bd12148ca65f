// Key bindings as data (gemini-cli's keyBindings.ts), the decoding of raw terminal input into key
// names, and the small functions that match one against the other. No React here.

/** What a key can do in the process list. */
export type ListAction =
  | 'quit'
  | 'help'
  | 'up'
  | 'down'
  | 'pageUp'
  | 'pageDown'
  | 'home'
  | 'end'
  | 'cycleSort'
  | 'reverseSort'
  | 'sortHandles'
  | 'filter'
  | 'clearFilter'
  | 'details'
  | 'kill'
  | 'forceKill'
  | 'pause'
  | 'faster'
  | 'slower';

export type KeyBindings<A extends string> = Readonly<Record<A, readonly string[]>>;

/** Moving through a list: the same keys in the process list and in the detail pane. */
const MOVE_KEYS = {
  up: ['up'],
  down: ['down', 'j'],
  pageUp: ['pageup'],
  pageDown: ['pagedown'],
  home: ['home'],
  end: ['end'],
} as const satisfies KeyBindings<'up' | 'down' | 'pageUp' | 'pageDown' | 'home' | 'end'>;

/**
 * The list's keys. `k` is kill (htop's key, and the issue's), so of vi's j/k only `j` moves (down).
 * F1, F3/F4, F6, F9 and F10 are htop's function keys.
 */
export const LIST_KEYS: KeyBindings<ListAction> = {
  quit: ['q', 'f10'],
  help: ['?', 'f1'],
  ...MOVE_KEYS,
  cycleSort: ['s', 'f6'],
  reverseSort: ['S'],
  sortHandles: ['h'],
  filter: ['/', 'f3', 'f4'],
  clearFilter: ['escape'],
  details: ['return'],
  kill: ['k', 'f9', 'delete'],
  forceKill: ['K'],
  pause: ['p', 'space'],
  faster: ['-'],
  slower: ['+', '='],
};

/** Keys that work everywhere, dialogs and prompts included. */
export const GLOBAL_KEYS: KeyBindings<'quit'> = { quit: ['ctrl+c'] };

/** What the help screen says about each action, in the order it lists them. */
export const LIST_ACTION_HELP: readonly (readonly [string, readonly ListAction[]])[] = [
  ['move the selection', ['up', 'down', 'pageUp', 'pageDown', 'home', 'end']],
  ['next sort column / reverse / by handles', ['cycleSort', 'reverseSort', 'sortHandles']],
  ['filter by name, PID or :port (Esc clears)', ['filter', 'clearFilter']],
  ["the selected process's endpoints", ['details']],
  ['kill it (SIGTERM, then SIGKILL) / force', ['kill', 'forceKill']],
  ['pause or resume', ['pause']],
  ['refresh more often / less often', ['faster', 'slower']],
  ['this help', ['help']],
  ['quit', ['quit']],
];

/** Keys inside the detail pane (it scrolls like the list). */
export type DetailAction = 'close' | 'up' | 'down' | 'pageUp' | 'pageDown' | 'home' | 'end' | 'quit';
export const DETAIL_KEYS: KeyBindings<DetailAction> = {
  close: ['escape', 'return'],
  ...MOVE_KEYS,
  quit: ['q'],
};

/** The kill dialog: `y` confirms, any other key cancels (htop and bottom ask the same way). */
export const CONFIRM_KEYS = { confirm: ['y', 'Y'] } as const;

/** The filter prompt. */
export type FilterAction = 'accept' | 'cancel' | 'erase';
export const FILTER_KEYS: KeyBindings<FilterAction> = {
  accept: ['return', 'down', 'up'],
  cancel: ['escape'],
  erase: ['backspace'],
};

/** Escape sequences of the keys we bind, as xterm, tmux, rxvt and the Linux console send them. */
const SEQUENCES: Readonly<Record<string, string>> = {
  '\u001b[A': 'up', '\u001bOA': 'up',
  '\u001b[B': 'down', '\u001bOB': 'down',
  '\u001b[C': 'right', '\u001bOC': 'right',
  '\u001b[D': 'left', '\u001bOD': 'left',
  '\u001b[5~': 'pageup', '\u001b[[5~': 'pageup',
  '\u001b[6~': 'pagedown', '\u001b[[6~': 'pagedown',
  '\u001b[H': 'home', '\u001bOH': 'home', '\u001b[1~': 'home', '\u001b[7~': 'home',
  '\u001b[F': 'end', '\u001bOF': 'end', '\u001b[4~': 'end', '\u001b[8~': 'end',
  '\u001b[3~': 'delete',
  '\u001bOP': 'f1', '\u001b[11~': 'f1', '\u001b[[A': 'f1',
  '\u001bOR': 'f3', '\u001b[13~': 'f3', '\u001b[[C': 'f3',
  '\u001bOS': 'f4', '\u001b[14~': 'f4', '\u001b[[D': 'f4',
  '\u001b[17~': 'f6',
  '\u001b[20~': 'f9',
  '\u001b[21~': 'f10',
  '\u001b': 'escape', '\u001b\u001b': 'escape',
  '\r': 'return', '\n': 'return', '\r\n': 'return',
  '\u007f': 'backspace', '\b': 'backspace',
  '\t': 'tab',
  ' ': 'space',
};

/**
 * The name of one key as the terminal sent it: a bound special key ('up', 'f9', 'escape', 'ctrl+c'),
 * or the character itself ('q', 'S', '/'). Unknown sequences come back as '' and match nothing.
 */
export function decodeKey(raw: string): string {
  const named = SEQUENCES[raw];
  if (named !== undefined) return named;
  if (raw.length === 1) {
    const code = raw.charCodeAt(0);
    if (code >= 1 && code <= 26) return `ctrl+${String.fromCharCode(code + 96)}`;
    if (code < 32) return '';
    return raw;
  }
  // one printable character outside the BMP (an emoji) is still just text
  if ([...raw].length === 1 && !raw.startsWith('\u001b')) return raw;
  return '';
}

/**
 * Ink hands over a run of plain text (typed fast, pasted, or sent by tmux send-keys) as one event;
 * split it into one key per character so `/name` behaves the same typed or pasted.
 */
export function splitKeys(event: string): string[] {
  if (event.includes('\u001b') || event === '\r\n') return [event];
  return [...event];
}

/** The action bound to this key name, or null. */
export function actionFor<A extends string>(bindings: KeyBindings<A>, keyName: string): A | null {
  if (keyName === '') return null;
  for (const action of Object.keys(bindings) as A[]) {
    if (bindings[action].includes(keyName)) return action;
  }
  return null;
}

/** How a key name reads on screen: 'up' -> 'Up', 'f9' -> 'F9', 'pageup' -> 'PgUp'. */
export function keyLabel(keyName: string): string {
  const labels: Record<string, string> = {
    up: 'Up', down: 'Down', pageup: 'PgUp', pagedown: 'PgDn', home: 'Home', end: 'End', return: 'Enter',
    escape: 'Esc', delete: 'Del', backspace: 'Backspace', space: 'Space', 'ctrl+c': 'Ctrl-C',
  };
  if (labels[keyName]) return labels[keyName];
  if (/^f\d+$/.test(keyName)) return keyName.toUpperCase();
  return keyName;
}

/** The keys of some actions, as a person reads them: 'Up Down j PgUp ...'. */
export function keysOf<A extends string>(bindings: KeyBindings<A>, actions: readonly A[]): string {
  return actions.flatMap((action) => bindings[action].map(keyLabel)).join(' ');
}

/** A key hint of the bottom line: the key as written, what it does, and how much it matters (1 first). */
export interface KeyHint {
  keys: string;
  does: string;
  rank: number;
}

/** The list's hints in reading order; at 80 columns the least important go first, never `q quit`. */
export const LIST_HINTS: readonly KeyHint[] = [
  { keys: '?', does: 'help', rank: 2 },
  { keys: '/', does: 'filter', rank: 4 },
  { keys: 's', does: 'sort', rank: 5 },
  { keys: 'S', does: 'reverse', rank: 8 },
  { keys: 'Enter', does: 'details', rank: 6 },
  { keys: 'k', does: 'kill', rank: 3 },
  { keys: 'K', does: 'force', rank: 9 },
  { keys: 'p', does: 'pause', rank: 7 },
  { keys: '+/-', does: 'interval', rank: 10 },
  { keys: 'q', does: 'quit', rank: 1 },
];

/** The detail pane's own keys (the list's would not work there). */
export const DETAIL_HINTS: readonly KeyHint[] = [
  { keys: 'Esc', does: 'back', rank: 1 },
  { keys: 'Up/Down PgUp/PgDn', does: 'scroll', rank: 3 },
  { keys: 'q', does: 'quit', rank: 2 },
];

/** The kill dialog asks; its answer keys. */
export const CONFIRM_HINTS: readonly KeyHint[] = [
  { keys: 'y', does: 'yes, kill', rank: 1 },
  { keys: 'any other key', does: 'cancel', rank: 2 },
];

/** The hints that fit in `width`, most important kept, in reading order. */
export function keyHintLine(hints: readonly KeyHint[], width: number): string {
  const shown = [...hints];
  const text = () => shown.map((hint) => `${hint.keys} ${hint.does}`).join('  ');
  while (shown.length > 1 && text().length > width) {
    const leastImportant = shown.reduce((least, hint) => (hint.rank > least.rank ? hint : least));
    shown.splice(shown.indexOf(leastImportant), 1);
  }
  return text();
}
