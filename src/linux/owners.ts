// Maps socket inodes to the processes holding them by walking /proc/<pid>/fd, as ss -p and lsof do.
import { readdirSync, readlinkSync } from 'node:fs';
import { EventLoopYielder } from './yielder.js';

export interface OwnerScan {
  /** socket inode -> PID of the first (lowest) process holding it */
  ownerByInode: Map<number, number>;
  /** open fd count per process whose fd table was read */
  fdCounts: Map<number, number>;
  /** processes whose fd table we may not read (EACCES): their sockets' owners are hidden */
  unreadable: number;
}

export interface OwnerScanOptions {
  /** inodes we look for; when all are found the scan stops early */
  wanted: ReadonlySet<number>;
  /** keep scanning for fd counts even when every wanted inode is found (the full view needs handles) */
  countAllFds: boolean;
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
  const ownerByInode = new Map<number, number>();
  const fdCounts = new Map<number, number>();
  let unreadable = 0;
  let remaining = options.wanted.size;
  const yielder = new EventLoopYielder();
  for (const pid of listPids(procRoot)) {
    if (remaining === 0 && !options.countAllFds) break;
    await yielder.maybeYield();
    const fdDir = `${procRoot}/${pid}/fd`;
    let fds: string[];
    try {
      fds = readdirSync(fdDir);
    } catch (error) {
      // ENOENT: exited mid-scan; EACCES: not ours to read (counted so the caller can warn)
      if ((error as NodeJS.ErrnoException).code === 'EACCES') unreadable++;
      continue;
    }
    fdCounts.set(pid, fds.length);
    if (remaining === 0) continue;
    for (let index = 0; index < fds.length; index++) {
      if (index % FDS_PER_CHECK === FDS_PER_CHECK - 1) await yielder.maybeYield();
      const fd = fds[index]!;
      let target: string;
      try {
        target = readlinkSync(`${fdDir}/${fd}`);
      } catch {
        continue; // closed between readdir and readlink
      }
      if (!target.startsWith(SOCKET_PREFIX)) continue;
      const inode = Number(target.slice(SOCKET_PREFIX.length, -1));
      if (options.wanted.has(inode) && !ownerByInode.has(inode)) {
        ownerByInode.set(inode, pid);
        // the last one: the rest of this process's fds cannot change the answer (its count is known)
        if (--remaining === 0) break;
      }
    }
  }
  return { ownerByInode, fdCounts, unreadable };
}
