// porttop range show|set|reset: the dynamic (ephemeral) port range.
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import type { Backend } from '../backend.js';
import type { PortRange, RangeChange } from '../core/model.js';
import { DEFAULT_RANGES, makeRange, rangesAreShared } from '../core/ranges.js';
import { rangeSetCommand } from '../core/labels.js';
import { FAMILY_CHOICES, parseFamilies, parseProtocols, parseRangeValues, PROTO_CHOICES } from '../core/validate.js';
import { printJson, withBackend, type GlobalArgs } from './common.js';
import { formatTable } from './format.js';

interface RangeSetArgs extends GlobalArgs {
  start?: string;
  num?: string;
  proto: string;
  family: string;
  'dry-run': boolean;
}

const showCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'show',
  describe: 'the dynamic port range per protocol and family',
  handler: (args) => withBackend(args, async (backend) => printRanges(args, backend, await backend.getRanges())),
};

const changeOptions = (yargs: Argv<GlobalArgs>) =>
  yargs
    .option('proto', { type: 'string', default: 'all', describe: PROTO_CHOICES })
    .option('family', { type: 'string', default: 'all', describe: FAMILY_CHOICES })
    .option('dry-run', { type: 'boolean', default: false, describe: 'only print what would change' });

const setCommand: CommandModule<GlobalArgs, RangeSetArgs> = {
  command: 'set',
  describe: 'change the range (netsh rules: start >= 1025, num >= 255, start + num - 1 <= 65535)',
  builder: (yargs) =>
    changeOptions(yargs)
      .option('start', { type: 'string', describe: 'first port', demandOption: true })
      .option('num', { type: 'string', describe: 'number of ports', demandOption: true })
      .example('$0 range set --start 10000 --num 1000', 'use ports 10000-10999') as Argv<RangeSetArgs>,
  handler: (args) => {
    const { start, count } = parseRangeValues(args.start, args.num);
    return changeRange(args, { start, count, protocols: parseProtocols(args.proto), families: parseFamilies(args.family) });
  },
};

const resetCommand: CommandModule<GlobalArgs, RangeSetArgs> = {
  command: 'reset',
  describe: "restore the OS default (Linux 32768-60999, Windows 49152-65535)",
  builder: (yargs) => changeOptions(yargs) as Argv<RangeSetArgs>,
  handler: (args) => changeRange(args, { start: 0, count: 0, protocols: parseProtocols(args.proto), families: parseFamilies(args.family) }),
};

export const rangeCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'range',
  describe: 'show or change the dynamic (ephemeral) port range',
  builder: (yargs) => yargs.command(showCommand).command(setCommand).command(resetCommand).demandCommand(1, 'range needs a subcommand: show, set or reset'),
  handler: () => {},
};

/** A change with start 0 means "the OS default" (range reset), which only the backend's platform knows. */
async function changeRange(args: ArgumentsCamelCase<RangeSetArgs>, requested: RangeChange): Promise<void> {
  await withBackend(args, async (backend) => {
    const change = requested.start === 0 ? { ...requested, ...DEFAULT_RANGES[backend.platform] } : requested;
    const before = await backend.getRanges();
    const after = args.dryRun ? applyChange(before, change) : await backend.setRange(change);
    if (args.json) {
      printJson(args.runtime, { dryRun: args.dryRun, before: before.map(rangeJson), after: after.map(rangeJson), undo: undoCommands(before, change) });
      return;
    }
    const { runtime } = args;
    runtime.stdout(args.dryRun ? 'dry run: nothing changed\n' : '');
    runtime.stdout(`before:\n${rangesTable(before, backend)}after${args.dryRun ? ' (would be)' : ''}:\n${rangesTable(after, backend)}`);
    runtime.stdout(`undo with: ${undoCommands(before, change).join('  &&  ')}\n`);
    if (change.count < DEFAULT_RANGES[backend.platform].count) {
      runtime.stdout('note: a smaller range runs out sooner; widening a range is a stop-gap, not a fix for a process that leaks ports\n');
    }
  });
}

function applyChange(ranges: readonly PortRange[], change: RangeChange): PortRange[] {
  return ranges.map((range) =>
    change.protocols.includes(range.protocol) && change.families.includes(range.family)
      ? makeRange(range.protocol, range.family, change.start, change.count)
      : range,
  );
}

/** The command(s) that put back what the change touches: one when the touched ranges were equal. */
export function undoCommands(before: readonly PortRange[], change: RangeChange): string[] {
  const touched = before.filter((range) => change.protocols.includes(range.protocol) && change.families.includes(range.family));
  const first = touched[0];
  if (first && touched.every((range) => range.start === first.start && range.count === first.count)) {
    const protocol = change.protocols.length === 1 ? change.protocols[0] : undefined;
    const family = change.families.length === 1 ? change.families[0] : undefined;
    return [rangeSetCommand(first.start, first.count, { protocol, family })];
  }
  return touched.map((range) => rangeSetCommand(range.start, range.count, range));
}

function printRanges(args: GlobalArgs, backend: Backend, ranges: readonly PortRange[]): void {
  if (args.json) printJson(args.runtime, ranges.map(rangeJson));
  else args.runtime.stdout(rangesTable(ranges, backend));
}

/** A range as `range --json` prints it: `num`, the word of the --num flag, for its number of ports. */
export function rangeJson(range: PortRange) {
  return { protocol: range.protocol, family: range.family, start: range.start, num: range.count, end: range.end };
}

function rangesTable(ranges: readonly PortRange[], backend: Backend): string {
  const rows = ranges.map((range) => [range.protocol, range.family, range.start, range.end, range.count]);
  const table = formatTable(['PROTO', 'FAMILY', 'START', 'END', 'PORTS'], rows, new Set([2, 3, 4]));
  const shared =
    backend.platform === 'linux' && rangesAreShared(ranges)
      ? '(Linux has one range, net.ipv4.ip_local_port_range, for TCP and UDP, IPv4 and IPv6)\n'
      : '';
  return table + shared;
}

