// The Linux backend: everything from /proc, nothing from ss, lsof or netstat.
import { readFileSync, writeFileSync } from 'node:fs';
import { endianness } from 'node:os';
import type { Backend, SnapshotOptions } from '../backend.js';
import type {
  KillOptions,
  KillResult,
  KillTarget,
  PortRange,
  ProcessInfo,
  RangeChange,
  Snapshot,
} from '../core/model.js';
import { FAMILIES, PROTOCOLS } from '../core/model.js';
import { rangeWriteProblem } from '../core/rangeWrite.js';
import { makeRange } from '../core/ranges.js';
import { BackendError, NotPermittedError, UsageError } from '../errors.js';
import { killLinuxProcess, type RunningProcess } from './kill.js';
import { dedupeEndpoints, parseProcNet, type ProcEndpoint } from './procnet.js';
import { parseBootTime, parseCmdline, parsePortRangeSysctl, startTimeIso, type PidStat } from './procpid.js';
import { parseCgroup } from './cgroup.js';
import { listPids, readIdentity, scanSocketOwners } from './owners.js';
import { readProcTable } from './tableReader.js';
import { EventLoopYielder } from './yielder.js';

export const PORT_RANGE_SYSCTL = '/proc/sys/net/ipv4/ip_local_port_range';

const TABLES = [
  { file: 'tcp', protocol: 'tcp', family: 'ipv4' },
  { file: 'tcp6', protocol: 'tcp', family: 'ipv6' },
  { file: 'udp', protocol: 'udp', family: 'ipv4' },
  { file: 'udp6', protocol: 'udp', family: 'ipv6' },
] as const;

/** How many parents a process's chain shows (`node (4120) <- npm (4101) <- bash (3990) <- sshd (812)`). */
export const PARENT_CHAIN_LEVELS = 4;
/** A bound on walking porttop's own ancestry (a loop in /proc would be a kernel bug, but never spin). */
const MAX_ANCESTORS = 256;

export interface LinuxBackendOptions {
  /** where procfs is mounted; tests point it elsewhere only for parser fixtures */
  procRoot?: string;
}

export class LinuxBackend implements Backend {
  readonly name = 'linux' as const;
  readonly platform = 'linux' as const;
  private readonly procRoot: string;
  private readonly littleEndian = endianness() === 'LE';
  /** read once per run so start times stay comparable between a snapshot and a kill */
  private bootTimeSeconds: number | undefined;

  constructor(options: LinuxBackendOptions = {}) {
    this.procRoot = options.procRoot ?? '/proc';
  }

  async snapshot(options: SnapshotOptions = {}): Promise<Snapshot> {
    const takenAt = new Date().toISOString();
    const warnings: string[] = [];
    const endpoints = await this.readEndpoints(options.localPorts, options.listenersOnly === true);
    if (options.owners === false) return { takenAt, endpoints, processes: new Map(), warnings, hiddenOwners: 0 };

    const wanted = new Set<number>();
    for (const endpoint of endpoints) if (endpoint.inode !== 0) wanted.add(endpoint.inode);
    const scan = await scanSocketOwners({ wanted, procRoot: this.procRoot });

    const processes = new Map<number, ProcessInfo>();
    const ancestry = new Map<number, PidStat | null>();
    const left = new Set<number>(scan.changedIdentity);
    let hidden = 0;
    for (const endpoint of endpoints) {
      const found = endpoint.inode === 0 ? undefined : scan.holdersByInode.get(endpoint.inode);
      if (found === undefined) {
        if (endpoint.inode !== 0) hidden++;
        continue;
      }
      const holders: number[] = [];
      for (const pid of found) {
        if (left.has(pid)) continue;
        if (!processes.has(pid)) {
          const info = this.readProcess(pid, scan.fdCounts.get(pid) ?? null, scan.identities.get(pid), ancestry);
          if (!info) {
            left.add(pid); // exited or reused between the fd scan and now: its sockets are going too
            continue;
          }
          processes.set(pid, info);
        }
        holders.push(pid);
      }
      endpoint.holders = holders;
      endpoint.pid = holders[0] ?? null;
    }
    // without unreadable processes an unmapped inode belongs to another PID namespace or the kernel
    const hiddenOwners = scan.unreadable > 0 ? hidden : 0;
    if (hiddenOwners > 0) warnings.push(`owners of ${hiddenOwners} sockets hidden: run as root to see every process`);
    if (scan.changedIdentity.length > 0) {
      const pids = scan.changedIdentity.slice(0, 5).join(', ');
      warnings.push(
        `PID ${pids}${scan.changedIdentity.length > 5 ? ' and others' : ''} exited or was reused while porttop read it: left out (its sockets show no owner until the next look)`,
      );
    }
    // ProcEndpoint is an Endpoint; the extra inode field is left on rather than copying 30k objects
    return { takenAt, endpoints, processes, warnings, hiddenOwners, porttopAncestors: this.porttopAncestors() };
  }

  /** Every process with its parent, name, start time and command line, for `kill --tree`. */
  async processTree(): Promise<Map<number, ProcessInfo>> {
    const tree = new Map<number, ProcessInfo>();
    const ancestry = new Map<number, PidStat | null>();
    const yielder = new EventLoopYielder();
    for (const pid of listPids(this.procRoot)) {
      await yielder.maybeYield();
      const info = this.readProcess(pid, null, readIdentity(this.procRoot, pid) ?? undefined, ancestry);
      if (info) tree.set(pid, info);
    }
    return tree;
  }

  /** The systemd unit and container from /proc/PID/cgroup; nothing when it is unreadable. */
  private cgroupOwner(pid: number): Pick<ProcessInfo, 'unit' | 'userUnit' | 'container'> {
    const text = readOrNull(`${this.procRoot}/${pid}/cgroup`);
    if (text === null) return { unit: null, container: null };
    const owner = parseCgroup(text);
    return owner.userUnit ? owner : { unit: owner.unit, container: owner.container };
  }

  /** porttop's ancestors, nearest first, up to (not including) PID 1 or 0. */
  porttopAncestors(): number[] {
    const ancestors: number[] = [];
    let pid = process.ppid;
    while (pid > 1 && ancestors.length < MAX_ANCESTORS) {
      ancestors.push(pid);
      const stat = readIdentity(this.procRoot, pid);
      if (!stat) break;
      pid = stat.parentPid;
    }
    return ancestors;
  }

  /** Parents of a process, nearest first, PARENT_CHAIN_LEVELS deep; `ancestry` caches stat reads per snapshot. */
  private parentChain(parentPid: number, ancestry: Map<number, PidStat | null>): { pid: number; name: string }[] {
    const chain: { pid: number; name: string }[] = [];
    let pid = parentPid;
    while (pid > 0 && chain.length < PARENT_CHAIN_LEVELS) {
      let stat = ancestry.get(pid);
      if (stat === undefined) ancestry.set(pid, (stat = readIdentity(this.procRoot, pid)));
      if (!stat) break;
      chain.push({ pid, name: stat.name });
      pid = stat.parentPid;
    }
    return chain;
  }

  private async readEndpoints(localPorts: ReadonlySet<number> | undefined, listenersOnly: boolean): Promise<ProcEndpoint[]> {
    const endpoints: ProcEndpoint[] = [];
    const yielder = new EventLoopYielder();
    for (const { file, protocol, family } of TABLES) {
      const path = `${this.procRoot}/net/${file}`;
      const parse = (text: string, header: boolean) =>
        parseProcNet({ protocol, family, text, header }, { littleEndian: this.littleEndian, localPorts, into: endpoints });
      try {
        await readProcTable(path, parse, { yielder, listenersOf: listenersOnly && protocol === 'tcp' ? family : null });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') continue; // IPv6 disabled: no tcp6/udp6
        throw new BackendError(`cannot read ${path}: ${code ?? String(error)}`);
      }
    }
    // a table read in pieces while sockets come and go may list a socket twice
    return dedupeEndpoints(endpoints);
  }

  /**
   * The process as the snapshot shows it; `matched` is the identity read with its fd table. null when
   * the process is gone or its PID now belongs to another process.
   */
  readProcess(pid: number, handles: number | null, matched?: PidStat, ancestry = new Map<number, PidStat | null>()): ProcessInfo | null {
    const stat = matched ?? readIdentity(this.procRoot, pid);
    if (!stat) return null;
    const cmdline = readOrNull(`${this.procRoot}/${pid}/cmdline`);
    if (matched) {
      // the command line must be the matched process's, not a newcomer's with the same PID
      const now = readIdentity(this.procRoot, pid);
      if (!now || now.startTicks !== matched.startTicks || now.name !== matched.name) return null;
    }
    return {
      pid,
      name: stat.name,
      commandLine: cmdline ? parseCmdline(cmdline) : null,
      startTime: startTimeIso(this.bootTime(), stat.startTicks),
      handles,
      parentPid: stat.parentPid,
      parentChain: this.parentChain(stat.parentPid, ancestry),
      sessionLeader: stat.session === pid,
      ...this.cgroupOwner(pid),
    };
  }

  private bootTime(): number {
    if (this.bootTimeSeconds === undefined) {
      const bootTime = parseBootTime(readOrNull(`${this.procRoot}/stat`) ?? '');
      if (bootTime === null) throw new BackendError(`cannot read the boot time from ${this.procRoot}/stat`);
      this.bootTimeSeconds = bootTime;
    }
    return this.bootTimeSeconds;
  }

  async getRanges(): Promise<PortRange[]> {
    const text = readOrNull(`${this.procRoot}/sys/net/ipv4/ip_local_port_range`);
    const range = text === null ? null : parsePortRangeSysctl(text);
    if (!range) throw new BackendError(`cannot read ${PORT_RANGE_SYSCTL}`);
    const count = range.end - range.start + 1;
    return PROTOCOLS.flatMap((protocol) => FAMILIES.map((family) => makeRange(protocol, family, range.start, count)));
  }

  async setRange(change: RangeChange): Promise<PortRange[]> {
    if (change.protocols.length !== PROTOCOLS.length || change.families.length !== FAMILIES.length) {
      throw new UsageError(
        'on Linux one range (net.ipv4.ip_local_port_range) serves tcp and udp, ipv4 and ipv6: leave --proto and --family at all',
      );
    }
    const end = change.start + change.count - 1;
    try {
      writeFileSync(`${this.procRoot}/sys/net/ipv4/ip_local_port_range`, `${change.start} ${end}\n`);
    } catch (error) {
      const unprivileged = readOrNull(`${this.procRoot}/sys/net/ipv4/ip_unprivileged_port_start`);
      const problem = rangeWriteProblem((error as NodeJS.ErrnoException).code, {
        start: change.start, end, isRoot: process.getuid?.() === 0, unprivilegedPortStart: unprivileged === null ? null : Number.parseInt(unprivileged, 10),
      });
      if (problem.kind === 'not-permitted') throw new NotPermittedError(problem.message);
      if (problem.kind === 'usage') throw new UsageError(problem.message);
      throw new BackendError(problem.message);
    }
    return this.getRanges();
  }

  kill(target: KillTarget, options: KillOptions): Promise<KillResult> {
    return killLinuxProcess(target, options, (pid) => this.identify(pid), this.porttopAncestors());
  }

  /** What a kill checks before each signal: is this PID still the process the user saw? */
  identify(pid: number): RunningProcess | null {
    const stat = readIdentity(this.procRoot, pid);
    if (!stat) return null;
    // a leader that exited while other threads run shows Z too: it is gone only when no thread is left
    return { name: stat.name, startTime: startTimeIso(this.bootTime(), stat.startTicks), zombie: stat.state === 'Z' && stat.numThreads <= 1 };
  }

  async close(): Promise<void> {}
}

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}
