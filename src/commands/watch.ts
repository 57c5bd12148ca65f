// porttop watch: sample at an interval, append each sample to CSV or NDJSON, print a live line with the
// trend and the time to exhaustion; Ctrl-C ends with a summary. Samples never overlap: the next one
// starts only after the previous one finished and the rest of the interval passed.
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { plural, rangeKey, VERDICT_LABELS } from '../core/labels.js';
import { escapeControl } from '../core/terminal.js';
import { formatDuration } from '../core/trend.js';
import { worstRange } from '../core/usage.js';
import { INTERVAL_LIMITS, parseInterval, parseOutFile, parsePositiveInteger, type OutFormat } from '../core/validate.js';
import {
  csvLine,
  sampleColumns,
  sampleOf,
  sampleRecord,
  SampleHistory,
  type SampleTrend,
  type WatchSample,
  type WatchSummary,
} from '../core/watchsample.js';
import { UsageError } from '../errors.js';
import { keepHeapNearLiveSize } from '../heapTuning.js';
import type { Runtime } from '../runtime.js';
import { diagnoseBackend } from '../api/diagnose.js';
import { noteTo, withBackend, type GlobalArgs } from './common.js';
import { LineFile } from './lineFile.js';

interface WatchArgs extends GlobalArgs {
  interval: string;
  count?: string;
  out?: string;
}

export const DEFAULT_INTERVAL_SECONDS = 5;

export const watchCommand: CommandModule<GlobalArgs, WatchArgs> = {
  command: 'watch',
  describe: 'sample port usage at an interval, append CSV or NDJSON, show the trend',
  builder: (yargs) =>
    (yargs as Argv<GlobalArgs>)
      .option('interval', { type: 'string', default: String(DEFAULT_INTERVAL_SECONDS), describe: `seconds between samples (${INTERVAL_LIMITS.minSeconds} to ${INTERVAL_LIMITS.maxSeconds})` })
      .option('count', { type: 'string', describe: 'stop after N samples (default: until Ctrl-C)' })
      .option('out', { type: 'string', describe: 'append each sample to FILE.csv (header row, ISO times) or FILE.ndjson (one object per line)' })
      .example('$0 watch --interval 10 --out ports.csv', 'a row every 10 s until Ctrl-C')
      .example('$0 watch --count 60 --out ports.ndjson', 'sixty samples, 5 s apart') as Argv<WatchArgs>,
  handler: (args) => runWatch(args),
};

async function runWatch(args: ArgumentsCamelCase<WatchArgs>): Promise<void> {
  // every input is checked before anything is opened or written
  const intervalMs = parseInterval(args.interval) * 1000;
  const count = args.count === undefined ? null : parsePositiveInteger(args.count, '--count');
  const out = parseOutFile(args.out);
  const { runtime } = args;
  keepHeapNearLiveSize();
  await withBackend(args, async (backend) => {
    const columns = sampleColumns(await backend.getRanges());
    const sink = out ? openSink(out.path, out.format, columns) : null;
    const stop = stopSignal();
    const history = new SampleHistory();
    const startedAt = new Date();
    try {
      for (let taken = 0; !stop.requested && (count === null || taken < count); taken++) {
        const started = Date.now();
        const { diagnosis, takenAt } = await diagnoseBackend(backend, { eventsSince: startedAt, note: noteTo(runtime) });
        const sample = sampleOf(diagnosis, takenAt);
        history.add(sample);
        const trend = history.trend();
        const record = sampleRecord(sample, trend, columns);
        sink?.append(record);
        if (args.json) runtime.stdout(`${JSON.stringify(record)}\n`); // NDJSON: one line each, even at a terminal
        else runtime.stdout(`${liveLine(sample, trend)}\n`);
        if (count !== null && taken + 1 >= count) break;
        await stop.sleep(Math.max(0, intervalMs - (Date.now() - started)));
      }
    } finally {
      stop.dispose();
      sink?.close();
    }
    const summary = history.summary();
    if (args.json) runtime.stdout(`${JSON.stringify({ summary: { ...summary, out: out?.path ?? null } })}\n`);
    else runtime.stdout(formatSummary(summary, out?.path ?? null));
  });
}

interface Sink {
  append(record: Record<string, string | number | null>): void;
  close(): void;
}

/**
 * One write per sample, whole lines only (lineFile.ts), so a crash or a full disk keeps every earlier
 * row. A CSV gets its header when new or empty; an existing CSV with other columns is refused rather
 * than mixed.
 */
function openSink(path: string, format: OutFormat, columns: readonly string[]): Sink {
  const file = LineFile.open(path);
  try {
    if (format === 'csv') {
      const header = csvLine(columns);
      if (file.isEmpty) file.append(header);
      else if (`${file.firstLine()}\n` !== header) {
        throw new UsageError(`--out '${path}' already holds CSV with other columns: choose a new file name`);
      }
    }
  } catch (error) {
    file.close();
    throw error;
  }
  const line = format === 'csv'
    ? (record: Record<string, string | number | null>) => csvLine(columns.map((column) => record[column] ?? null))
    : (record: Record<string, string | number | null>) => `${JSON.stringify(record)}\n`;
  return { append: (record) => file.append(line(record)), close: () => file.close() };
}

/** Ctrl-C (SIGINT) or SIGTERM ends the watch after the sample in progress, with a summary and exit 0. */
function stopSignal() {
  let wake: (() => void) | null = null;
  const state = {
    requested: false,
    sleep(ms: number): Promise<void> {
      if (state.requested) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          wake = null;
          resolve();
        }
        wake = done;
      });
    },
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
  function onSignal() {
    state.requested = true;
    wake?.();
  }
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return state;
}

export function liveLine(sample: WatchSample, trend: SampleTrend | null): string {
  const worst = worstRange(sample.ranges);
  const parts = [sample.time, VERDICT_LABELS[sample.verdict].padEnd(9)];
  if (worst) {
    const judged = worst.judgedPorts !== worst.inUse ? ` (judged ${worst.judgedPorts}, ${worst.judgedPercent}%)` : '';
    parts.push(`${rangeKey(worst)} ${worst.inUse}/${worst.usable} ${worst.percent}%${judged}`);
  }
  parts.push(`TIME_WAIT ${sample.timeWait}`, `CLOSE_WAIT ${sample.closeWait}`, `BOUND ${sample.bound}`);
  if (sample.topPid !== null) parts.push(`top PID ${sample.topPid} ${sample.topName ?? '?'} ${plural(sample.topPorts ?? 0, 'port')}`);
  if (trend?.trend.rising) {
    const sign = trend.trend.ratePerMinute >= 0 ? '+' : '';
    const eta = trend.trend.etaSeconds === null ? '' : trend.trend.etaSeconds === 0 ? ', exhausted now' : `, exhausted in ~${formatDuration(trend.trend.etaSeconds)}`;
    parts.push(`rising ${sign}${trend.trend.ratePerMinute} ports/min on ${trend.range}${eta}`);
  }
  return parts.join('  ');
}

export function formatSummary(summary: WatchSummary, outPath: string | null): string {
  const lines = [`watch ended: ${plural(summary.samples, 'sample')}${summary.from ? ` from ${summary.from} to ${summary.to}` : ''}`];
  if (summary.peak) {
    lines.push(`peak: ${summary.peak.range} ${plural(summary.peak.judgedPorts, 'port')} (${summary.peak.judgedPercent}%) at ${summary.peak.time}, verdict ${VERDICT_LABELS[summary.peak.verdict]}`);
    if (summary.firstPorts !== null && summary.lastPorts !== null) lines.push(`${summary.peak.range}: ${plural(summary.firstPorts, 'port')} at the start, ${summary.lastPorts} at the end`);
  }
  if (summary.peakCulprit) lines.push(`top culprit at the peak: PID ${summary.peakCulprit.pid} (${escapeControl(summary.peakCulprit.name ?? '?')}) with ${plural(summary.peakCulprit.ports ?? 0, 'ephemeral port')}`);
  if (summary.finalVerdict) lines.push(`last verdict: ${VERDICT_LABELS[summary.finalVerdict]}${summary.finalVerdict === 'ok' ? '' : ' (run porttop diagnose for the evidence and advice)'}`);
  if (outPath) lines.push(`samples appended to ${outPath}`);
  return `${lines.join('\n')}\n`;
}

