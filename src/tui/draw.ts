// Text drawing for the view: gauges, sparklines and the process table's columns. Pure string work,
// so the layout at 80 columns is unit-tested without rendering.
import { escapeControl } from '../core/terminal.js';
import type { ProcessRow, SortKey } from '../core/aggregate.js';
import { commandLineText, ELLIPSIS } from '../core/labels.js';

export const SPARK_LEVELS = '▁▂▃▄▅▆▇█';

/** A bar of `width` cells filled in proportion to the percent: [#####.....]. */
export function gauge(percent: number, width: number): string {
  const inner = Math.max(1, width - 2);
  const filled = Math.min(inner, Math.max(0, Math.round((percent / 100) * inner)));
  // any use at all shows at least one mark, so 0.2 % does not look like nothing
  const shown = percent > 0 && filled === 0 ? 1 : filled;
  return `[${'#'.repeat(shown)}${'.'.repeat(inner - shown)}]`;
}

/** The last `width` percentages as block characters on a fixed 0-100 scale (as htop's meters). */
export function sparkline(percents: readonly number[], width: number): string {
  const top = SPARK_LEVELS.length - 1;
  return percents
    .slice(-width)
    .map((percent) => SPARK_LEVELS[Math.min(top, Math.max(0, Math.round((percent / 100) * top)))])
    .join('');
}

/** HH:MM:SS in local time. */
export function clock(iso: string | Date): string {
  const date = typeof iso === 'string' ? new Date(iso) : iso;
  return [date.getHours(), date.getMinutes(), date.getSeconds()].map((part) => String(part).padStart(2, '0')).join(':');
}

export function formatSeconds(seconds: number): string {
  return Number.isInteger(seconds) ? `${seconds}s` : `${seconds.toFixed(1)}s`;
}

/** Cuts text to a width, marking the cut with the one ellipsis mark (htop marks nothing; a cut name must not look whole). */
export function fit(raw: string, width: number): string {
  if (width <= 0) return '';
  // every line of the view goes through here: process text must not reach the terminal raw
  const text = escapeControl(raw);
  if (text.length <= width) return text;
  return width === 1 ? ELLIPSIS : `${text.slice(0, width - 1)}${ELLIPSIS}`;
}

// ---- the process table ----

interface ColumnSpec {
  label: string;
  /** the label when the full ones do not fit (80 columns) */
  short: string;
  sortKey?: SortKey;
  value(row: ProcessRow): string;
}

/** The mark after a handle count over the handle rule; the footer explains it. */
export const SUSPECT_MARK = '!';

const NUMBER_COLUMNS: readonly ColumnSpec[] = [
  { label: 'SOCKETS', short: 'SOCK', sortKey: 'sockets', value: (row) => String(row.sockets) },
  { label: 'LISTEN', short: 'LSTN', value: (row) => String(row.listen) },
  { label: 'EST', short: 'EST', value: (row) => String(row.established) },
  { label: 'TIME_WAIT', short: 'TWAIT', value: (row) => String(row.timeWait) },
  { label: 'CLOSE_WAIT', short: 'CWAIT', sortKey: 'closewait', value: (row) => String(row.closeWait) },
  { label: 'BOUND', short: 'BOUND', sortKey: 'bound', value: (row) => String(row.bound) },
  { label: 'UDP', short: 'UDP', value: (row) => String(row.udp) },
  { label: 'EPHEM', short: 'EPHEM', sortKey: 'ephemeral', value: (row) => String(row.ephemeral) },
  {
    label: 'HANDLES',
    short: 'HNDL',
    sortKey: 'handles',
    value: (row) => (row.handles === null ? '-' : `${row.handles}${row.handleSuspect ? SUSPECT_MARK : ''}`),
  },
];

const PID_WIDTH = 7; // Linux PIDs go up to 4194304
const MIN_NAME_WIDTH = 8;
/** NAME is as wide as the longest name up to this; the rest of the line is the COMMAND column. */
const MAX_NAME_WIDTH = 16;
/** Narrower than this, a command line says nothing: NAME takes the room instead. */
const MIN_COMMAND_WIDTH = 12;

export interface TableLayout {
  header: string;
  /** one row as a line of exactly `width` characters at most, with the selection mark in front */
  line(row: ProcessRow, selected: boolean): string;
}

export function sortMark(descending: boolean): string {
  return descending ? '▼' : '▲';
}

/**
 * Column widths for these rows at this width: full labels when they fit, short ones otherwise; NAME
 * as wide as the longest name (within limits) and COMMAND (the command line, so five `node`s differ)
 * takes what is left, when that is enough to read. The sorted column's label carries ▼ or ▲.
 */
export function layoutTable(rows: readonly ProcessRow[], width: number, sortKey: SortKey, descending: boolean): TableLayout {
  const build = (useShort: boolean) => {
    const labels = NUMBER_COLUMNS.map((column) => {
      const label = useShort ? column.short : column.label;
      return column.sortKey === sortKey ? `${label}${sortMark(descending)}` : label;
    });
    const widths = NUMBER_COLUMNS.map((column, index) => {
      let widest = labels[index]!.length;
      for (const row of rows) widest = Math.max(widest, column.value(row).length);
      return widest;
    });
    // mark + PID + NAME + the numbers, one space between columns
    const fixed = 1 + PID_WIDTH + 1 + widths.reduce((sum, columnWidth) => sum + columnWidth + 1, 0);
    return { labels, widths, room: width - fixed };
  };
  let chosen = build(false);
  if (chosen.room < MIN_NAME_WIDTH) chosen = build(true);
  const { labels, widths } = chosen;
  let longestName = 4;
  for (const row of rows) longestName = Math.max(longestName, escapeControl(row.processName).length);
  const namedWidth = Math.min(MAX_NAME_WIDTH, Math.max(MIN_NAME_WIDTH, longestName));
  const commandWidth = chosen.room - namedWidth - 1;
  const showCommand = commandWidth >= MIN_COMMAND_WIDTH;
  const nameWidth = showCommand ? namedWidth : Math.max(MIN_NAME_WIDTH, chosen.room);
  const numbers = (cells: readonly string[]) => cells.map((cell, index) => cell.padStart(widths[index]!)).join(' ');
  const compose = (mark: string, pid: string, name: string, cells: readonly string[], command: string) =>
    `${mark}${pid.padStart(PID_WIDTH)} ${fit(name, nameWidth).padEnd(nameWidth)} ${numbers(cells)}${showCommand ? ` ${fit(command, commandWidth)}` : ''}`
      .slice(0, width);
  return {
    header: compose(' ', 'PID', 'NAME', labels, 'COMMAND'),
    line: (row, selected) =>
      compose(
        selected ? '>' : ' ',
        String(row.pid),
        row.processName,
        NUMBER_COLUMNS.map((column) => column.value(row)),
        row.commandLine === null ? '-' : commandLineText(row.commandLine),
      ),
  };
}
