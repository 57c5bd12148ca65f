// The top of the view: who and when, the dynamic ranges with their gauges and sparklines, totals by
// state, the diagnose verdict and the backend's warnings. It never pushes the table off a small
// terminal: headerShape picks, for the rows there are, the full header, a compact one (every gauge on
// one line) or a single line, and its height is known in advance so the table takes exactly the rest.
import React from 'react';
import { Box, Text } from 'ink';
import type { RangeDiagnosis } from '../core/diagnose/index.js';
import { protocolLabel, rangeKey, VERDICT_LABELS, type Verdict } from '../core/labels.js';
import type { StateTotals } from '../core/tally.js';
import { verdictOfPercent } from '../core/usage.js';
import { clock, fit, formatSeconds, gauge, sparkline } from './draw.js';
import type { UsageHistory } from './useSnapshot.js';
import type { HeaderVerdict } from './verdict.js';

/** At most this many warning lines in the full header; more are counted on the last one. */
export const MAX_WARNING_LINES = 2;
/** What the table needs under the header to be of use: its column header and five rows. */
export const MIN_MAIN_ROWS = 6;

export const VERDICT_COLOR: Record<Verdict, string> = { ok: 'green', warning: 'yellow', exhausted: 'red' };

export type HeaderMode = 'full' | 'compact' | 'line';

export interface HeaderShape {
  mode: HeaderMode;
  /** lines the header takes */
  height: number;
  /** warning lines shown */
  warningLines: number;
}

/** The largest header that leaves the table MIN_MAIN_ROWS of `availableRows`; the one-line header otherwise. */
export function headerShape(availableRows: number, usageCount: number, warningCount: number, hasVerdict: boolean): HeaderShape {
  const verdictLines = hasVerdict ? 1 : 0;
  const full: HeaderShape = { mode: 'full', warningLines: Math.min(warningCount, MAX_WARNING_LINES), height: 0 };
  full.height = 1 + usageCount + 1 + verdictLines + full.warningLines;
  if (availableRows - full.height >= MIN_MAIN_ROWS) return full;
  const compact: HeaderShape = { mode: 'compact', warningLines: Math.min(warningCount, 1), height: 0 };
  compact.height = 1 + (usageCount > 0 ? 1 : 0) + verdictLines + compact.warningLines;
  if (availableRows - compact.height >= MIN_MAIN_ROWS) return compact;
  return { mode: 'line', height: 1, warningLines: 0 };
}

export interface HeaderProps {
  width: number;
  shape: HeaderShape;
  hostName: string;
  backendName: string;
  takenAt: string | null;
  intervalSeconds: number;
  paused: boolean;
  usage: readonly RangeDiagnosis[];
  history: UsageHistory;
  totals: Partial<StateTotals>;
  socketCount: number;
  warnings: readonly string[];
  /** the diagnose verdict, one line under the gauges; null before the first snapshot */
  verdict: HeaderVerdict | null;
}

const TOTAL_STATES = ['LISTEN', 'ESTABLISHED', 'TIME_WAIT', 'CLOSE_WAIT', 'BOUND', 'UDP'] as const;
const TOTAL_LABELS: Record<(typeof TOTAL_STATES)[number], string> = {
  LISTEN: 'LISTEN', ESTABLISHED: 'EST', TIME_WAIT: 'TIME_WAIT', CLOSE_WAIT: 'CLOSE_WAIT', BOUND: 'BOUND', UDP: 'UDP',
};

export function Header(props: HeaderProps) {
  const { width, shape } = props;
  const title = [
    'porttop',
    `host ${props.hostName}`,
    `backend ${props.backendName}`,
    props.takenAt ? clock(props.takenAt) : '--:--:--',
    `every ${formatSeconds(props.intervalSeconds)}`,
  ].join('  ');
  const state = props.paused ? <Text inverse color="yellow">PAUSED</Text> : <Text color="green">running</Text>;
  if (shape.mode === 'line') {
    // the verdict first: on a tiny terminal it is what matters
    const label = props.verdict ? props.verdict.label : '';
    return (
      <Text wrap="truncate">
        {props.verdict && <Text color={VERDICT_COLOR[props.verdict.verdict]} bold>{label}</Text>}
        {props.verdict ? ' ' : ''}{props.paused ? <Text inverse color="yellow">PAUSED</Text> : null}{props.paused ? ' ' : ''}
        {fit(title, Math.max(0, width - label.length - 1 - (props.paused ? 7 : 0)))}
      </Text>
    );
  }
  const totals = TOTAL_STATES.map((name) => `${TOTAL_LABELS[name]} ${props.totals[name] ?? 0}`).join('  ');
  const warningLines = shownWarnings(props.warnings, shape.warningLines);
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate">
        {fit(title, Math.max(0, width - 9))}
        {'  '}
        {state}
      </Text>
      {shape.mode === 'full'
        ? props.usage.map((usage) => (
            <RangeLine key={rangeKey(usage)} usage={usage} history={props.history.get(rangeKey(usage)) ?? []} width={width} />
          ))
        : props.usage.length > 0 && <CompactRanges usage={props.usage} />}
      {shape.mode === 'full' && <Text wrap="truncate">{fit(`sockets ${props.socketCount}  ${totals}`, width)}</Text>}
      {props.verdict && (
        <Text wrap="truncate">
          <Text color={VERDICT_COLOR[props.verdict.verdict]} bold>{props.verdict.label}</Text> {fit(props.verdict.text, width - props.verdict.label.length - 1)}
        </Text>
      )}
      {warningLines.map((line, index) => (
        <Text key={index} color="yellow" wrap="truncate">{fit(`warning: ${line}`, width)}</Text>
      ))}
    </Box>
  );
}

function shownWarnings(warnings: readonly string[], lines: number): string[] {
  if (warnings.length <= lines) return [...warnings];
  if (lines === 0) return [];
  const shown = warnings.slice(0, lines);
  shown[lines - 1] = `${shown[lines - 1]} (+${warnings.length - lines} more)`;
  return shown;
}

const SPARK_WIDTH = 16;
const LEVEL_WIDTH = Math.max(...Object.values(VERDICT_LABELS).map((label) => label.length));

/** The word a gauge shows: the verdict of its share, in `diagnose`'s words. */
function gaugeVerdict(usage: RangeDiagnosis): Verdict {
  return verdictOfPercent(usage.percent);
}

/** TCP 32768-60999 [#####.....] 15000/28232  53.1% OK        ▁▂▃▅ (of the usable ports, when the OS reserved some) */
function RangeLine({ usage, history, width }: { usage: RangeDiagnosis; history: readonly number[]; width: number }) {
  const verdict = gaugeVerdict(usage);
  const label = `${protocolLabel(usage)} ${usage.start}-${usage.end}`.padEnd(16);
  const counts = `${usage.inUse}/${usage.usable}`.padStart(11);
  const percent = `${usage.percent.toFixed(1)}%`.padStart(6);
  const fixed = label.length + 1 + 1 + counts.length + 1 + percent.length + 1 + LEVEL_WIDTH + 1;
  const sparkWidth = Math.min(SPARK_WIDTH, Math.max(0, width - fixed - 12));
  const gaugeWidth = Math.max(6, Math.min(40, width - fixed - sparkWidth - 1));
  return (
    <Text wrap="truncate">
      {label} <Text color={VERDICT_COLOR[verdict]}>{gauge(usage.percent, gaugeWidth)}</Text> {counts} {percent}{' '}
      <Text color={VERDICT_COLOR[verdict]} bold>{VERDICT_LABELS[verdict].padEnd(LEVEL_WIDTH)}</Text> <Text color="cyan">{sparkline(history, sparkWidth)}</Text>
    </Text>
  );
}

/** TCP 53.1% OK  TCP6 0.0% OK  UDP 2.0% OK  UDP6 0.0% OK */
function CompactRanges({ usage }: { usage: readonly RangeDiagnosis[] }) {
  return (
    <Text wrap="truncate">
      {usage.map((range, index) => {
        const verdict = gaugeVerdict(range);
        return (
          <Text key={rangeKey(range)}>
            {index > 0 ? '  ' : ''}{protocolLabel(range)} {range.percent.toFixed(1)}% <Text color={VERDICT_COLOR[verdict]} bold>{VERDICT_LABELS[verdict]}</Text>
          </Text>
        );
      })}
    </Text>
  );
}
