// Options every command shares, and the one way a handler borrows a backend.
import type { Argv } from 'yargs';
import { parseBackendChoice, type Backend } from '../backend.js';
import type { Endpoint, Snapshot } from '../core/model.js';
import { ownedEndpointJsonEncoder, withProcessNames } from '../core/select.js';
import type { Runtime } from '../runtime.js';
import type { OptionTable } from './define.js';

export interface GlobalArgs {
  json: boolean;
  backend: string;
  runtime: Runtime;
  /** the command line as given (yargs loses `--flag=value` on booleans; see rejectFlagValues) */
  rawArgs?: readonly string[];
}

/** Options every command takes, written once: yargs and the fast path (src/cli-fast-path.ts) read this table. */
export const GLOBAL_OPTIONS = {
  json: { type: 'boolean', default: false, describe: 'print JSON only (stable camelCase fields)' },
  backend: { type: 'string', default: 'auto', describe: 'where data comes from: auto, linux (/proc) or ps (PowerShell)' },
} as const satisfies OptionTable;

export function addGlobalOptions<T>(yargs: Argv<T>) {
  return yargs.options(GLOBAL_OPTIONS);
}

/** Notes from a diagnosis's optional sources, as the commands print them. */
export function noteTo(runtime: Runtime): (message: string) => void {
  return (message) => runtime.stderr(`note: ${message}\n`);
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

/** About this many characters of JSON per write when an array is written in pieces. */
const JSON_PIECE_CHARS = 64 * 1024;

/**
 * An array of endpoints for scripts: at a terminal as printJson indents it; through a pipe the same
 * compact text as printJson, written in pieces, so that `list --json` on a busy server (tens of MB) is
 * never one string.
 */
export function printEndpointsJson(runtime: Runtime, endpoints: readonly Endpoint[], snapshot: Pick<Snapshot, 'processes'>): void {
  if (runtime.isInteractive) {
    printJson(runtime, withProcessNames(endpoints, snapshot));
    return;
  }
  const encode = ownedEndpointJsonEncoder(snapshot);
  let piece = '[';
  for (let index = 0; index < endpoints.length; index++) {
    piece += (index === 0 ? '' : ',') + encode(endpoints[index]!);
    if (piece.length >= JSON_PIECE_CHARS) {
      runtime.stdout(piece);
      piece = '';
    }
  }
  runtime.stdout(`${piece}]\n`);
}
