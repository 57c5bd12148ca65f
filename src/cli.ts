// The command line: composes every command module, turns typed errors into exit codes.
import type { Argv } from 'yargs';
import { runFastPath } from './cli-fast-path.js';
import { diagnoseCommand } from './commands/diagnose.js';
import { addGlobalOptions, type GlobalArgs } from './commands/common.js';
import { killCommand } from './commands/kill.js';
import { listCommand } from './commands/list.js';
import { procsCommand } from './commands/procs.js';
import { rangeCommand } from './commands/range.js';
import { serveCommand } from './commands/serve.js';
import { topCommand } from './commands/top.js';
import { watchCommand } from './commands/watch.js';
import { whoCommand } from './commands/who.js';
import { EXIT, PorttopError, UsageError } from './errors.js';
import { processRuntime, type Runtime } from './runtime.js';

async function buildParser() {
  // loaded on demand: the plain who/list calls never need it (see cli-fast-path.ts)
  const { default: yargs } = await import('yargs');
  // the runtime arrives through parse's context, so every command sees GlobalArgs
  return (addGlobalOptions(yargs()) as unknown as Argv<GlobalArgs>)
    .scriptName('porttop')
    .usage('$0 [command]\n\nWhich process holds a port, stop it safely, and watch ephemeral-port exhaustion.')
    .command(topCommand)
    .command(whoCommand)
    .command(killCommand)
    .command(listCommand)
    .command(procsCommand)
    .command(rangeCommand)
    .command(diagnoseCommand)
    .command(watchCommand)
    .command(serveCommand)
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
}

export interface MainOptions {
  /** take plain who/list calls without yargs (default true; tests compare both ways) */
  fastPath?: boolean;
}

/** Runs porttop with these arguments and returns the exit code; never calls process.exit. */
export async function main(args: readonly string[], runtime: Runtime = processRuntime(), options: MainOptions = {}): Promise<number> {
  try {
    if (options.fastPath !== false && (await runFastPath(args, runtime))) return runtime.exitCode;
    await (await buildParser()).parseAsync([...args], { runtime, rawArgs: args } satisfies Partial<GlobalArgs>);
  } catch (error) {
    return reportError(error, runtime);
  }
  return runtime.exitCode;
}

function reportError(error: unknown, runtime: Runtime): number {
  if (error instanceof PorttopError) {
    runtime.stderr(`porttop: ${error.message}\n`);
    return error.exitCode;
  }
  // a bug: say so plainly, with the stack for the report, and fail as a backend error
  runtime.stderr(`porttop: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return EXIT.backend;
}
