// "Why can't I bind this port?": the reasons, in the order a person should look at them, from a real
// bind attempt and what the backend saw. Pure: every fact arrives in WhyInput.
import { addressOverlap, blocksBind, familyOfAddress, isTimeWait, type Overlap } from './bindconflict.js';
import { OUTSIDE_HOLDER, TIME_WAIT_SECONDS } from './explain.js';
import type { Endpoint, ExcludedRange, PortRange, ProcessInfo, Protocol } from './model.js';
import { classifyOwner } from './owner.js';

export const WHY_KINDS = [
  'held',
  'excluded',
  'privileged',
  'time-wait',
  'dynamic-range',
  'address-conflict',
  'address-not-local',
  'other',
] as const;
export type WhyKind = (typeof WHY_KINDS)[number];

export interface WhyReason {
  kind: WhyKind;
  detail: string;
  /** what to do about it; null when there is nothing to do */
  fix: string | null;
}

/** The shape of `porttop why --json` and of the library's whyBind(). */
export interface WhyReport {
  port: number;
  host: string;
  proto: Protocol;
  bindable: boolean;
  reasons: WhyReason[];
}

export interface WhyInput {
  port: number;
  host: string;
  protocol: Protocol;
  platform: 'linux' | 'windows';
  /** the real bind: null code when it bound */
  attempt: { bound: boolean; code: string | null; message: string | null };
  /** endpoints on this local port (any protocol, address and state) */
  endpoints: readonly Endpoint[];
  processes: ReadonlyMap<number, ProcessInfo>;
  /** sockets whose owner this user may not see */
  hiddenOwners: number;
  ranges: readonly PortRange[];
  excluded: readonly ExcludedRange[];
  /** Linux net.ipv4.ip_unprivileged_port_start; null where there is none (Windows) */
  unprivilegedPortStart: number | null;
  /** root (or Administrator): privileged ports bind anyway */
  elevated: boolean;
  /** Linux net.ipv6.bindv6only; null when unknown */
  bindV6Only: boolean | null;
}

/** Tries porttop made were dual-stack for `::`, like Node's own servers. */
const TRY_IPV6_ONLY = false;

export function explainBind(input: WhyInput): WhyReport {
  const { port, host, protocol, attempt } = input;
  const reasons: WhyReason[] = [];
  const target = { host, protocol, ipv6Only: TRY_IPV6_ONLY };
  const overlapping = input.endpoints
    .map((endpoint) => ({ endpoint, overlap: addressOverlap(endpoint, target, input.bindV6Only) }))
    .filter((item): item is { endpoint: Endpoint; overlap: Overlap } => item.overlap !== null);
  const blocking = overlapping.filter((item) => blocksBind(item.endpoint));

  if (!attempt.bound && attempt.code === 'EADDRINUSE') {
    const same = blocking.filter((item) => item.overlap === 'same');
    for (const item of same) reasons.push(heldReason(item.endpoint, input));
    if (blocking.length === 0) reasons.push(unseenHolderReason(input));
  }

  const excluded = input.excluded.filter(
    (range) => range.protocol === protocol && range.family === familyOfAddress(host) && port >= range.start && port <= range.end,
  );
  if (!attempt.bound) for (const range of excluded) reasons.push(excludedReason(port, range));

  if (!attempt.bound && attempt.code === 'EACCES' && isPrivileged(input)) reasons.push(privilegedReason(input));

  const timeWaits = overlapping.filter((item) => isTimeWait(item.endpoint)).map((item) => item.endpoint);
  if (timeWaits.length > 0 && blocking.length === 0) reasons.push(timeWaitReason(timeWaits, input.platform, attempt.bound));

  const dynamic = input.ranges.find((range) => range.protocol === protocol && range.family === familyOfAddress(host));
  if (dynamic && port >= dynamic.start && port <= dynamic.end) reasons.push(dynamicReason(port, dynamic, input.platform));

  if (!attempt.bound && attempt.code === 'EADDRINUSE') {
    for (const item of blocking) if (item.overlap !== 'same') reasons.push(conflictReason(item.endpoint, item.overlap, input));
  }

  if (!attempt.bound && attempt.code === 'EADDRNOTAVAIL') {
    reasons.push({
      kind: 'address-not-local',
      detail: `address ${host} is not on this machine (EADDRNOTAVAIL)`,
      fix: `bind ${familyOfAddress(host) === 'ipv6' ? '::' : '0.0.0.0'} (every address) or an address this machine has (${input.platform === 'windows' ? 'ipconfig' : 'ip addr'} lists them)`,
    });
  }

  if (!attempt.bound && reasons.every((reason) => ADVISORY.has(reason.kind))) {
    reasons.push({ kind: 'other', detail: `the bind failed: ${attempt.code ?? 'unknown error'}${attempt.message ? ` (${attempt.message})` : ''}`, fix: null });
  }
  return { port, host, proto: protocol, bindable: attempt.bound, reasons: order(reasons) };
}

/** Advice that never makes a bind fail (the bind tried SO_REUSEADDR; the range only risks the future). */
const ADVISORY: ReadonlySet<WhyKind> = new Set(['time-wait', 'dynamic-range']);

/** The issue's order (held, excluded, privileged, TIME_WAIT, dynamic range, conflict, address), causes before advice. */
function order(reasons: WhyReason[]): WhyReason[] {
  const rank = (reason: WhyReason) => (ADVISORY.has(reason.kind) ? WHY_KINDS.length : 0) + WHY_KINDS.indexOf(reason.kind);
  return reasons
    .map((reason, index) => ({ reason, index }))
    .sort((a, b) => rank(a.reason) - rank(b.reason) || a.index - b.index)
    .map((item) => item.reason);
}

function isPrivileged(input: WhyInput): boolean {
  if (input.platform === 'windows') return false;
  return input.unprivilegedPortStart !== null && input.port < input.unprivilegedPortStart && !input.elevated;
}

/** PID 4 on Windows is the System process (HTTP.sys); its details are often not readable. */
function processOf(pid: number, input: WhyInput): ProcessInfo | undefined {
  return input.processes.get(pid) ?? (input.platform === 'windows' && pid === 4 ? { pid, name: 'System', commandLine: null, startTime: null, handles: null } : undefined);
}

/** "PID 1234 nginx (systemd service nginx.service)": a holder as a person recognises it. */
export function describeHolder(pid: number, endpoint: Endpoint | null, input: Pick<WhyInput, 'processes' | 'platform'>): string {
  const info = processOf(pid, input as WhyInput);
  const owner = classifyOwner(info, endpoint, input.platform);
  return `PID ${pid} ${info?.name ?? '?'}${owner ? ` (${owner.description})` : ''}`;
}

function describeHolders(endpoint: Endpoint, input: WhyInput): string {
  return endpoint.holders.map((pid) => describeHolder(pid, endpoint, input)).join(', ');
}

/** The command that frees the port at the right level (a service, a container), else porttop kill. */
function holderFix(endpoint: Endpoint, input: WhyInput): string {
  const stops = endpoint.holders.map((pid) => classifyOwner(processOf(pid, input), endpoint, input.platform)?.stop).filter((stop): stop is string => Boolean(stop));
  if (stops.length > 0) return `${[...new Set(stops)].join('; ')} (a plain kill may see it started again), or porttop kill ${input.port}`;
  return `porttop kill ${input.port} (stops PID ${endpoint.holders.join(', ')}), or pick another port: porttop free`;
}

function endpointWords(endpoint: Endpoint): string {
  const address = endpoint.family === 'ipv6' ? `[${endpoint.localAddress}]` : endpoint.localAddress;
  return `${endpoint.protocol.toUpperCase()} ${address}:${endpoint.localPort}${endpoint.state ? ` ${endpoint.state}` : ''}`;
}

/** The account that sees every process's sockets. */
function seeingAccount(platform: WhyInput['platform']): string {
  return platform === 'windows' ? 'Administrator' : 'root';
}

function heldReason(endpoint: Endpoint, input: WhyInput): WhyReason {
  if (endpoint.holders.length === 0 && input.hiddenOwners === 0) {
    // every process was read (as who and kill decide): "run as root" would send the user in a circle
    return {
      kind: 'held',
      detail: `${endpointWords(endpoint)} is held by ${OUTSIDE_HOLDER[input.platform]}`,
      fix: input.platform === 'linux'
        ? `look for it in containers and other PID namespaces (lsns -t pid), or pick another port: porttop free`
        : 'pick another port: porttop free',
    };
  }
  if (endpoint.holders.length === 0) {
    return {
      kind: 'held',
      detail: `${endpointWords(endpoint)} is held by a process this user may not see`,
      fix: `run porttop why ${input.port} as ${seeingAccount(input.platform)} to name it`,
    };
  }
  return {
    kind: 'held',
    detail: `${describeHolders(endpoint, input)} hold${endpoint.holders.length === 1 ? 's' : ''} ${endpointWords(endpoint)}`,
    fix: holderFix(endpoint, input),
  };
}

function unseenHolderReason(input: WhyInput): WhyReason {
  const seeMore = seeingAccount(input.platform);
  if (input.hiddenOwners > 0) {
    return { kind: 'held', detail: `port ${input.port} is in use by a process this user may not see`, fix: `run porttop why ${input.port} as ${seeMore} to name it` };
  }
  return {
    kind: 'held',
    detail: `port ${input.port} is in use, but no socket on it is visible here (another network namespace, a container's proxy, or the kernel)`,
    fix: `run porttop who ${input.port} as ${seeMore}; look inside containers and network namespaces`,
  };
}

function excludedReason(port: number, range: ExcludedRange): WhyReason {
  const source =
    range.administered === true
      ? 'an administered exclusion (added with netsh int ipv4 add excludedportrange, by an administrator or an installer)'
      : range.administered === false
        ? 'reserved at run time, typically by Hyper-V, WSL 2, Docker Desktop or winnat taking blocks of the dynamic range'
        : 'reserved by the OS (Hyper-V, WSL 2, Docker Desktop and winnat reserve such blocks; netsh did not say who)';
  const netshFamily = range.family === 'ipv6' ? 'ipv6' : 'ipv4';
  const fix =
    range.administered === true
      ? `remove it if it is not needed: netsh int ${netshFamily} delete excludedportrange protocol=${range.protocol} startport=${range.start} numberofports=${range.end - range.start + 1}; or pick another port: porttop free`
      : `as Administrator: net stop winnat, then net start winnat (releases the reservations; start your server in between); reserve your port before they do: netsh int ${netshFamily} add excludedportrange protocol=${range.protocol} startport=${port} numberofports=1; or move the dynamic range away: porttop range set --start 49152 --num 16384`;
  return {
    kind: 'excluded',
    detail: `port ${port} lies in Windows' excluded range ${range.start}-${range.end} (${range.protocol} ${range.family}), ${source}; no process owns it`,
    fix,
  };
}

function privilegedReason(input: WhyInput): WhyReason {
  return {
    kind: 'privileged',
    detail: `port ${input.port} is below net.ipv4.ip_unprivileged_port_start (${input.unprivilegedPortStart}), and this user is not root and lacks CAP_NET_BIND_SERVICE`,
    fix: `run the server as root, grant the capability (setcap cap_net_bind_service=+ep /path/to/server, or AmbientCapabilities=CAP_NET_BIND_SERVICE in its systemd unit), or lower the limit: sysctl -w net.ipv4.ip_unprivileged_port_start=${input.port}`,
  };
}

function timeWaitReason(endpoints: readonly Endpoint[], platform: 'linux' | 'windows', bound: boolean): WhyReason {
  const examples = endpoints.slice(0, 3).map((endpoint) => `${endpointWords(endpoint)} to ${endpoint.remoteAddress}:${endpoint.remotePort}`);
  const more = endpoints.length > examples.length ? ` and ${endpoints.length - examples.length} more` : '';
  return {
    kind: 'time-wait',
    detail: `only ${endpoints.length} TIME_WAIT socket${endpoints.length === 1 ? '' : 's'} remain${endpoints.length === 1 ? 's' : ''} (${examples.join('; ')}${more}); ${platform === 'linux' ? 'they expire' : 'they expire by default'} within ${TIME_WAIT_SECONDS[platform]} s; ${bound ? 'a bind with SO_REUSEADDR (Node, nginx and most servers set it) works now' : 'nothing to kill'}`,
    fix: `set SO_REUSEADDR on the server socket, or wait up to ${TIME_WAIT_SECONDS[platform]} s`,
  };
}

function dynamicReason(port: number, range: PortRange, platform: 'linux' | 'windows'): WhyReason {
  const reserve =
    platform === 'windows'
      ? `reserve it: netsh int ${range.family} add excludedportrange protocol=${range.protocol} startport=${port} numberofports=1`
      : `reserve it: sysctl -w net.ipv4.ip_local_reserved_ports=${port}`;
  return {
    kind: 'dynamic-range',
    detail: `port ${port} is inside the dynamic (ephemeral) range ${range.start}-${range.end}: outgoing connections may take it at any time`,
    fix: `pick a port outside it (porttop free), ${reserve}, or move the range (porttop range set)`,
  };
}

function conflictReason(endpoint: Endpoint, overlap: Overlap, input: WhyInput): WhyReason {
  const holder = endpoint.holders.length === 0 ? 'a process this user may not see' : describeHolders(endpoint, input);
  const how =
    overlap === 'dual-stack'
      ? `IPv6 [::] is dual-stack here (net.ipv6.bindv6only = ${input.bindV6Only === true ? 1 : 0}), so it also covers IPv4`
      : `a wildcard address covers every specific address of its family`;
  const fix =
    overlap === 'dual-stack'
      ? `bind the other family only with IPV6_V6ONLY (Node: listen({ ipv6Only: true })), or set net.ipv6.bindv6only=1, or stop the other socket (porttop kill ${input.port})`
      : `use another port (porttop free) or stop the other socket (porttop kill ${input.port}); while a wildcard holds the port, no address of its family can share it (nor the wildcard a specific one)`;
  return {
    kind: 'address-conflict',
    detail: `${holder} hold${endpoint.holders.length > 1 ? '' : 's'} ${endpointWords(endpoint)}, which overlaps ${input.host}: ${how}`,
    fix,
  };
}
