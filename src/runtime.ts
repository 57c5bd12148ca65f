// What a command handler may touch besides its arguments: the backend factory and the output streams.
// Tests pass their own (a captured stdout, a backend of their choosing); the bin uses the real ones.
import type { Backend, BackendChoice } from './backend.js';
import { openBackend } from './openBackend.js';

export interface Runtime {
  openBackend(choice: BackendChoice): Promise<Backend>;
  stdout(text: string): void;
  stderr(text: string): void;
  /** stdout and stdin are a terminal (the interactive view needs both) */
  isInteractive: boolean;
  /** set by handlers for results that are not errors: 1 = nothing found, 3 = a kill was refused */
  exitCode: number;
}

export function processRuntime(): Runtime {
  return {
    openBackend,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    isInteractive: Boolean(process.stdout.isTTY && process.stdin.isTTY),
    exitCode: 0,
  };
}
