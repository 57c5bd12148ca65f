// The top of the view: who and when, the dynamic ranges with their gauges and sparklines, totals by
// state, the diagnose verdict when there is one, and the backend's warnings. Its height is known in
// advance (headerHeight) so the table below can take exactly the rows that are left.
import React from 'react';
import { Box, Text } from 'ink';
import type { StateTotals } from '../core/aggregate.js';
import { usageLevel, type RangeUsage, type UsageLevel } from '../core/usage.js';
import { clock, fit, formatSeconds, gauge, sparkline } from './draw.js';
import { rangeKey, type UsageHistory } from './useSnapshot.js';
import type { HeaderVerdict } from './verdict.js';

/** At most this many warning lines; more are counted on the last one. */
export const MAX_WARNING_LINES = 2;

export const LEVEL_COLOR: Record<UsageLevel, string> = { OK: 'green', WARN: 'yellow', CRIT: 'red' };

export interface HeaderProps {
  width: number;
  hostName: string;
  backendName: string;
  takenAt: string | null;
  intervalSeconds: number;
  paused: boolean;
  usage: readonly RangeUsage[];
  history: UsageHistory;
  totals: Partial<StateTotals>;
  socketCount: number;
  warnings: readonly string[];
  /** the diagnose verdict, one line under the gauges; null before the first snapshot */
  verdict: HeaderVerdict | null;
}

export function headerHeight(usageCount: number, warningCount: number, hasVerdict: boolean): number {
  return 1 + usageCount + 1 + (hasVerdict ? 1 : 0) + Math.min(warningCount, MAX_WARNING_LINES);
}

const TOTAL_STATES = ['LISTEN', 'ESTABLISHED', 'TIME_WAIT', 'CLOSE_WAIT', 'BOUND', 'UDP'] as const;
const TOTAL_LABELS: Record<(typeof TOTAL_STATES)[number], string> = {
  LISTEN: 'LISTEN', ESTABLISHED: 'EST', TIME_WAIT: 'TIME_WAIT', CLOSE_WAIT: 'CLOSE_WAIT', BOUND: 'BOUND', UDP: 'UDP',
};

export function Header(props: HeaderProps) {
  const { width } = props;
  const title = [
    'porttop',
    `host ${props.hostName}`,
    `backend ${props.backendName}`,
    props.takenAt ? clock(props.takenAt) : '--:--:--',
    `every ${formatSeconds(props.intervalSeconds)}`,
  ].join('  ');
  const totals = TOTAL_STATES.map((state) => `${TOTAL_LABELS[state]} ${props.totals[state] ?? 0}`).join('  ');
  const warningLines = shownWarnings(props.warnings);
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate">
        {title}
        {'  '}
        {props.paused ? <Text inverse color="yellow">PAUSED</Text> : <Text color="green">running</Text>}
      </Text>
      {props.usage.map((usage) => (
        <RangeLine key={rangeKey(usage)} usage={usage} history={props.history.get(rangeKey(usage)) ?? []} width={width} />
      ))}
      <Text wrap="truncate">{fit(`sockets ${props.socketCount}  ${totals}`, width)}</Text>
      {props.verdict && (
        <Text wrap="truncate">
          <Text color={LEVEL_COLOR[props.verdict.level]} bold>{props.verdict.label}</Text> {fit(props.verdict.text, width - props.verdict.label.length - 1)}
        </Text>
      )}
      {warningLines.map((line, index) => (
        <Text key={index} color="yellow" wrap="truncate">{fit(`warning: ${line}`, width)}</Text>
      ))}
    </Box>
  );
}

function shownWarnings(warnings: readonly string[]): string[] {
  if (warnings.length <= MAX_WARNING_LINES) return [...warnings];
  const shown = warnings.slice(0, MAX_WARNING_LINES);
  shown[MAX_WARNING_LINES - 1] = `${shown[MAX_WARNING_LINES - 1]} (+${warnings.length - MAX_WARNING_LINES} more)`;
  return shown;
}

const SPARK_WIDTH = 16;

/** TCP4 32768-60999 [#####.....] 15000/28232  53.1% OK   ▁▂▃▅ */
function RangeLine({ usage, history, width }: { usage: RangeUsage; history: readonly number[]; width: number }) {
  const level = usageLevel(usage.percent);
  const label = `${usage.protocol.toUpperCase()}${usage.family === 'ipv6' ? '6' : '4'} ${usage.start}-${usage.end}`.padEnd(16);
  const counts = `${usage.inUse}/${usage.count}`.padStart(11);
  const percent = `${usage.percent.toFixed(1)}%`.padStart(6);
  const fixed = label.length + 1 + 1 + counts.length + 1 + percent.length + 1 + 4 + 1;
  const sparkWidth = Math.min(SPARK_WIDTH, Math.max(0, width - fixed - 12));
  const gaugeWidth = Math.max(6, Math.min(40, width - fixed - sparkWidth - 1));
  return (
    <Text wrap="truncate">
      {label} <Text color={LEVEL_COLOR[level]}>{gauge(usage.percent, gaugeWidth)}</Text> {counts} {percent}{' '}
      <Text color={LEVEL_COLOR[level]} bold>{level.padEnd(4)}</Text> <Text color="cyan">{sparkline(history, sparkWidth)}</Text>
    </Text>
  );
}
