// One row of `porttop watch`: what a diagnosis says at one moment, flattened so the same columns go to
// a CSV file (spreadsheet), an NDJSON file (one object per line) and the live line. Pure.
import type { Diagnosis } from './diagnose/index.js';
import { rangeKey, type Verdict } from './labels.js';
import type { Family, Protocol } from './model.js';
import { mostUrgentTrend, TREND_WINDOW_SAMPLES, type Trend, type TrendPoint } from './trend.js';
import { EXHAUSTED_PERCENT } from './usage.js';

export interface RangeSample {
  protocol: Protocol;
  family: Family;
  count: number;
  /** ports of the range not reserved by the OS: the pool every percent is of */
  usable: number;
  inUse: number;
  percent: number;
  /** what exhaustion is judged by (busiest destination on Linux TCP, busiest local address on Windows) */
  judgedPorts: number;
  judgedPercent: number;
}

export interface WatchSample {
  /** ISO 8601 UTC */
  time: string;
  verdict: Verdict;
  ranges: RangeSample[];
  timeWait: number;
  closeWait: number;
  bound: number;
  topPid: number | null;
  topName: string | null;
  topPorts: number | null;
}

export function sampleOf(diagnosis: Diagnosis, time: string): WatchSample {
  const top = diagnosis.culprits[0];
  const { totals } = diagnosis;
  return {
    time,
    verdict: diagnosis.verdict,
    ranges: diagnosis.usage.map(({ protocol, family, count, usable, inUse, percent, judgedPorts, judgedPercent }) => ({
      protocol, family, count, usable, inUse, percent, judgedPorts, judgedPercent,
    })),
    timeWait: totals.TIME_WAIT ?? 0,
    closeWait: totals.CLOSE_WAIT ?? 0,
    bound: totals.BOUND ?? 0,
    topPid: top?.pid ?? null,
    topName: top?.processName ?? null,
    topPorts: top?.ephemeralPorts ?? null,
  };
}

/** A column of one range, camelCase like every other field: tcpIpv4InUse, udpIpv6Percent. */
export function rangeColumn(range: { protocol: Protocol; family: Family }, field: 'usable' | 'inUse' | 'percent' | 'judgedPercent'): string {
  const capital = (word: string) => word[0]!.toUpperCase() + word.slice(1);
  return `${range.protocol}${capital(range.family)}${capital(field)}`;
}

const RANGE_FIELDS = ['inUse', 'percent', 'judgedPercent', 'usable'] as const;

/** The ports at which a range counts as exhausted: what the time-to-exhaustion aims at. */
export function exhaustionTarget(count: number): number {
  return Math.ceil((count * EXHAUSTED_PERCENT) / 100);
}

export interface SampleTrend {
  /** range key, e.g. tcp/ipv4 */
  range: string;
  trend: Trend;
}

/** The trend of the range that runs out first, from the samples so far (latest last). */
export function trendOfSamples(samples: readonly WatchSample[]): SampleTrend | null {
  const last = samples[samples.length - 1];
  if (!last) return null;
  const series = last.ranges.map((range) => {
    const key = rangeKey(range);
    const points: TrendPoint[] = [];
    for (const sample of samples) {
      const same = sample.ranges.find((r) => rangeKey(r) === key);
      if (same) points.push({ atMs: Date.parse(sample.time), value: same.judgedPorts });
    }
    return { key, points, target: exhaustionTarget(range.count) };
  });
  const urgent = mostUrgentTrend(series);
  return urgent ? { range: urgent.key, trend: urgent.trend } : null;
}

export type Cell = string | number | null;

/** Column names, fixed by the ranges of the first sample. */
export function sampleColumns(ranges: readonly { protocol: Protocol; family: Family }[]): string[] {
  return [
    'time',
    'verdict',
    ...ranges.flatMap((range) => RANGE_FIELDS.map((field) => rangeColumn(range, field))),
    'timeWait',
    'closeWait',
    'bound',
    'topPid',
    'topName',
    'topPorts',
    'trendRange',
    'ratePerMinute',
    'etaSeconds',
  ];
}

/** The sample as one flat record with exactly `columns`' keys (null where a range is absent or no trend). */
export function sampleRecord(sample: WatchSample, trend: SampleTrend | null, columns: readonly string[]): Record<string, Cell> {
  const values: Record<string, Cell> = {
    time: sample.time,
    verdict: sample.verdict,
    timeWait: sample.timeWait,
    closeWait: sample.closeWait,
    bound: sample.bound,
    topPid: sample.topPid,
    topName: sample.topName,
    topPorts: sample.topPorts,
    trendRange: trend?.range ?? null,
    ratePerMinute: trend?.trend.ratePerMinute ?? null,
    etaSeconds: trend?.trend.etaSeconds ?? null,
  };
  for (const range of sample.ranges) {
    for (const field of RANGE_FIELDS) values[rangeColumn(range, field)] = range[field];
  }
  const record: Record<string, Cell> = {};
  for (const column of columns) record[column] = values[column] ?? null;
  return record;
}

/** RFC 4180: quote a field holding a comma, quote or line break; null is an empty field. */
export function csvLine(cells: readonly Cell[]): string {
  return cells
    .map((cell) => {
      if (cell === null) return '';
      const text = String(cell);
      return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
    })
    .join(',') + '\n';
}

export interface WatchSummary {
  samples: number;
  from: string | null;
  to: string | null;
  /** the worst moment: highest judged percent of any range */
  peak: { time: string; range: string; judgedPercent: number; judgedPorts: number; verdict: Verdict } | null;
  /** the verdict at the peak and at the end */
  finalVerdict: Verdict | null;
  /** the top culprit at the peak */
  peakCulprit: { pid: number; name: string | null; ports: number | null } | null;
  /** judged ports of the peak range at the first and last sample */
  firstPorts: number | null;
  lastPorts: number | null;
}

/**
 * What a long watch needs to remember: the first sample, the latest few (for the trend) and the
 * worst one, so memory stays flat however long it runs.
 */
export class SampleHistory {
  private first: WatchSample | null = null;
  private peakSample: WatchSample | null = null;
  private peak: WatchSummary['peak'] = null;
  private readonly latest: WatchSample[] = [];
  private total = 0;

  constructor(private readonly keep = TREND_WINDOW_SAMPLES) {}

  add(sample: WatchSample): void {
    this.total++;
    this.first ??= sample;
    this.latest.push(sample);
    if (this.latest.length > this.keep) this.latest.shift();
    for (const range of sample.ranges) {
      if (!this.peak || range.judgedPercent > this.peak.judgedPercent) {
        this.peak = { time: sample.time, range: rangeKey(range), judgedPercent: range.judgedPercent, judgedPorts: range.judgedPorts, verdict: sample.verdict };
        this.peakSample = sample;
      }
    }
  }

  trend(): SampleTrend | null {
    return trendOfSamples(this.latest);
  }

  summary(): WatchSummary {
    const peak = this.peak;
    const last = this.latest[this.latest.length - 1];
    const portsOf = (sample: WatchSample | null | undefined) =>
      sample && peak ? (sample.ranges.find((range) => rangeKey(range) === peak.range)?.judgedPorts ?? null) : null;
    const culprit = this.peakSample;
    return {
      samples: this.total,
      from: this.first?.time ?? null,
      to: last?.time ?? null,
      peak,
      finalVerdict: last?.verdict ?? null,
      peakCulprit: culprit && culprit.topPid !== null ? { pid: culprit.topPid, name: culprit.topName, ports: culprit.topPorts } : null,
      firstPorts: portsOf(this.first),
      lastPorts: portsOf(last),
    };
  }
}
