// porttop procs: one row per process that owns sockets, with counts by state.
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { SORT_KEYS, sortProcessRows, summarizeProcesses, type ProcessRow } from '../core/aggregate.js';
import { HANDLE_SUSPECT_THRESHOLD } from '../core/handles.js';
import { parsePositiveInteger, parseSortKey } from '../core/validate.js';
import { printJson, withBackend, type GlobalArgs } from './common.js';
import { formatTable } from './format.js';
import { escapeControl } from '../core/terminal.js';

interface ProcsArgs extends GlobalArgs {
  sort: string;
  top?: string;
}

export const procsCommand: CommandModule<GlobalArgs, ProcsArgs> = {
  command: 'procs',
  describe: 'per-process socket counts by state, ephemeral ports and handles',
  builder: (yargs) =>
    (yargs as Argv<GlobalArgs>)
      .option('sort', { type: 'string', default: 'sockets', describe: `${SORT_KEYS.join('|')} (largest first)` })
      .option('top', { type: 'string', describe: 'only the first N rows' })
      .example('$0 procs --sort closewait --top 5', 'the five processes with the most CLOSE_WAIT sockets') as Argv<ProcsArgs>,
  handler: (args) => runProcs(args),
};

/** The JSON shape of one `procs` row. */
export function procsJsonRow(row: ProcessRow) {
  const { pid, processName, commandLine, sockets, listen, established, timeWait, closeWait, bound, udp, ephemeral, handles } = row;
  return { pid, processName, commandLine, sockets, listen, established, timeWait, closeWait, bound, udp, ephemeral, handles };
}

async function runProcs(args: ArgumentsCamelCase<ProcsArgs>): Promise<void> {
  const sort = parseSortKey(args.sort);
  const top = args.top === undefined ? undefined : parsePositiveInteger(args.top, '--top');
  await withBackend(args, async (backend) => {
    const [snapshot, ranges] = await Promise.all([backend.snapshot(), backend.getRanges()]);
    const rows = sortProcessRows(summarizeProcesses(snapshot, ranges), sort).slice(0, top);
    if (args.json) {
      printJson(args.runtime, rows.map(procsJsonRow));
      return;
    }
    const table = rows.map((row) => [
      row.pid, escapeControl(row.processName), row.sockets, row.listen, row.established, row.timeWait, row.closeWait,
      row.bound, row.udp, row.ephemeral, row.handles === null ? null : `${row.handles}${row.handleSuspect ? ' !' : ''}`,
    ]);
    const headers = ['PID', 'NAME', 'SOCKETS', 'LISTEN', 'EST', 'TIME_WAIT', 'CLOSE_WAIT', 'BOUND', 'UDP', 'EPHEM', 'HANDLES'];
    args.runtime.stdout(formatTable(headers, table, new Set([0, 2, 3, 4, 5, 6, 7, 8, 9, 10])));
    if (rows.some((row) => row.handleSuspect)) args.runtime.stdout(`! more than ${HANDLE_SUSPECT_THRESHOLD} handles: suspected of leaking sockets or handles\n`);
    for (const warning of snapshot.warnings) args.runtime.stderr(`note: ${warning}\n`);
  });
}
