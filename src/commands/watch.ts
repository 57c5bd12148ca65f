// porttop watch: sample at an interval, append each sample to CSV or NDJSON, print a live line with the
// trend and the time to exhaustion; Ctrl-C ends with a summary. Samples never overlap: the next one
// starts only after the previous one finished and the rest of the interval passed.
import { escapeControl } from '../core/terminal.js';
import { appendFileSync, closeSync, openSync, readSync } from 'node:fs';
import { basename } from 'node:path';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { totalsByState } from '../core/aggregate.js';
import { formatDuration } from '../core/trend.js';
import { parsePositiveInteger, parseSeconds } from '../core/validate.js';
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
import { BackendError, UsageError } from '../errors.js';
import type { Runtime } from '../runtime.js';
import { withBackend, type GlobalArgs } from './common.js';
import { diagnoseBackend } from './diagnose.js';

interface WatchArgs extends GlobalArgs {
  interval: string;
  count?: string;
  out?: string;
}

export const DEFAULT_INTERVAL_SECONDS = 5;
export const MIN_INTERVAL_SECONDS = 0.1;
export const MAX_INTERVAL_SECONDS = 86_400;

export type OutFormat = 'csv' | 'ndjson';

export const watchCommand: CommandModule<GlobalArgs, WatchArgs> = {
  command: 'watch',
  describe: 'sample port usage at an interval, append CSV or NDJSON, show the trend',
  builder: (yargs) =>
    (yargs as Argv<GlobalArgs>)
      .option('interval', { type: 'string', default: String(DEFAULT_INTERVAL_SECONDS), describe: 'seconds between samples' })
      .option('count', { type: 'string', describe: 'stop after N samples (default: until Ctrl-C)' })
      .option('out', { type: 'string', describe: 'append each sample to FILE.csv (header row, ISO times) or FILE.ndjson (one object per line)' })
      .example('$0 watch --interval 10 --out ports.csv', 'a row every 10 s until Ctrl-C')
      .example('$0 watch --count 60 --out ports.ndjson', 'sixty samples, 5 s apart') as Argv<WatchArgs>,
  handler: (args) => runWatch(args),
};

export function parseOutFile(value: unknown): { path: string; format: OutFormat } | null {
  if (value === undefined) return null;
  const path = String(value);
  const match = /\.(csv|ndjson)$/i.exec(path);
  if (!match || basename(path).length === match[0].length) {
    throw new UsageError(`invalid --out '${path}': expected a file name ending in .csv or .ndjson`);
  }
  return { path, format: match[1]!.toLowerCase() as OutFormat };
}

async function runWatch(args: ArgumentsCamelCase<WatchArgs>): Promise<void> {
  // every input is checked before anything is opened or written
  const intervalMs = parseSeconds(args.interval, '--interval', MIN_INTERVAL_SECONDS, MAX_INTERVAL_SECONDS) * 1000;
  const count = args.count === undefined ? null : parsePositiveInteger(args.count, '--count');
  const out = parseOutFile(args.out);
  const { runtime } = args;
  await withBackend(args, async (backend) => {
    const columns = sampleColumns(await backend.getRanges());
    const sink = out ? openSink(out.path, out.format, columns) : null;
    const stop = stopSignal();
    const history = new SampleHistory();
    const startedAt = new Date();
    try {
      for (let taken = 0; !stop.requested && (count === null || taken < count); taken++) {
        const started = Date.now();
        const { diagnosis, snapshot } = await diagnoseBackend(backend, runtime, startedAt);
        const sample = sampleOf(diagnosis, totalsByState(snapshot.endpoints), snapshot.takenAt);
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
    }
    const summary = history.summary();
    if (args.json) runtime.stdout(`${JSON.stringify({ summary: { ...summary, out: out?.path ?? null } })}\n`);
    else runtime.stdout(formatSummary(summary, out?.path ?? null));
  });
}

interface Sink {
  append(record: Record<string, string | number | null>): void;
}

/**
 * Appends, one write per sample, so a crash keeps every earlier row. A CSV gets its header when new
 * or empty; an existing CSV with other columns is refused rather than mixed.
 */
function openSink(path: string, format: OutFormat, columns: readonly string[]): Sink {
  const header = csvLine(columns);
  let firstLine: string;
  try {
    firstLine = readFirstLine(path);
  } catch (error) {
    throw new UsageError(`cannot write --out '${path}': ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  if (format === 'csv') {
    if (firstLine === '') appendFileSync(path, header);
    else if (`${firstLine}\n` !== header) {
      throw new UsageError(`--out '${path}' already holds CSV with other columns: choose a new file name`);
    }
    return { append: (record) => appendOrFail(path, csvLine(columns.map((column) => record[column] ?? null))) };
  }
  return { append: (record) => appendOrFail(path, `${JSON.stringify(record)}\n`) };
}

/** A full disk or a file removed under us ends the watch with one line, not a stack trace. */
function appendOrFail(path: string, text: string): void {
  try {
    appendFileSync(path, text);
  } catch (error) {
    throw new BackendError(`cannot append to --out '${path}': ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

/** Creates the file if needed (so a bad directory fails before the first sample) and returns its first line. */
function readFirstLine(path: string): string {
  const fd = openSync(path, 'a+');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const read = readSync(fd, buffer, 0, buffer.length, 0);
    const text = buffer.subarray(0, read).toString('utf8');
    const end = text.indexOf('\n');
    return end === -1 ? text : text.slice(0, end);
  } finally {
    closeSync(fd);
  }
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

function rangeLabel(range: { protocol: string; family: string }): string {
  return `${range.protocol}/${range.family}`;
}

export function liveLine(sample: WatchSample, trend: SampleTrend | null): string {
  const worst = sample.ranges.reduce<WatchSample['ranges'][number] | undefined>((a, b) => (!a || b.judgedPercent > a.judgedPercent ? b : a), undefined);
  const parts = [sample.time, sample.verdict.toUpperCase().padEnd(9)];
  if (worst) {
    const judged = worst.judgedPorts !== worst.inUse ? ` (judged ${worst.judgedPorts}, ${worst.judgedPercent}%)` : '';
    parts.push(`${rangeLabel(worst)} ${worst.inUse}/${worst.count} ${worst.percent}%${judged}`);
  }
  parts.push(`TIME_WAIT ${sample.timeWait}`, `CLOSE_WAIT ${sample.closeWait}`, `BOUND ${sample.bound}`);
  if (sample.topPid !== null) parts.push(`top PID ${sample.topPid} ${sample.topName ?? '?'} ${sample.topPorts ?? 0} ports`);
  if (trend?.trend.rising) {
    const sign = trend.trend.ratePerMinute >= 0 ? '+' : '';
    const eta = trend.trend.etaSeconds === null ? '' : trend.trend.etaSeconds === 0 ? ', exhausted now' : `, exhausted in ~${formatDuration(trend.trend.etaSeconds)}`;
    parts.push(`rising ${sign}${trend.trend.ratePerMinute} ports/min on ${trend.range.replace('_', '/')}${eta}`);
  }
  return parts.join('  ');
}

export function formatSummary(summary: WatchSummary, outPath: string | null): string {
  const lines = [`watch ended: ${summary.samples} sample${summary.samples === 1 ? '' : 's'}${summary.from ? ` from ${summary.from} to ${summary.to}` : ''}`];
  if (summary.peak) {
    lines.push(`peak: ${summary.peak.range.replace('_', '/')} ${summary.peak.judgedPorts} ports (${summary.peak.judgedPercent}%) at ${summary.peak.time}, verdict ${summary.peak.verdict}`);
    if (summary.firstPorts !== null && summary.lastPorts !== null) lines.push(`${summary.peak.range.replace('_', '/')}: ${summary.firstPorts} ports at the start, ${summary.lastPorts} at the end`);
  }
  if (summary.peakCulprit) lines.push(`top culprit at the peak: PID ${summary.peakCulprit.pid} (${escapeControl(summary.peakCulprit.name ?? '?')}) with ${summary.peakCulprit.ports ?? 0} ephemeral ports`);
  if (summary.finalVerdict) lines.push(`last verdict: ${summary.finalVerdict}${summary.finalVerdict === 'ok' ? '' : ' (run porttop diagnose for the evidence and advice)'}`);
  if (outPath) lines.push(`samples appended to ${outPath}`);
  return `${lines.join('\n')}\n`;
}

