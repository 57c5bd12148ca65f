// Maps socket inodes to every process holding them by walking /proc/<pid>/fd, as ss -p and fuser do.
// A holder's identity (name + start time from /proc/<pid>/stat) is read after its fd table and must
// predate the scan (else the table is read again between two identity reads): a PID that exited and
// was reused in between is dropped, never reported as the new process.
import { existsSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { CLOCK_TICKS_PER_SECOND, parsePidStat, type PidStat } from './procpid.js';
import { EventLoopYielder } from './yielder.js';

export interface OwnerScan {
  /** socket inode -> every PID holding it, ascending (forked, inherited and passed sockets have several) */
  holdersByInode: Map<number, number[]>;
  /** identity as read before the fd table and confirmed after it, for every PID in holdersByInode */
  identities: Map<number, PidStat>;
  /** open fd count per process whose fd table was read */
  fdCounts: Map<number, number>;
  /** processes whose fd table we may not read (EACCES): their sockets' owners are hidden */
  unreadable: number;
  /** PIDs whose identity changed while their fd table was read (exited, PID reused): left out */
  changedIdentity: number[];
}

export interface OwnerScanOptions {
  /** inodes we look for (every process is still read: a socket may have several holders) */
  wanted: ReadonlySet<number>;
  procRoot?: string;
}

const SOCKET_PREFIX = 'socket:[';

export function listPids(procRoot = '/proc'): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync(procRoot)) {
    const code = entry.charCodeAt(0);
    if (code >= 48 && code <= 57) pids.push(Number(entry));
  }
  return pids.sort((a, b) => a - b);
}

/** How many fds of one process are read between two checks of the time slice (a server may hold 15k). */
const FDS_PER_CHECK = 512;

export async function scanSocketOwners(options: OwnerScanOptions): Promise<OwnerScan> {
  const procRoot = options.procRoot ?? '/proc';
  const holdersByInode = new Map<number, number[]>();
  const identities = new Map<number, PidStat>();
  const fdCounts = new Map<number, number>();
  const changedIdentity: number[] = [];
  let unreadable = 0;
  const yielder = new EventLoopYielder();
  const wanted = options.wanted;
  // a process that started before this tick had its PID all through the scan: see confirmHolder
  const scanStartTicks = uptimeTicks(procRoot);
  for (const pid of listPids(procRoot)) {
    await yielder.maybeYield();
    const fds = await readFdTable(procRoot, pid, yielder, wanted);
    if (fds === 'unreadable') unreadable++;
    if (typeof fds === 'string') continue;
    fdCounts.set(pid, fds.count);
    if (fds.held.length === 0) continue;
    scanTestHook(pid);
    const confirmed = await confirmHolder(procRoot, pid, fds.held, scanStartTicks, yielder, wanted);
    if (confirmed === 'gone') continue; // exited: its sockets are going too
    if (!confirmed) {
      changedIdentity.push(pid);
      continue;
    }
    identities.set(pid, confirmed.identity);
    for (const inode of confirmed.held) {
      const holders = holdersByInode.get(inode);
      if (!holders) holdersByInode.set(inode, [pid]);
      else if (holders[holders.length - 1] !== pid) holders.push(pid); // one socket on two fds of one process
    }
  }
  return { holdersByInode, identities, fdCounts, unreadable, changedIdentity };
}

interface FdTable {
  /** open fds (the threads' when the leader's table is empty) */
  count: number;
  /** wanted socket inodes among them, in fd order */
  held: number[];
}

/** One process's fds and the wanted sockets among them; a string when the table cannot be read. */
async function readFdTable(procRoot: string, pid: number, yielder: EventLoopYielder, wanted: ReadonlySet<number>): Promise<FdTable | 'gone' | 'unreadable'> {
  const fdDir = `${procRoot}/${pid}/fd`;
  let fds: string[];
  try {
    fds = readdirSync(fdDir);
  } catch (error) {
    // ENOENT: exited mid-scan; EACCES: not ours to read (counted so the caller can warn)
    return (error as NodeJS.ErrnoException).code === 'EACCES' ? 'unreadable' : 'gone';
  }
  let fdPaths: string[] | null = null;
  if (fds.length === 0) {
    // a kernel thread, a zombie, or a main thread that exited while other threads live on (their fd
    // tables hold the sockets). Listing the threads tells them apart for a third of the cost of
    // reading stat, and a machine has hundreds of kernel threads.
    const tids = readdirOrNull(`${procRoot}/${pid}/task`);
    if (!tids) return 'gone';
    if (tids.length > 1) fdPaths = threadFdPaths(procRoot, pid, tids);
  }
  const count = fdPaths ? fdPaths.length : fds.length;
  const held: number[] = [];
  if (wanted.size === 0) return { count, held };
  for (let index = 0; index < count; index++) {
    if (index % FDS_PER_CHECK === FDS_PER_CHECK - 1) await yielder.maybeYield();
    let target: string;
    try {
      target = readlinkSync(fdPaths ? fdPaths[index]! : `${fdDir}/${fds[index]}`);
    } catch {
      continue; // closed between readdir and readlink
    }
    if (!target.startsWith(SOCKET_PREFIX)) continue;
    const inode = Number(target.slice(SOCKET_PREFIX.length, -1));
    if (wanted.has(inode)) held.push(inode);
  }
  return { count, held };
}

/**
 * The identity of the process whose fds were just read; 'gone' when it has exited, null when it cannot
 * be told (the PID was reused meanwhile). A PID belongs to one process at a time, so a process that holds the
 * PID now and started before the scan did held it when its fds were read: one read of its stat after
 * the fds proves it, and the many processes that hold no wanted socket are never asked who they are.
 * A process started during the scan (rare) is checked the long way: identity, fd table again, identity.
 */
async function confirmHolder(
  procRoot: string,
  pid: number,
  held: number[],
  scanStartTicks: number | null,
  yielder: EventLoopYielder,
  wanted: ReadonlySet<number>,
): Promise<{ identity: PidStat; held: number[] } | 'gone' | null> {
  const identity = readIdentity(procRoot, pid);
  if (!identity) return 'gone';
  if (scanStartTicks !== null && identity.startTicks < scanStartTicks) return { identity, held };
  const again = await readFdTable(procRoot, pid, yielder, wanted);
  const after = readIdentity(procRoot, pid);
  if (typeof again === 'string' || !after || after.name !== identity.name || after.startTicks !== identity.startTicks) return null;
  // the fds read the first time may have been another process's: only what is held now counts
  return again.held.length > 0 ? { identity, held: again.held } : null;
}

/** Clock ticks since boot now (from /proc/uptime, the clock /proc/PID/stat's start time counts in); null if unreadable. */
export function uptimeTicks(procRoot: string): number | null {
  try {
    const seconds = /^(\d+)\.(\d\d)/.exec(readFileSync(`${procRoot}/uptime`, 'latin1'));
    return seconds ? Number(seconds[1]) * CLOCK_TICKS_PER_SECOND + Number(seconds[2]) : null;
  } catch {
    return null;
  }
}

export function readIdentity(procRoot: string, pid: number): PidStat | null {
  try {
    return parsePidStat(readFileSync(`${procRoot}/${pid}/stat`, 'latin1'));
  } catch {
    return null;
  }
}

/** The fds of every thread but the (exited) leader; threads usually share one table, so duplicates are dropped later. */
function threadFdPaths(procRoot: string, pid: number, tids: readonly string[]): string[] {
  const paths: string[] = [];
  const seenTables = new Set<string>();
  for (const tid of tids) {
    if (tid === String(pid)) continue;
    const dir = `${procRoot}/${pid}/task/${tid}/fd`;
    const fds = readdirOrNull(dir);
    if (!fds) continue;
    // threads made with CLONE_FILES share one table: read it once (same fd names = same table, near enough)
    const key = fds.join(',');
    if (seenTables.has(key)) continue;
    seenTables.add(key);
    for (const fd of fds) paths.push(`${dir}/${fd}`);
  }
  return paths;
}

function readdirOrNull(path: string): string[] | null {
  try {
    return readdirSync(path);
  } catch {
    return null;
  }
}

/**
 * Test hook for the PID-reuse race: with PORTTOP_TEST_SCAN_PAUSE_DIR set, after reading the fd table
 * of a process that holds a wanted socket, write `paused-PID` there and wait (up to 20 s) for `resume`.
 */
function scanTestHook(pid: number): void {
  const dir = process.env.PORTTOP_TEST_SCAN_PAUSE_DIR;
  if (!dir || existsSync(`${dir}/resume`)) return;
  writeFileSync(`${dir}/paused-${pid}`, '');
  const deadline = Date.now() + 20_000;
  const wait = new Int32Array(new SharedArrayBuffer(4));
  while (!existsSync(`${dir}/resume`) && Date.now() < deadline) Atomics.wait(wait, 0, 0, 20);
}
