// Plain calls of table-defined commands (src/commands/define.ts: who, list, kill...) without yargs.
// Loading and running yargs costs tens of milliseconds per call (its ESM graph, string-width's
// Intl.Segmenter, the help text it builds while validating), more than finding a port's owner among
// a few thousand sockets takes. The arguments are read with Node's own util.parseArgs from the same
// table yargs is built from; anything that is not plain (an unknown or repeated flag, --help, a
// missing value, a value that looks like a flag, `--`, a choice not allowed, a wrong positional count)
// returns null and goes through yargs as before, so every message stays yargs'.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { ArgumentsCamelCase } from 'yargs';
import { GLOBAL_OPTIONS } from './commands/common.js';
import type { CommandTable, OptionTable, TableCommand } from './commands/define.js';
import { EXIT, PorttopError } from './errors.js';
import type { Runtime } from './runtime.js';

/** The handler's arguments as yargs would build them, without the runtime; null: leave it to yargs. */
export function parsePlainArgs(table: CommandTable<never>, args: readonly string[]): Record<string, unknown> | null {
  const [name, ...rest] = args;
  if (name !== table.command.split(' ')[0]) return null;
  const options: OptionTable = { ...GLOBAL_OPTIONS, ...table.options };
  const config: ParseArgsConfig['options'] = {};
  for (const [option, spec] of Object.entries(options)) config[option] = { type: spec.type };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: rest, options: config, allowPositionals: true, strict: true, tokens: true });
  } catch {
    return null; // unknown option, missing value, ambiguous value: yargs says it its way
  }
  const given = new Set<string>();
  for (const token of parsed.tokens ?? []) {
    if (token.kind === 'option-terminator') return null;
    if (token.kind !== 'option') continue;
    // yargs makes a repeated option an array; a flag value (`--signal -9`) it reads its own way
    if (given.has(token.name) || !token.rawName.startsWith('--') || token.value?.startsWith('-')) return null;
    given.add(token.name);
  }
  const result: Record<string, unknown> = { _: [name], $0: 'porttop' };
  for (const [option, spec] of Object.entries(options)) {
    const value = parsed.values[option] ?? spec.default;
    if (value === undefined) continue;
    if (spec.choices && !spec.choices.includes(String(value))) return null;
    setBoth(result, option, value);
  }
  const positionals = placePositionals(table, parsed.positionals);
  if (!positionals) return null;
  for (const [positional, value] of Object.entries(positionals)) setBoth(result, positional, value);
  return result;
}

/** Matches the positionals to `<name>`, `<name..>` and `[name]` of the command string, or null. */
function placePositionals(table: CommandTable<never>, values: readonly string[]): Record<string, string | string[]> | null {
  const placed: Record<string, string | string[]> = {};
  let next = 0;
  for (const word of table.command.split(' ').slice(1)) {
    const match = /^([<[])([\w-]+)(\.\.)?[\]>]$/.exec(word);
    if (!match) return null;
    const [, bracket, positional, variadic] = match;
    const spec = table.positionals?.[positional!];
    if (spec?.type !== 'string') return null; // only what the table describes
    const taken = variadic ? values.slice(next) : values.slice(next, next + 1);
    next += taken.length;
    if (taken.length === 0) {
      if (bracket === '<') return null; // required and missing: yargs' message
      continue;
    }
    placed[positional!] = variadic || spec.array ? taken : taken[0]!;
  }
  return next === values.length ? placed : null; // extra positionals: yargs' strict mode complains
}

/** yargs gives the handler both spellings: `dry-run` and `dryRun`. */
function setBoth(into: Record<string, unknown>, name: string, value: unknown): void {
  into[name] = value;
  const camel = name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
  if (camel !== name) into[camel] = value;
}

/** Runs a table-defined command when its arguments are plain; false when yargs must parse them. */
async function runFastPath(table: CommandTable<never>, args: readonly string[], runtime: Runtime): Promise<boolean> {
  const parsed = parsePlainArgs(table, args);
  if (!parsed) return false;
  await table.handler({ ...parsed, runtime, rawArgs: args } as unknown as ArgumentsCamelCase<never>);
  return true;
}

/**
 * A plain call of one command, its errors reported as main() reports them; null when yargs must parse
 * the arguments. The bin's per-command bundles (scripts/bundle.mjs) run this and nothing else.
 */
export async function runPlainCall(command: TableCommand<never>, args: readonly string[], runtime: Runtime): Promise<number | null> {
  try {
    return (await runFastPath(command.table, args, runtime)) ? runtime.exitCode : null;
  } catch (error) {
    return reportError(error, runtime);
  }
}

/** A PorttopError as its one line and exit code; anything else is a bug, said plainly with its stack. */
export function reportError(error: unknown, runtime: Runtime): number {
  if (error instanceof PorttopError) {
    runtime.stderr(`porttop: ${error.message}\n`);
    return error.exitCode;
  }
  runtime.stderr(`porttop: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return EXIT.backend;
}
