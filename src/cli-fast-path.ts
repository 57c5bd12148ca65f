// `porttop who <ports..> [--json]` and `porttop list [--json]` without yargs. Loading and running
// yargs costs about 70 ms per call (its ESM graph, string-width's Intl.Segmenter, the help text it
// caches while validating), more than finding a port's owner among a few thousand sockets takes.
// Only the plainest forms are taken here; any other token (another flag, --help, a filter, a word
// that is not a port) returns null and goes through yargs as before, so every message stays yargs'.
import type { ArgumentsCamelCase } from 'yargs';
import { listCommand } from './commands/list.js';
import type { GlobalArgs } from './commands/common.js';
import { whoCommand } from './commands/who.js';
import type { Runtime } from './runtime.js';

export interface FastInvocation {
  command: 'who' | 'list';
  /** `who`'s port arguments as given (parsePortSpans validates them, as it does after yargs) */
  ports: string[];
  json: boolean;
}

/** Digits and dashes, starting with a digit: a port or a range, valid or not, never a flag. */
const PORT_TOKEN = /^[0-9][0-9-]*$/;

export function parseFastPath(args: readonly string[]): FastInvocation | null {
  const [command, ...rest] = args;
  if (command !== 'who' && command !== 'list') return null;
  let json = false;
  const ports: string[] = [];
  for (const token of rest) {
    if (token === '--json' && !json) json = true;
    else if (command === 'who' && PORT_TOKEN.test(token)) ports.push(token);
    else return null;
  }
  if (command === 'who' && ports.length === 0) return null;
  return { command, ports, json };
}

/** Runs the command if the arguments are a plain who/list call; false when yargs must parse them. */
export async function runFastPath(args: readonly string[], runtime: Runtime): Promise<boolean> {
  const invocation = parseFastPath(args);
  if (!invocation) return false;
  // what yargs would hand the handler: the global options at their defaults
  const common: ArgumentsCamelCase<GlobalArgs> = { _: [invocation.command], $0: 'porttop', json: invocation.json, backend: 'auto', runtime };
  if (invocation.command === 'who') await whoCommand.handler({ ...common, ports: invocation.ports });
  else await listCommand.handler(common);
  return true;
}
