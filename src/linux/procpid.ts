// Parsers for /proc/<pid>/stat, /proc/<pid>/cmdline and /proc/stat. Pure functions over file text.

export interface PidStat {
  /** comm: the name between the first "(" and the last ")", which may itself hold spaces and parentheses */
  name: string;
  /** one-letter state: R, S, D, Z, T ... */
  state: string;
  parentPid: number;
  /** session id (field 6): the process leads its session when it equals the PID */
  session: number;
  /** start time in clock ticks after boot (field 22) */
  startTicks: number;
  /** live threads (field 20); a zombie leader with threads left is still running */
  numThreads: number;
}

/** Splits on the last ") " so that names like `(sd-pam)` or `a b) c` parse (as bottom does). */
export function parsePidStat(text: string): PidStat | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(') ');
  if (open === -1 || close === -1 || close < open) return null;
  const fields = text.slice(close + 2).split(' ');
  // fields[0] is field 3 (state); field 22 (starttime) is fields[19]
  const state = fields[0];
  const parentPid = Number(fields[1]);
  const session = Number(fields[3]);
  const numThreads = Number(fields[17]);
  const startTicks = Number(fields[19]);
  if (!state || !Number.isFinite(parentPid) || !Number.isFinite(startTicks)) return null;
  return { name: text.slice(open + 1, close), state, parentPid, session: Number.isFinite(session) ? session : 0, startTicks, numThreads: Number.isFinite(numThreads) ? numThreads : 1 };
}

/** NUL-separated argv to one line; empty for kernel threads and zombies. */
export function parseCmdline(text: string): string {
  return text.replace(/\0+$/, '').split('\0').join(' ');
}

/** Boot time in seconds since the epoch, from the `btime` line of /proc/stat. */
export function parseBootTime(procStat: string): number | null {
  const match = /^btime (\d+)$/m.exec(procStat);
  return match ? Number(match[1]) : null;
}

/** USER_HZ: the unit of /proc/<pid>/stat times; 100 on every Linux architecture porttop runs on. */
export const CLOCK_TICKS_PER_SECOND = 100;

export function startTimeIso(bootTimeSeconds: number, startTicks: number): string {
  return new Date(bootTimeSeconds * 1000 + (startTicks * 1000) / CLOCK_TICKS_PER_SECOND).toISOString();
}

/** `32768\t60999` -> { start: 32768, end: 60999 } */
export function parsePortRangeSysctl(text: string): { start: number; end: number } | null {
  const match = /^\s*(\d+)\s+(\d+)\s*$/.exec(text);
  if (!match) return null;
  return { start: Number(match[1]), end: Number(match[2]) };
}
