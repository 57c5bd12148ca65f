// Text from processes (names, command lines, paths, units) made safe for a terminal: any local user
// can name a process `\e]0;owned\a\e[2J`, and printing that raw to root's terminal clears or spoofs it.
// Pure; JSON output keeps the exact text (JSON escapes it) and never goes through here.

/** C0 (0x00-0x1F), DEL (0x7F) and C1 (0x80-0x9F) control characters. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** Every control character shown as \xNN (ESC -> \x1b, newline -> \x0a); everything else kept. */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** escapeControl for values that may be missing. */
export function safeText(text: string | null | undefined): string {
  return text === null || text === undefined ? '' : escapeControl(text);
}
