// A command whose arguments are described by data: one table of options and positionals from which
// both yargs' builder (help, validation, messages) and the yargs-free fast path (src/cli-fast-path.ts)
// are derived, so an option is written once. Only what both can honour is allowed here: string and
// boolean options with an optional default and choices, and string positionals.
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import type { GlobalArgs } from './common.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  describe: string;
  default?: string | boolean;
  /** allowed values of a string option (yargs checks them; the fast path hands anything else to yargs) */
  choices?: string[];
  /** 1: the value is required, `--timeout --force` is an error (the fast path always requires one) */
  nargs?: 1;
}

export type OptionTable = Readonly<Record<string, OptionSpec>>;

export interface PositionalSpec {
  type: 'string';
  describe: string;
  /** `<name..>`: one or more values, given to the handler as an array */
  array?: boolean;
  demandOption?: boolean;
}

export interface CommandTable<A> {
  /** yargs' command string, e.g. 'who <ports..>'; its first word is the command's name */
  command: string;
  describe: string;
  positionals?: Readonly<Record<string, PositionalSpec>>;
  options?: OptionTable;
  examples?: readonly (readonly [string, string])[];
  handler: (args: ArgumentsCamelCase<A>) => void | Promise<void>;
}

/** A yargs command that also carries its table, so the fast path can parse for it without yargs. */
export interface TableCommand<A extends GlobalArgs = GlobalArgs> extends CommandModule<GlobalArgs, A> {
  table: CommandTable<A>;
}

export function defineCommand<A extends GlobalArgs>(table: CommandTable<A>): TableCommand<A> {
  return {
    command: table.command,
    describe: table.describe,
    builder: (yargs: Argv<GlobalArgs>) => {
      let built = yargs as Argv;
      // no default for a positional: yargs would print '[default: []]' beside '[required]'
      for (const [name, spec] of Object.entries(table.positionals ?? {})) built = built.positional(name, { ...spec, default: undefined });
      if (table.options) built = built.options(table.options);
      for (const [command, description] of table.examples ?? []) built = built.example(command, description);
      return built as unknown as Argv<A>;
    },
    handler: table.handler,
    table,
  };
}

export function isTableCommand(command: CommandModule<GlobalArgs, never>): command is TableCommand<never> {
  return 'table' in command;
}
