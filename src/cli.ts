// The command line: composes every command module, turns typed errors into exit codes.
import type { Argv, CommandModule } from 'yargs';
import { reportError, runPlainCall } from './cli-fast-path.js';
import { completionCommand } from './commands/completion.js';
import { addGlobalOptions, type GlobalArgs } from './commands/common.js';
import { isTableCommand } from './commands/define.js';
import { UsageError } from './errors.js';
import { processRuntime, type Runtime } from './runtime.js';

type AnyCommand = CommandModule<GlobalArgs, never>;

/**
 * Every command, one line each, loaded only when asked for: `porttop who 8080` reads who.ts and what it
 * imports, never the live view's or diagnose's code. The key is the command's first word ('top' is
 * also the default command, through its '$0' alias).
 */
const COMMANDS: Record<string, () => Promise<AnyCommand>> = {
  top: async () => (await import('./commands/top.js')).topCommand as AnyCommand,
  who: async () => (await import('./commands/who.js')).whoCommand as AnyCommand,
  kill: async () => (await import('./commands/kill.js')).killCommand as AnyCommand,
  list: async () => (await import('./commands/list.js')).listCommand as AnyCommand,
  procs: async () => (await import('./commands/procs.js')).procsCommand as AnyCommand,
  range: async () => (await import('./commands/range.js')).rangeCommand as AnyCommand,
  diagnose: async () => (await import('./commands/diagnose.js')).diagnoseCommand as AnyCommand,
  watch: async () => (await import('./commands/watch.js')).watchCommand as AnyCommand,
  why: async () => (await import('./commands/why.js')).whyCommand as AnyCommand,
  wait: async () => (await import('./commands/wait.js')).waitCommand as AnyCommand,
  free: async () => (await import('./commands/free.js')).freeCommand as AnyCommand,
  serve: async () => (await import('./commands/serve.js')).serveCommand as AnyCommand,
};

async function buildParser() {
  // loaded on demand: plain calls of table-defined commands never need it (see cli-fast-path.ts)
  const [{ default: yargs }, commands] = await Promise.all([import('yargs'), Promise.all(Object.values(COMMANDS).map((load) => load()))]);
  // the runtime arrives through parse's context, so every command sees GlobalArgs
  const base = addGlobalOptions(yargs()) as unknown as Argv<GlobalArgs>;
  const showScript = showScriptOf(base);
  let parser = base
    .scriptName('porttop')
    .usage('$0 [command]\n\nWhich process holds a port, stop it safely, and watch ephemeral-port exhaustion.');
  for (const command of commands) parser = parser.command(command);
  parser = parser
    // --get-yargs-completions for the script; its command word is one nobody types (see completion.ts)
    .completion(HIDDEN_COMPLETION_COMMAND, false)
    .command(completionCommand(() => showScript.call(parser, 'porttop', 'completion')))
    .strict()
    .exitProcess(false)
    .help()
    .alias('h', 'help')
    .version()
    .wrap(null)
    .epilogue('Exit codes: 0 done, 1 nothing found, 2 bad input, 3 not permitted, 4 backend failed, 5 port still held after kill.')
    .fail((message, error) => {
      // yargs' own complaints (unknown flag, missing argument) become our one-line usage error
      // a YError is yargs' own complaint too (e.g. `--timeout` with no value: "Not enough arguments")
      if (error && error.name !== 'YError') throw error;
      throw new UsageError(`${(message ?? error?.message ?? 'bad arguments').replace(/\s*\n\s*/g, ' ')} (see porttop --help)`);
    });
  return parser;
}

const HIDDEN_COMPLETION_COMMAND = '__yargs-completion';

/** yargs' showCompletionScript($0, cmd): its types omit the parameters that name the command in the script's comment. */
function showScriptOf(parser: Argv<GlobalArgs>): (this: Argv<GlobalArgs>, $0: string, command: string) => unknown {
  return parser.showCompletionScript as unknown as (this: Argv<GlobalArgs>, $0: string, command: string) => unknown;
}

export interface MainOptions {
  /** take plain calls of table-defined commands without yargs (default true; tests compare both ways) */
  fastPath?: boolean;
}

/** Runs porttop with these arguments and returns the exit code; never calls process.exit. */
export async function main(args: readonly string[], runtime: Runtime = processRuntime(), options: MainOptions = {}): Promise<number> {
  try {
    if (options.fastPath !== false) {
      const code = await runWithoutYargs(args, runtime);
      if (code !== null) return code;
    }
    await (await buildParser()).parseAsync([...args], { runtime, rawArgs: args } satisfies Partial<GlobalArgs>);
  } catch (error) {
    return reportError(error, runtime);
  }
  return runtime.exitCode;
}

/** A plain call of a table-defined command, as the bin's per-command bundles run it; null: yargs parses. */
async function runWithoutYargs(args: readonly string[], runtime: Runtime): Promise<number | null> {
  const load = Object.hasOwn(COMMANDS, args[0] ?? '') ? COMMANDS[args[0]!] : undefined;
  if (!load) return null;
  const command = await load();
  return isTableCommand(command) ? runPlainCall(command, args, runtime) : null;
}
