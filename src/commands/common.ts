// Options every command shares, and the one way a handler borrows a backend.
import type { Argv } from 'yargs';
import { parseBackendChoice, type Backend } from '../backend.js';
import type { Runtime } from '../runtime.js';

export interface GlobalArgs {
  json: boolean;
  backend: string;
  runtime: Runtime;
  /** the command line as given (yargs loses `--flag=value` on booleans; see rejectFlagValues) */
  rawArgs?: readonly string[];
}

export function addGlobalOptions<T>(yargs: Argv<T>) {
  return yargs
    .option('json', { type: 'boolean', default: false, describe: 'print JSON only (stable camelCase fields)' })
    .option('backend', { type: 'string', default: 'auto', describe: 'where data comes from: auto, linux (/proc) or ps (PowerShell)' });
}

/** Opens the chosen backend, runs the work, and always closes it (no PowerShell left behind). */
export async function withBackend<T>(args: GlobalArgs, work: (backend: Backend) => Promise<T>): Promise<T> {
  const backend = await args.runtime.openBackend(parseBackendChoice(args.backend));
  try {
    return await work(backend);
  } finally {
    await backend.close();
  }
}

/** JSON for scripts: compact through a pipe, indented for a person at a terminal. */
export function printJson(runtime: Runtime, value: unknown): void {
  runtime.stdout(`${JSON.stringify(value, null, runtime.isInteractive ? 2 : undefined)}\n`);
}
