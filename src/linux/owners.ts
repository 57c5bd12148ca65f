// Maps socket inodes to every process holding them by walking /proc/<pid>/fd, as ss -p and fuser do.
// A process's identity (name + start time from /proc/<pid>/stat) is read before its fd table and again
// after: a PID that exited and was reused in between is dropped, never reported as the new process.
import { existsSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { parsePidStat, type PidStat } from './procpid.js';
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
  for (const pid of listPids(procRoot)) {
    await yielder.maybeYield();
    const before = readIdentity(procRoot, pid);
    if (!before) continue; // exited
    const fdDirs = [`${procRoot}/${pid}/fd`];
    let fds: string[];
    try {
      fds = readdirSync(fdDirs[0]!);
    } catch (error) {
      // ENOENT: exited mid-scan; EACCES: not ours to read (counted so the caller can warn)
      if ((error as NodeJS.ErrnoException).code === 'EACCES') unreadable++;
      continue;
    }
    let fdPaths = fds.map((fd) => `${fdDirs[0]}/${fd}`);
    // the main thread has exited while other threads live on: their fd tables hold the sockets
    if (fds.length === 0 && before.numThreads > 1) fdPaths = threadFdPaths(procRoot, pid);
    fdCounts.set(pid, fdPaths.length);
    if (wanted.size === 0) continue;
    let held: number[] | null = null;
    for (let index = 0; index < fdPaths.length; index++) {
      if (index % FDS_PER_CHECK === FDS_PER_CHECK - 1) await yielder.maybeYield();
      let target: string;
      try {
        target = readlinkSync(fdPaths[index]!);
      } catch {
        continue; // closed between readdir and readlink
      }
      if (!target.startsWith(SOCKET_PREFIX)) continue;
      const inode = Number(target.slice(SOCKET_PREFIX.length, -1));
      if (wanted.has(inode)) (held ??= []).push(inode);
    }
    if (held === null) continue;
    scanTestHook(pid);
    const after = readIdentity(procRoot, pid);
    if (!after || after.name !== before.name || after.startTicks !== before.startTicks) {
      changedIdentity.push(pid);
      continue;
    }
    identities.set(pid, before);
    for (const inode of held) {
      const holders = holdersByInode.get(inode);
      if (!holders) holdersByInode.set(inode, [pid]);
      else if (holders[holders.length - 1] !== pid) holders.push(pid); // one socket on two fds of one process
    }
  }
  return { holdersByInode, identities, fdCounts, unreadable, changedIdentity };
}

export function readIdentity(procRoot: string, pid: number): PidStat | null {
  try {
    return parsePidStat(readFileSync(`${procRoot}/${pid}/stat`, 'latin1'));
  } catch {
    return null;
  }
}

/** The fds of every thread but the (exited) leader; threads usually share one table, so duplicates are dropped later. */
function threadFdPaths(procRoot: string, pid: number): string[] {
  const paths: string[] = [];
  const seenTables = new Set<string>();
  let tids: string[];
  try {
    tids = readdirSync(`${procRoot}/${pid}/task`);
  } catch {
    return paths;
  }
  for (const tid of tids) {
    if (tid === String(pid)) continue;
    const dir = `${procRoot}/${pid}/task/${tid}/fd`;
    let fds: string[];
    try {
      fds = readdirSync(dir);
    } catch {
      continue;
    }
    // threads made with CLONE_FILES share one table: read it once (same fd names = same table, near enough)
    const key = fds.join(',');
    if (seenTables.has(key)) continue;
    seenTables.add(key);
    for (const fd of fds) paths.push(`${dir}/${fd}`);
  }
  return paths;
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
