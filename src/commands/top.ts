// porttop (or porttop top): the live, top-like view. Ink, React and src/tui are imported inside the
// handler only, so every other command (`who --json`) starts without them.
import { hostname } from 'node:os';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { SORT_KEYS } from '../core/aggregate.js';
import { INTERVAL_LIMITS, parseInterval, parseSortKey } from '../core/validate.js';
import { UsageError } from '../errors.js';
import { keepHeapNearLiveSize } from '../heapTuning.js';
import { withBackend, type GlobalArgs } from './common.js';

interface TopArgs extends GlobalArgs {
  interval: string;
  sort: string;
  filter: string;
}

export const topCommand: CommandModule<GlobalArgs, TopArgs> = {
  command: ['top', '$0'],
  describe: 'live, top-like view of processes by socket count (the default)',
  builder: (yargs) =>
    (yargs as Argv<GlobalArgs>)
      .option('interval', { type: 'string', default: '2', describe: `seconds between refreshes (${INTERVAL_LIMITS.minSeconds} to ${INTERVAL_LIMITS.maxSeconds})` })
      .option('sort', { type: 'string', default: 'sockets', describe: `${SORT_KEYS.join('|')} (largest first)` })
      .option('filter', { type: 'string', default: '', describe: 'show only processes whose name or PID matches, or :PORT' })
      .example('$0 --sort closewait', 'the live view, the most CLOSE_WAIT sockets first')
      .example('$0 top --filter :8080', 'only the processes using port 8080') as Argv<TopArgs>,
  handler: (args) => runTopCommand(args),
};

async function runTopCommand(args: ArgumentsCamelCase<TopArgs>): Promise<void> {
  const intervalSeconds = parseInterval(args.interval);
  const sortKey = parseSortKey(args.sort);
  if (args.json) throw new UsageError('the live view has no --json: use porttop procs --json');
  if (!args.runtime.isInteractive) {
    throw new UsageError('the live view needs a terminal (stdin and stdout): use porttop procs for a one-off table');
  }
  // React picks its build when first loaded: the development build's checks cost the view about as
  // much CPU as the analysis itself. A user who sets NODE_ENV keeps it.
  process.env.NODE_ENV ??= 'production';
  keepHeapNearLiveSize();
  await withBackend(args, async (backend) => {
    const { runTop } = await importViewForTerminal();
    await runTop(backend, { hostName: hostname(), intervalSeconds, sortKey, filter: String(args.filter ?? '') });
  });
}

/** Environment variables that make Ink (through is-in-ci, read once when Ink loads) draw only a final frame. */
const CI_VARIABLES = ['CI', 'CONTINUOUS_INTEGRATION'] as const;

/**
 * The FORCE_COLOR the view's colour library must see when it loads: NO_COLOR (no-color.org) means
 * none, which that library does not check itself; a FORCE_COLOR the user set wins over NO_COLOR.
 */
export function colorOverride(env: NodeJS.ProcessEnv): string | undefined {
  if ('FORCE_COLOR' in env) return env.FORCE_COLOR;
  return env.NO_COLOR ? '0' : undefined;
}

/**
 * Loads the view with the CI variables hidden (`porttop top` has just checked that it runs in a real
 * terminal, where a CI=true left in the shell would otherwise leave the screen blank until exit) and
 * with the colour the user asked for (NO_COLOR, FORCE_COLOR), read once as the library loads.
 */
async function importViewForTerminal(): Promise<typeof import('../tui/run.js')> {
  const saved = [...CI_VARIABLES, 'FORCE_COLOR'].map((name) => [name, process.env[name]] as const);
  const force = colorOverride(process.env);
  for (const [name] of saved) delete process.env[name];
  if (force !== undefined) process.env.FORCE_COLOR = force;
  try {
    return await import('../tui/run.js');
  } finally {
    delete process.env.FORCE_COLOR;
    for (const [name, value] of saved) if (value !== undefined) process.env[name] = value;
  }
}
