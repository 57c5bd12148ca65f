// The data every backend produces and every printer consumes. Plain data only: no I/O here.

export type Protocol = 'tcp' | 'udp';
export type Family = 'ipv4' | 'ipv6';

/** The OS family, for the rules that differ (protected PIDs, TIME_WAIT length, default range, judgement). */
export type Platform = 'linux' | 'windows';

export const PROTOCOLS: readonly Protocol[] = ['tcp', 'udp'];
export const FAMILIES: readonly Family[] = ['ipv4', 'ipv6'];

/** TCP state names as netstat prints them (upper case); BOUND is a socket bound but never connected. */
export const TCP_STATES = [
  'LISTEN',
  'SYN_SENT',
  'SYN_RECEIVED',
  'ESTABLISHED',
  'FIN_WAIT_1',
  'FIN_WAIT_2',
  'CLOSE_WAIT',
  'CLOSING',
  'LAST_ACK',
  'TIME_WAIT',
  'CLOSED',
  'DELETE_TCB',
  'BOUND',
] as const;
export type TcpState = (typeof TCP_STATES)[number];

export function isTcpState(text: string): text is TcpState {
  return (TCP_STATES as readonly string[]).includes(text);
}

export interface Endpoint {
  protocol: Protocol;
  family: Family;
  localAddress: string;
  localPort: number;
  /** null for UDP endpoints and listening sockets that have no peer */
  remoteAddress: string | null;
  remotePort: number | null;
  /** null for UDP */
  state: TcpState | null;
  /** first holder, kept for compatibility (JSON `pid`); null when no holder is known */
  pid: number | null;
  /**
   * every process holding this socket (forked / inherited / passed sockets have several), ascending
   * PID; [] when the OS reports none (TIME_WAIT) or they are hidden
   */
  holders: number[];
}

/** The container a process runs in, from its cgroup; id is the full 64-hex id. */
export interface ContainerRef {
  runtime: 'docker' | 'containerd' | 'cri-o' | 'podman' | 'lxc';
  id: string;
}

/** A Windows service hosted by a process (Win32_Service by ProcessId). */
export interface WindowsService {
  name: string;
  displayName: string;
  state: string | null;
  acceptStop: boolean | null;
}

export interface ProcessInfo {
  pid: number;
  name: string;
  commandLine: string | null;
  /**
   * ISO 8601 UTC start time; with the name it identifies the process, so a kill can refuse a PID
   * that has since been reused. null when the OS denies it.
   */
  startTime: string | null;
  /** open handles (Windows) or file descriptors (Linux); null when unreadable */
  handles: number | null;
  /** parent PID when known */
  parentPid?: number | null;
  /** executable path when known */
  path?: string | null;
  /** systemd unit from /proc/PID/cgroup, unescaped (nginx.service, session-3.scope) */
  unit?: string | null;
  /** the unit is a user's own (under user@UID.service): stopped with `systemctl --user` */
  userUnit?: boolean;
  container?: ContainerRef | null;
  /** Windows services this process hosts (Win32_Service by ProcessId) */
  services?: WindowsService[];
  /** ancestors, nearest first, a few levels: [{pid, name}] */
  parentChain?: { pid: number; name: string }[];
  /** leads its session (Linux: the shell of a terminal, a daemon after setsid): where `kill --tree` stops */
  sessionLeader?: boolean;
}

export interface Snapshot {
  /** ISO 8601 UTC time the snapshot was taken */
  takenAt: string;
  endpoints: Endpoint[];
  /** owners of the endpoints (and, where cheap, other processes), by PID */
  processes: Map<number, ProcessInfo>;
  /** partial failures in words, e.g. "owners of 12 sockets hidden: run as root" */
  warnings: string[];
  /** sockets whose owner exists but may not be seen by this user (run as root / Administrator to see them) */
  hiddenOwners?: number;
  /** porttop's own ancestors, nearest first (never killed: the shell or script porttop runs in) */
  porttopAncestors?: number[];
}

export interface PortRange {
  protocol: Protocol;
  family: Family;
  start: number;
  count: number;
  /** start + count - 1 */
  end: number;
}

export interface RangeChange {
  start: number;
  count: number;
  protocols: Protocol[];
  families: Family[];
}

/** A port range reserved by the OS (Windows excluded port ranges: Hyper-V, WSL, Docker). */
export interface ExcludedRange {
  protocol: Protocol;
  family: Family;
  start: number;
  end: number;
}

/** Windows System-log evidence of port exhaustion (Tcpip events 4227, 4231, 4266). */
export interface ExhaustionEvents {
  since: string;
  counts: Record<string, number>;
  /** ISO time of the latest event per id, null when none */
  latest: Record<string, string | null>;
}

/** What a kill needs to know to be sure it signals the process the user saw. */
export interface KillTarget {
  pid: number;
  name: string;
  startTime: string | null;
}

export interface KillOptions {
  /** signal name, e.g. SIGTERM; ignored on Windows (Stop-Process -Force) */
  signal: string;
  /** send SIGKILL at once */
  force: boolean;
  /** how long to wait for the process to go before escalating to SIGKILL, in ms */
  timeoutMs: number;
  /** allow Windows critical processes (csrss, lsass, ...) */
  allowCritical: boolean;
}

export type KillOutcome =
  | 'stopped' // it is gone
  | 'gone' // it had already exited or its PID now belongs to another process: left alone
  | 'refused' // protected process: porttop will not kill it
  | 'not-permitted' // the OS said no (EPERM / access denied)
  | 'survived' // still there after SIGKILL and the timeout
  | 'signalled'; // a non-terminating signal was delivered and the process is still running

export interface KillResult {
  pid: number;
  name: string;
  outcome: KillOutcome;
  /** the signals actually sent, in order */
  signals: string[];
  message: string;
}
