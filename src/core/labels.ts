// One vocabulary for every printer and the live view: the verdict and its words, how a range, an
// address and a protocol are written. A word is chosen here once; commands and the TUI only use it.
import type { Family, Protocol } from './model.js';
import { escapeControl } from './terminal.js';

/** The three-level judgement of a range (and of a whole diagnosis), mildest first. */
export const VERDICTS = ['ok', 'warning', 'exhausted'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** The verdict as one word, the same in `diagnose`, `watch`, the gauge and the header. */
export const VERDICT_LABELS: Record<Verdict, string> = { ok: 'OK', warning: 'WARNING', exhausted: 'EXHAUSTED' };

/** The verdict as the sentence `porttop diagnose` opens with. */
export const VERDICT_SENTENCES: Record<Verdict, string> = {
  ok: 'OK: no sign of ephemeral-port exhaustion',
  warning: 'WARNING: ephemeral ports are running low',
  exhausted: 'EXHAUSTED: ephemeral ports ran out (new connections fail)',
};

export function verdictRank(verdict: Verdict): number {
  return VERDICTS.indexOf(verdict);
}

/** True when `verdict` is at `level` or worse (for --fail-on). */
export function verdictReaches(verdict: Verdict, level: Verdict): boolean {
  return verdictRank(verdict) >= verdictRank(level);
}

export function worseVerdict(a: Verdict, b: Verdict): Verdict {
  return verdictRank(a) >= verdictRank(b) ? a : b;
}

interface RangeKeyed {
  protocol: Protocol;
  family: Family;
}

/** The one key of a protocol-family pair: "tcp/ipv4"; also how a range is named in words. */
export function rangeKey(range: RangeKeyed): string {
  return `${range.protocol}/${range.family}`;
}

/** "tcp/ipv4 49152-65535" */
export function rangeLabel(range: RangeKeyed & { start: number; end: number }): string {
  return `${rangeKey(range)} ${range.start}-${range.end}`;
}

/** netstat's protocol column: TCP, TCP6, UDP, UDP6. */
export function protocolLabel(item: RangeKeyed): string {
  return `${item.protocol.toUpperCase()}${item.family === 'ipv6' ? '6' : ''}`;
}

/** 127.0.0.1:8080, [::1]:8080; "*:*" for no address (a listener's peer, UDP). */
export function formatAddress(address: string | null, port: number | null): string {
  if (address === null || port === null) return '*:*';
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** "1 port", "2 ports" */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/** The one mark for text cut short to fit (a table cell, a command line, a header). */
export const ELLIPSIS = '…';

/** `PID 4242 (node)` */
export function processLabel(process: { pid: number; processName: string }): string {
  return `PID ${process.pid} (${process.processName})`;
}

/** The one spelling of a range change: `porttop range set --start 10000 --num 1000 [--proto tcp] [--family ipv4]`. */
export function rangeSetCommand(start: number, count: number, only: { protocol?: Protocol; family?: Family } = {}): string {
  return `porttop range set --start ${start} --num ${count}${only.protocol ? ` --proto ${only.protocol}` : ''}${only.family ? ` --family ${only.family}` : ''}`;
}

/** A command line on one line: runs of blanks (newlines, tabs) as one space, control characters escaped. */
export function commandLineText(commandLine: string): string {
  return escapeControl(commandLine.replace(/\s+/g, ' ').trim());
}
