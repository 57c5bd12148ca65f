// A pseudo-terminal for the built porttop: a tmux session on its own socket, read back as text and
// polled for a ready marker (as Ink's own test/helpers/term.ts does), never slept for.
import { execFileSync, spawnSync } from 'node:child_process';

export const TMUX = '/usr/bin/tmux';

export class TmuxScreen {
  private readonly socket = `porttop-e2e-${process.pid}-${Date.now()}`;
  constructor(private readonly session: string) {}

  start(command: string, columns: number, rows: number, env: NodeJS.ProcessEnv = {}): void {
    execFileSync(TMUX, ['-L', this.socket, '-f', '/dev/null', 'new-session', '-d', '-s', this.session, '-x', String(columns), '-y', String(rows), command], {
      env: { ...process.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', TERM: 'xterm-256color', ...env },
    });
  }

  /** the screen as text; with escapes, the colour and style sequences too */
  capture(escapes = false): string {
    const result = spawnSync(TMUX, ['-L', this.socket, 'capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', this.session], { encoding: 'utf8' });
    return result.stdout ?? '';
  }

  /** keys by tmux name (Enter, Escape) */
  keys(...keys: string[]): void {
    execFileSync(TMUX, ['-L', this.socket, 'send-keys', '-t', this.session, ...keys]);
  }

  /** literal text, sent as one chunk (as a paste or a fast typist) */
  type(text: string): void {
    execFileSync(TMUX, ['-L', this.socket, 'send-keys', '-t', this.session, '-l', text]);
  }

  async waitFor(check: (screen: string) => boolean, what: string, timeoutMs = 15_000, escapes = false): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.capture(escapes);
      if (check(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${screen}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** ends only this test's session (and with it this socket's server) */
  close(): void {
    spawnSync(TMUX, ['-L', this.socket, 'kill-session', '-t', this.session]);
  }
}

