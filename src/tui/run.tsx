// Starts the live view on the terminal and resolves when the user quits. Like htop, it draws on the
// alternate screen, so quitting gives back the terminal as it was.
import React from 'react';
import { render } from 'ink';
import type { Backend } from '../backend.js';
import type { SortKey } from '../core/aggregate.js';
import { App } from './App.js';

export interface TopOptions {
  hostName: string;
  intervalSeconds: number;
  sortKey: SortKey;
  filter: string;
}

const ENTER_ALTERNATE_SCREEN = '\u001b[?1049h\u001b[H';
const LEAVE_ALTERNATE_SCREEN = '\u001b[?1049l';
/** Signals that end the view the way `q` does: backend closed, terminal restored. */
const QUIT_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGHUP'];

export async function runTop(backend: Backend, options: TopOptions): Promise<void> {
  process.stdout.write(ENTER_ALTERNATE_SCREEN);
  // Ctrl-C is a key like q (GLOBAL_KEYS), so it reaches the same clean way out
  const instance = render(
    <App backend={backend} hostName={options.hostName} intervalSeconds={options.intervalSeconds} sortKey={options.sortKey} filter={options.filter} />,
    { exitOnCtrlC: false },
  );
  const quit = () => instance.unmount();
  for (const signal of QUIT_SIGNALS) process.on(signal, quit);
  try {
    await instance.waitUntilExit();
  } finally {
    for (const signal of QUIT_SIGNALS) process.off(signal, quit);
    process.stdout.write(LEAVE_ALTERNATE_SCREEN);
  }
}
