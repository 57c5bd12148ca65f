// Ephemeral-port exhaustion: a verdict, the evidence in words, the culprits and what to do, computed
// from one snapshot, the dynamic ranges and (Windows) the Tcpip System-log events. Pure and cheap
// enough to run on every refresh of the terminal view.
import { exceedsHandleRule, HANDLE_FAILING_THRESHOLD, HANDLE_SUSPECT_THRESHOLD } from './handles.js';
import { TIME_WAIT_SECONDS } from './explain.js';
import { FAMILIES, PROTOCOLS, type Endpoint, type ExhaustionEvents, type PortRange, type Snapshot } from './model.js';
import { DEFAULT_RANGES, rangeLookup, rangesAreShared } from './ranges.js';
import { percentOf, rangeUsage, usageLevel, type RangeUsage, type UsageLevel } from './usage.js';
import { RANGE_RULES, parseRangeValues } from './validate.js';

export type Platform = 'linux' | 'windows';
export type Verdict = 'ok' | 'warning' | 'exhausted';
export const VERDICTS: readonly Verdict[] = ['ok', 'warning', 'exhausted'];

/** Tcpip events that prove connections already failed for want of a port (4227 reuse too fast, 4231 none left). */
export const EXHAUSTION_EVENT_IDS = ['4227', '4231'] as const;
/** The UDP counterpart (4266) is not confirmed by Microsoft's article: it raises a warning only. */
export const WARNING_EVENT_IDS = ['4266'] as const;
/** How far back `diagnose` reads the System log. */
export const EVENT_WINDOW_MINUTES = 60;

/** A process with at least this many TIME_WAIT sockets (owned or inferred) churns connections. */
export const TIME_WAIT_NOTABLE = 100;
/** CLOSE_WAIT should be brief; this many stuck in one process is a leak. */
export const CLOSE_WAIT_NOTABLE = 10;
/** Sockets bound and never connected; this many in one process is a pattern, not an accident. */
export const BOUND_NOTABLE = 10;
/** Culprits listed (ranked by ephemeral ports held). */
export const CULPRIT_LIMIT = 10;
/** TIME_WAIT destinations listed. */
export const TIME_WAIT_PILE_LIMIT = 5;
/** Suggested widenings do not start below this port unless the range already does (keeps well-known service ports out). */
export const PREFERRED_LOWEST_START = 10_000;

export interface DiagnoseInput {
  snapshot: Snapshot;
  ranges: readonly PortRange[];
  /** Windows System-log events in the window; null where the OS has none or they could not be read */
  events: ExhaustionEvents | null;
  platform: Platform;
}

export interface DestinationUsage {
  remoteAddress: string;
  remotePort: number;
  /** distinct local ports of the range connected to this destination */
  ports: number;
  /** ports / range count * 100 */
  percent: number;
}

export interface LocalAddressUsage {
  localAddress: string;
  ports: number;
  percent: number;
}

/** What exhaustion is judged by: Linux per destination or by globally taken ports; Windows per local address. */
export type JudgedBy = 'destination' | 'bound' | 'local-address' | 'range';

export interface RangeDiagnosis extends RangeUsage {
  /** the remote address and port with the most local ports of this range, and its share of the range */
  worstDestination: DestinationUsage | null;
  /** the local address with the most ports of this range (Windows' unit of exhaustion) */
  worstLocalAddress: LocalAddressUsage | null;
  /** ports taken for every destination: BOUND TCP sockets, or every UDP socket */
  boundPorts: number;
  judgedBy: JudgedBy;
  judgedPorts: number;
  judgedPercent: number;
  verdict: Verdict;
}

export interface Culprit {
  pid: number;
  processName: string;
  /** distinct local ports inside the dynamic ranges, including those of TIME_WAIT sockets attributed to it */
  ephemeralPorts: number;
  established: number;
  /** TIME_WAIT sockets, owned or inferred */
  timeWait: number;
  closeWait: number;
  bound: number;
  handles: number | null;
  /** how many of timeWait were attributed by inference (TIME_WAIT sockets have no owner on either OS) */
  inferredTimeWait: number;
  /** over the handle rule (more than 3000 handles, not an exempt process) */
  handleSuspect: boolean;
  /** where most of its connections go */
  topDestination: { remoteAddress: string; remotePort: number; sockets: number } | null;
}

export interface TimeWaitPile {
  protocol: Endpoint['protocol'];
  family: Endpoint['family'];
  remoteAddress: string;
  remotePort: number;
  sockets: number;
  /** the process the pile is attributed to, null when no single process can be named */
  ownerPid: number | null;
  ownerName: string | null;
  /** why the owner was named (or not), in words */
  ownerReason: string;
}

export interface StopGap {
  start: number;
  count: number;
  /** the exact command, valid by the netsh rules porttop applies */
  command: string;
  undo: string;
}

export interface Diagnosis {
  verdict: Verdict;
  usage: RangeDiagnosis[];
  culprits: Culprit[];
  events: ExhaustionEvents | null;
  evidence: string[];
  advice: string[];
  timeWaitPiles: TimeWaitPile[];
  /** ephemeral ports held by sockets no process owns (TIME_WAIT not attributed, FIN_WAIT_2 after a close, hidden owners) */
  unownedEphemeralPorts: number;
  stopGap: StopGap | null;
}

export function verdictRank(verdict: Verdict): number {
  return VERDICTS.indexOf(verdict);
}

/** True when `verdict` is at `level` or worse (for --fail-on). */
export function verdictReaches(verdict: Verdict, level: Verdict): boolean {
  return verdictRank(verdict) >= verdictRank(level);
}

function worse(a: Verdict, b: Verdict): Verdict {
  return verdictRank(a) >= verdictRank(b) ? a : b;
}

/** The gauge's level and the verdict are one judgement (usage.ts holds the thresholds) in two vocabularies. */
export const LEVEL_OF_VERDICT: Record<Verdict, UsageLevel> = { ok: 'OK', warning: 'WARN', exhausted: 'CRIT' };
const VERDICT_OF_LEVEL: Record<UsageLevel, Verdict> = { OK: 'ok', WARN: 'warning', CRIT: 'exhausted' };

export function verdictOfPercent(percent: number): Verdict {
  return VERDICT_OF_LEVEL[usageLevel(percent)];
}

const WILDCARDS = new Set(['0.0.0.0', '::']);

export function diagnose(input: DiagnoseInput): Diagnosis {
  const { snapshot, ranges, events, platform } = input;
  const endpoints = snapshot.endpoints;
  const index = new RangeIndex(ranges);
  const perRange = ranges.map(() => new RangeTally());
  const destinations = [new DestinationTable(), new DestinationTable(), new DestinationTable(), new DestinationTable()];
  const tallies = new Map<number, ProcessTally>();
  const unownedEphemeral = ranges.map(() => new Set<number>());
  const unownedByState: Record<string, number> = {};
  const noteUnowned = (endpoint: Endpoint, rangeIndex: number) => {
    if (rangeIndex < 0) return;
    unownedEphemeral[rangeIndex]!.add(endpoint.localPort);
    const state = endpoint.state ?? 'UDP';
    unownedByState[state] = (unownedByState[state] ?? 0) + 1;
  };
  const listenerOwners = new Map<number, number>(); // family index * 65536 + port -> pid, or MANY
  const timeWaits: Endpoint[] = [];

  // pass 1: per range (destinations, local addresses, bound ports) and per owned process
  for (const endpoint of endpoints) {
    const family = familyIndex(endpoint);
    const rangeIndex = endpoint.state === 'LISTEN' ? -1 : index.of(endpoint, family);
    const destination =
      endpoint.remoteAddress === null || endpoint.remotePort === null || endpoint.state === 'LISTEN'
        ? null
        : destinations[family]!.get(endpoint.remoteAddress, endpoint.remotePort, endpoint);
    if (rangeIndex >= 0) perRange[rangeIndex]!.add(endpoint, destination);
    if (endpoint.state === 'TIME_WAIT' && destination) {
      if (destination.timeWait++ === 0) destinations[family]!.withTimeWait.push(destination);
      timeWaits.push(endpoint);
    }
    const pid = ownerOf(endpoint);
    if (pid === null) {
      if (endpoint.state !== 'TIME_WAIT') noteUnowned(endpoint, rangeIndex);
      continue;
    }
    const tally = tallyOf(tallies, pid);
    tally.add(endpoint, rangeIndex);
    if (destination) tally.toward(destination);
    if (endpoint.state === 'LISTEN') noteOwner(listenerOwners, family * 65536 + endpoint.localPort, pid);
    else if (destination && endpoint.state !== 'TIME_WAIT') destination.owner = destination.owner === NONE || destination.owner === pid ? pid : MANY;
  }

  // pass 2: TIME_WAIT has no owner; name one only when a single process can be behind it
  for (const endpoint of timeWaits) {
    const family = familyIndex(endpoint);
    const destination = destinations[family]!.get(endpoint.remoteAddress!, endpoint.remotePort!, endpoint);
    if (!destination.inferred) {
      destination.inferred = inferTimeWaitOwner(destination, listenerOwners.get(family * 65536 + endpoint.localPort));
    }
    if (ownerOf(endpoint) !== null) continue; // owned (a backend that reports it): counted in pass 1
    const rangeIndex = index.of(endpoint, family);
    const owner = destination.inferred.pid;
    if (owner === null) noteUnowned(endpoint, rangeIndex);
    else tallyOf(tallies, owner).addInferredTimeWait(endpoint, rangeIndex);
  }

  const usage = judgeRanges(rangeUsage(endpoints, ranges), perRange, platform);
  const eventsVerdict = verdictOfEvents(events);
  const verdict = usage.reduce<Verdict>((worst, range) => worse(worst, range.verdict), eventsVerdict);
  const culprits = rankCulprits(tallies, snapshot);
  const timeWaitPiles = destinations
    .flatMap((table) => table.withTimeWait)
    .sort((x, y) => y.timeWait - x.timeWait)
    .slice(0, TIME_WAIT_PILE_LIMIT)
    .map((destination) => {
      const ownerPid = destination.inferred?.pid ?? null;
      return {
        protocol: destination.protocol,
        family: destination.family,
        remoteAddress: destination.remoteAddress,
        remotePort: destination.remotePort,
        sockets: destination.timeWait,
        ownerPid,
        ownerName: ownerPid === null ? null : (snapshot.processes.get(ownerPid)?.name ?? '?'),
        ownerReason: destination.inferred?.reason ?? 'owned',
      };
    });
  const unownedEphemeralPorts = unownedEphemeral.reduce((sum, ports) => sum + ports.size, 0);
  const stopGap = verdict === 'ok' ? null : suggestStopGap(usage, platform);
  const facts: Facts = {
    platform, verdict, usage, culprits, events, timeWaitPiles, unownedEphemeralPorts, unownedByState, stopGap, warnings: snapshot.warnings,
  };
  return {
    verdict,
    usage,
    culprits,
    events,
    evidence: describeEvidence(facts),
    advice: describeAdvice(facts),
    timeWaitPiles,
    unownedEphemeralPorts,
    stopGap,
  };
}

// ---- per-range judgement ----------------------------------------------------------------------

/** 0..3 for tcp/ipv4, tcp/ipv6, udp/ipv4, udp/ipv6: array indexes instead of string keys on the hot path. */
function familyIndex(endpoint: Endpoint): number {
  return (endpoint.protocol === 'udp' ? 2 : 0) + (endpoint.family === 'ipv6' ? 1 : 0);
}

/** Which range an endpoint's local port falls in (index into ranges), or -1. */
class RangeIndex {
  private readonly indexByFamily = [-1, -1, -1, -1];
  private readonly starts = [0, 0, 0, 0];
  private readonly ends = [-1, -1, -1, -1];

  constructor(ranges: readonly PortRange[]) {
    const lookup = rangeLookup(ranges);
    PROTOCOLS.forEach((protocol, p) =>
      FAMILIES.forEach((family, f) => {
        const range = lookup(protocol, family);
        if (!range) return;
        this.indexByFamily[p * 2 + f] = ranges.indexOf(range);
        this.starts[p * 2 + f] = range.start;
        this.ends[p * 2 + f] = range.end;
      }),
    );
  }

  of(endpoint: Endpoint, family: number): number {
    const port = endpoint.localPort;
    return port >= this.starts[family]! && port <= this.ends[family]! ? this.indexByFamily[family]! : -1;
  }
}

const NONE = 0;
const MANY = -1;

/** One remote endpoint, shared by the per-range counts and the TIME_WAIT inference. */
interface Destination {
  readonly id: number;
  readonly protocol: Endpoint['protocol'];
  readonly family: Endpoint['family'];
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** the only PID with (non-TIME_WAIT) connections to it, NONE or MANY */
  owner: number;
  timeWait: number;
  inferred: { pid: number | null; reason: string } | null;
}

/** Remote endpoints of one protocol and family, keyed without building a string per socket. */
class DestinationTable {
  private readonly byPort = new Map<number, Map<string, Destination>>();
  readonly withTimeWait: Destination[] = [];
  private nextId = 0;

  get(remoteAddress: string, remotePort: number, endpoint: Endpoint): Destination {
    let byAddress = this.byPort.get(remotePort);
    if (!byAddress) this.byPort.set(remotePort, (byAddress = new Map()));
    let destination = byAddress.get(remoteAddress);
    if (!destination) {
      destination = {
        id: this.nextId++, protocol: endpoint.protocol, family: endpoint.family, remoteAddress, remotePort,
        owner: NONE, timeWait: 0, inferred: null,
      };
      byAddress.set(remoteAddress, destination);
    }
    return destination;
  }
}

/** Per range: distinct local ports per destination and per local address, and globally taken ports. */
class RangeTally {
  /** destination id * 65536 + local port, so each port counts once per destination */
  private readonly destinationPorts = new Set<number>();
  private readonly portsToward = new Map<Destination, number>();
  private readonly addressIds = new Map<string, number>();
  /** address id * 65536 + local port */
  private readonly addressPorts = new Set<number>();
  private readonly portsOn: number[] = [];
  /** ports taken for every destination */
  readonly bound = new Set<number>();

  add(endpoint: Endpoint, destination: Destination | null): void {
    let addressId = this.addressIds.get(endpoint.localAddress);
    if (addressId === undefined) {
      addressId = this.portsOn.length;
      this.addressIds.set(endpoint.localAddress, addressId);
      this.portsOn.push(0);
    }
    const onAddress = addressId * 65536 + endpoint.localPort;
    if (!this.addressPorts.has(onAddress)) {
      this.addressPorts.add(onAddress);
      this.portsOn[addressId]!++;
    }
    if (endpoint.protocol === 'udp' || endpoint.state === 'BOUND') {
      this.bound.add(endpoint.localPort);
      return;
    }
    if (!destination) return;
    const toward = destination.id * 65536 + endpoint.localPort;
    if (this.destinationPorts.has(toward)) return;
    this.destinationPorts.add(toward);
    this.portsToward.set(destination, (this.portsToward.get(destination) ?? 0) + 1);
  }

  worstDestination(count: number): (DestinationUsage & { id: number }) | null {
    let worst: Destination | null = null;
    let most = 0;
    for (const [destination, ports] of this.portsToward) {
      if (ports > most) {
        worst = destination;
        most = ports;
      }
    }
    if (!worst) return null;
    return { id: worst.id, remoteAddress: worst.remoteAddress, remotePort: worst.remotePort, ports: most, percent: percentOf(most, count) };
  }

  /** Ports of the range bound globally that are not already counted toward this destination. */
  boundNotToward(destinationId: number | null): number {
    if (destinationId === null) return this.bound.size;
    let extra = 0;
    for (const port of this.bound) if (!this.destinationPorts.has(destinationId * 65536 + port)) extra++;
    return extra;
  }

  /** A port bound on the wildcard address is taken on every local address. */
  worstLocalAddress(count: number): LocalAddressUsage | null {
    const wildcardIds: number[] = [];
    for (const [address, id] of this.addressIds) if (WILDCARDS.has(address)) wildcardIds.push(id);
    const wildcardPorts = new Set<number>();
    if (wildcardIds.length > 0) {
      for (const key of this.addressPorts) if (wildcardIds.includes(Math.floor(key / 65536))) wildcardPorts.add(key % 65536);
    }
    let worst: LocalAddressUsage | null = null;
    for (const [address, id] of this.addressIds) {
      if (WILDCARDS.has(address)) continue;
      let size = this.portsOn[id]!;
      for (const port of wildcardPorts) if (!this.addressPorts.has(id * 65536 + port)) size++;
      if (!worst || size > worst.ports) worst = { localAddress: address, ports: size, percent: 0 };
    }
    if (!worst && wildcardPorts.size > 0) worst = { localAddress: '*', ports: wildcardPorts.size, percent: 0 };
    if (worst) worst.percent = percentOf(worst.ports, count);
    return worst;
  }
}

function judgeRanges(usages: readonly RangeUsage[], tallies: readonly RangeTally[], platform: Platform): RangeDiagnosis[] {
  return usages.map((usage, index) => {
    const tally = tallies[index]!;
    const worst = tally.worstDestination(usage.count);
    const worstDestination = worst && { remoteAddress: worst.remoteAddress, remotePort: worst.remotePort, ports: worst.ports, percent: worst.percent };
    const worstLocalAddress = tally.worstLocalAddress(usage.count);
    const boundPorts = tally.bound.size;
    let judgedBy: JudgedBy;
    let judgedPorts: number;
    let verdict: Verdict;
    if (platform === 'windows') {
      judgedBy = worstLocalAddress ? 'local-address' : 'range';
      judgedPorts = worstLocalAddress?.ports ?? usage.inUse;
      verdict = verdictOfPercent(percentOf(judgedPorts, usage.count));
    } else if (usage.protocol === 'udp') {
      // UDP picks a port unused by any UDP socket: the whole range is one pool
      judgedBy = 'range';
      judgedPorts = usage.inUse;
      verdict = verdictOfPercent(usage.percent);
    } else {
      const destinationPorts = worstDestination?.ports ?? 0;
      // bound ports are lost to every destination, so they add to the busiest one
      const combined = Math.min(usage.inUse, destinationPorts + tally.boundNotToward(worst?.id ?? null));
      judgedBy = boundPorts > destinationPorts ? 'bound' : 'destination';
      judgedPorts = Math.max(combined, boundPorts);
      // a nearly full range breaks bind() to port 0 (and connect() after an explicit bind) first: a warning
      const globalVerdict = verdictOfPercent(usage.percent) === 'ok' ? 'ok' : 'warning';
      verdict = worse(verdictOfPercent(percentOf(judgedPorts, usage.count)), globalVerdict);
    }
    return {
      ...usage,
      worstDestination,
      worstLocalAddress,
      boundPorts,
      judgedBy,
      judgedPorts,
      judgedPercent: percentOf(judgedPorts, usage.count),
      verdict,
    };
  });
}

function verdictOfEvents(events: ExhaustionEvents | null): Verdict {
  if (!events) return 'ok';
  if (EXHAUSTION_EVENT_IDS.some((id) => (events.counts[id] ?? 0) > 0)) return 'exhausted';
  if (WARNING_EVENT_IDS.some((id) => (events.counts[id] ?? 0) > 0)) return 'warning';
  return 'ok';
}

// ---- per-process tallies and TIME_WAIT inference ---------------------------------------------

/** PID 0 is nobody's: Windows reports TIME_WAIT under it (the Idle "process"), Linux has no PID 0. */
function ownerOf(endpoint: Endpoint): number | null {
  return endpoint.pid === 0 ? null : endpoint.pid;
}

function noteOwner(owners: Map<number, number>, key: number, pid: number): void {
  const known = owners.get(key);
  if (known === undefined) owners.set(key, pid);
  else if (known !== pid) owners.set(key, MANY);
}

function inferTimeWaitOwner(destination: Destination, listener: number | undefined): { pid: number | null; reason: string } {
  if (destination.owner !== NONE && destination.owner !== MANY) {
    return { pid: destination.owner, reason: 'the only process with open connections to that endpoint (inferred)' };
  }
  // server side: the TIME_WAIT sits on a port that exactly one process listens on
  if (listener !== undefined && listener !== MANY) {
    return { pid: listener, reason: 'the process listening on its local port (inferred)' };
  }
  if (destination.owner === MANY) return { pid: null, reason: 'several processes hold connections to that endpoint' };
  return { pid: null, reason: 'no process holds connections to that endpoint now' };
}

class ProcessTally {
  established = 0;
  timeWait = 0;
  inferredTimeWait = 0;
  closeWait = 0;
  bound = 0;
  /** (range index, port) pairs, as range index * 65536 + port */
  readonly ephemeral = new Set<number>();
  /** owned sockets per destination, for the culprit's top destination */
  private readonly socketsToward = new Map<Destination, number>();

  constructor(readonly pid: number) {}

  toward(destination: Destination): void {
    this.socketsToward.set(destination, (this.socketsToward.get(destination) ?? 0) + 1);
  }

  /** the destination most of its sockets talk to; the first seen wins a tie */
  topDestination(): Culprit['topDestination'] {
    let top: Culprit['topDestination'] = null;
    for (const [destination, sockets] of this.socketsToward) {
      if (!top || sockets > top.sockets) top = { remoteAddress: destination.remoteAddress, remotePort: destination.remotePort, sockets };
    }
    return top;
  }

  add(endpoint: Endpoint, rangeIndex: number): void {
    switch (endpoint.state) {
      case 'ESTABLISHED': this.established++; break;
      case 'TIME_WAIT': this.timeWait++; break;
      case 'CLOSE_WAIT': this.closeWait++; break;
      case 'BOUND': this.bound++; break;
      default: break;
    }
    if (rangeIndex >= 0) this.ephemeral.add(rangeIndex * 65536 + endpoint.localPort);
  }

  addInferredTimeWait(endpoint: Endpoint, rangeIndex: number): void {
    this.timeWait++;
    this.inferredTimeWait++;
    if (rangeIndex >= 0) this.ephemeral.add(rangeIndex * 65536 + endpoint.localPort);
  }

  get notable(): boolean {
    return this.ephemeral.size > 0 || this.timeWait > 0 || this.closeWait > 0 || this.bound > 0;
  }
}

function tallyOf(tallies: Map<number, ProcessTally>, pid: number): ProcessTally {
  let tally = tallies.get(pid);
  if (!tally) tallies.set(pid, (tally = new ProcessTally(pid)));
  return tally;
}

function rankCulprits(tallies: ReadonlyMap<number, ProcessTally>, snapshot: Snapshot): Culprit[] {
  const culprits: Culprit[] = [];
  for (const tally of tallies.values()) {
    const info = snapshot.processes.get(tally.pid);
    const processName = info?.name ?? '?';
    const handles = info?.handles ?? null;
    const handleSuspect = exceedsHandleRule(processName, handles);
    if (!tally.notable && !handleSuspect) continue;
    culprits.push({
      pid: tally.pid,
      processName,
      ephemeralPorts: tally.ephemeral.size,
      established: tally.established,
      timeWait: tally.timeWait,
      closeWait: tally.closeWait,
      bound: tally.bound,
      handles,
      inferredTimeWait: tally.inferredTimeWait,
      handleSuspect,
      topDestination: tally.topDestination(),
    });
  }
  // most ports first; then the leaks that do not (yet) hold ports: CLOSE_WAIT, BOUND, TIME_WAIT
  culprits.sort(
    (a, b) =>
      b.ephemeralPorts - a.ephemeralPorts ||
      b.closeWait - a.closeWait ||
      b.bound - a.bound ||
      b.timeWait - a.timeWait ||
      (b.handles ?? 0) - (a.handles ?? 0) ||
      a.pid - b.pid,
  );
  return culprits.slice(0, CULPRIT_LIMIT);
}

/** Only for the few culprits listed, so the full pass stays cheap. */
// ---- stop-gap ---------------------------------------------------------------------------------

/**
 * A range smaller than the OS default goes back to the default; otherwise it doubles, keeping its
 * start where it fits and never starting below PREFERRED_LOWEST_START unless it already does. null
 * when the range cannot grow.
 */
export function suggestRange(range: PortRange, platform: Platform): { start: number; count: number } | null {
  const osDefault = DEFAULT_RANGES[platform];
  if (range.count < osDefault.count) return { start: osDefault.start, count: osDefault.count };
  const lowestStart = Math.max(RANGE_RULES.minStart, Math.min(range.start, PREFERRED_LOWEST_START));
  const count = Math.min(RANGE_RULES.maxEnd - lowestStart + 1, range.count * 2);
  if (count <= range.count) return null;
  const start = Math.min(range.start, RANGE_RULES.maxEnd - count + 1);
  const checked = parseRangeValues(start, count); // the rules `porttop range set` applies
  return { start: checked.start, count: checked.count };
}

function suggestStopGap(usage: readonly RangeDiagnosis[], platform: Platform): StopGap | null {
  const bad = usage.filter((range) => range.verdict !== 'ok');
  const candidates = bad.length > 0 ? bad : usage;
  const worst = candidates.reduce<RangeDiagnosis | undefined>((a, b) => (!a || b.judgedPercent > a.judgedPercent ? b : a), undefined);
  if (!worst) return null;
  const suggestion = suggestRange(worst, platform);
  if (!suggestion) return null;
  // Linux has one sysctl for everything; Windows keeps one range per protocol and family
  let flags = '';
  if (platform === 'windows' && !rangesAreShared(usage)) {
    const protocols = new Set(candidates.map((range) => range.protocol));
    const families = new Set(candidates.map((range) => range.family));
    if (protocols.size === 1) flags += ` --proto ${worst.protocol}`;
    if (families.size === 1) flags += ` --family ${worst.family}`;
  }
  return {
    ...suggestion,
    command: `porttop range set --start ${suggestion.start} --num ${suggestion.count}${flags}`,
    undo: `porttop range set --start ${worst.start} --num ${worst.count}${flags}`,
  };
}

// ---- words ------------------------------------------------------------------------------------

interface Facts {
  platform: Platform;
  verdict: Verdict;
  usage: readonly RangeDiagnosis[];
  culprits: readonly Culprit[];
  events: ExhaustionEvents | null;
  timeWaitPiles: readonly TimeWaitPile[];
  unownedEphemeralPorts: number;
  unownedByState: Readonly<Record<string, number>>;
  stopGap: StopGap | null;
  warnings: readonly string[];
}

const EVENT_MEANING: Record<string, string> = {
  '4227': 'a local port was reused too soon for the same remote endpoint: connections are opened and closed too fast',
  '4231': 'no ephemeral port was left in the global TCP port space',
  '4266': 'no ephemeral port was left for UDP',
};

const UNOWNED_MEANING: Record<string, string> = {
  TIME_WAIT: 'closed; no single process to attribute them to',
  FIN_WAIT_1: 'closed here, the peer has not acknowledged',
  FIN_WAIT_2: 'closed here, waiting for the peer to close its side',
  LAST_ACK: 'the peer closed first, the last acknowledgement is pending',
  CLOSING: 'both sides closing at once',
  SYN_RECEIVED: 'half-open, not yet accepted',
};

function address(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function who(culprit: { pid: number; processName: string }): string {
  return `PID ${culprit.pid} (${culprit.processName})`;
}

function rangeName(range: PortRange): string {
  return `${range.protocol}/${range.family} ${range.start}-${range.end}`;
}

/** Ranges worth a line: those in use; when none is, the first one, to show the capacity. */
function rangesToDescribe(usage: readonly RangeDiagnosis[]): RangeDiagnosis[] {
  const used = usage.filter((range) => range.inUse > 0 || range.verdict !== 'ok');
  return used.length > 0 ? used : usage.slice(0, 1);
}

function describeEvidence(facts: Facts): string[] {
  const evidence: string[] = [];
  const { events, platform } = facts;
  if (events) {
    for (const id of [...EXHAUSTION_EVENT_IDS, ...WARNING_EVENT_IDS]) {
      const count = events.counts[id] ?? 0;
      if (count === 0) continue;
      const latest = events.latest[id];
      evidence.push(`Tcpip event ${id} logged ${count} time${count === 1 ? '' : 's'} since ${events.since}${latest ? ` (latest ${latest})` : ''}: ${EVENT_MEANING[id]}`);
    }
    if (evidence.length === 0) evidence.push(`no Tcpip event 4227, 4231 or 4266 in the System log since ${events.since}`);
  }
  for (const range of rangesToDescribe(facts.usage)) {
    const dest = range.worstDestination;
    if (platform === 'windows') {
      const place = range.worstLocalAddress && range.worstLocalAddress.localAddress !== '*' ? ` on ${range.worstLocalAddress.localAddress}` : '';
      evidence.push(
        `${rangeName(range)}: ${range.judgedPorts} of ${range.count} ports in use${place} (${range.judgedPercent}%)` +
          (range.verdict === 'ok' ? '' : ': Windows takes implicit ports from one pool per local address, so new outbound connections from it fail when the pool is empty'),
      );
      continue;
    }
    if (range.protocol === 'udp') {
      if (range.inUse > 0 || range.verdict !== 'ok') evidence.push(`${rangeName(range)}: ${range.inUse} of ${range.count} ports held by UDP sockets (${range.percent}%)`);
      continue;
    }
    const overall = `${range.inUse} of ${range.count} ports in use over all destinations (${range.percent}%)`;
    if (dest) {
      evidence.push(
        `${rangeName(range)}: ${dest.ports} of ${range.count} ports (${dest.percent}%) connect to ${address(dest.remoteAddress, dest.remotePort)}, the busiest destination; ${overall}` +
          (verdictOfPercent(range.judgedPercent) === 'ok' ? '' : `: Linux reuses a local port only toward a different destination, so connect() to ${address(dest.remoteAddress, dest.remotePort)} fails once they are all taken`),
      );
    } else {
      evidence.push(`${rangeName(range)}: ${overall}`);
    }
    if (range.boundPorts > 0) {
      evidence.push(`${rangeName(range)}: ${range.boundPorts} ports held by BOUND sockets (bound, never connected): taken for every destination`);
    }
    if (range.verdict !== 'ok' && verdictOfPercent(range.percent) !== 'ok' && verdictOfPercent(range.judgedPercent) === 'ok') {
      evidence.push(`${rangeName(range)}: the range is ${range.percent}% used: bind() to port 0 (and connect() after an explicit bind) fails before connect() to a new destination does`);
    }
  }
  for (const pile of facts.timeWaitPiles) {
    if (pile.sockets < TIME_WAIT_NOTABLE) continue;
    const owner = pile.ownerPid === null ? `owner unknown: ${pile.ownerReason}` : `likely owner ${who({ pid: pile.ownerPid, processName: pile.ownerName ?? '?' })}: ${pile.ownerReason}`;
    evidence.push(`${pile.sockets} sockets in TIME_WAIT toward ${address(pile.remoteAddress, pile.remotePort)}, each keeping its port for up to ${TIME_WAIT_SECONDS[platform]} s; ${owner}`);
  }
  for (const culprit of facts.culprits) {
    if (culprit.closeWait >= CLOSE_WAIT_NOTABLE) {
      evidence.push(`${who(culprit)} holds ${culprit.closeWait} sockets in CLOSE_WAIT: their peers closed, it did not`);
    }
    if (culprit.handleSuspect && culprit.handles !== null) {
      const failing = facts.verdict === 'exhausted' && culprit.handles > HANDLE_FAILING_THRESHOLD;
      evidence.push(
        `${who(culprit)} has ${culprit.handles} ${platform === 'windows' ? 'handles' : 'open file descriptors'}, more than ${failing ? HANDLE_FAILING_THRESHOLD : HANDLE_SUSPECT_THRESHOLD}` +
          (failing ? ': with connections already failing it is the likely cause' : ': suspected of leaking sockets or handles'),
      );
    }
  }
  if (facts.unownedEphemeralPorts > 0) {
    const states = Object.entries(facts.unownedByState)
      .sort((a, b) => b[1] - a[1])
      .map(([state, sockets]) => `${sockets} ${state}${UNOWNED_MEANING[state] ? ` (${UNOWNED_MEANING[state]})` : ''}`);
    evidence.push(`${facts.unownedEphemeralPorts} ephemeral ports held by sockets no process owns now: ${states.join(', ')}`);
  }
  for (const warning of facts.warnings) evidence.push(`note: ${warning}`);
  return evidence;
}

function describeAdvice(facts: Facts): string[] {
  const advice: string[] = [];
  const { platform, culprits } = facts;
  const top = culprits[0];
  for (const culprit of culprits) {
    const dest = culprit.topDestination ? ` to ${address(culprit.topDestination.remoteAddress, culprit.topDestination.remotePort)}` : '';
    if (culprit.timeWait >= TIME_WAIT_NOTABLE) {
      const inferred = culprit.inferredTimeWait > 0 ? ` (${culprit.inferredTimeWait} of them attributed by inference: TIME_WAIT sockets have no owner)` : '';
      advice.push(
        `${who(culprit)}: TIME_WAIT churn: it opens and closes connections${dest} too fast, and ${culprit.timeWait} closed sockets${inferred} keep their ports for up to ${TIME_WAIT_SECONDS[platform]} s. Reuse connections (keep-alive, a connection pool) instead of one connection per request.`,
      );
    }
    if (culprit.closeWait >= CLOSE_WAIT_NOTABLE) {
      advice.push(
        `${who(culprit)}: CLOSE_WAIT leak: ${culprit.closeWait} connections were closed by their peers but the application never closed its side, so the sockets stay open (each a ${platform === 'windows' ? 'handle' : 'file descriptor'}, and on the connecting side a port) until it does. Fix the program to close a socket when the peer ends it (end of stream, errors, timeouts); stopping or restarting it releases them for now.`,
      );
    }
    if (culprit.bound >= BOUND_NOTABLE) {
      advice.push(
        `${who(culprit)}: BOUND: ${culprit.bound} sockets are bound to a port but never connected or released; each takes its port for every destination. Look for bind() without connect(), or sockets not closed after a failed connect.`,
      );
    }
    if (culprit === top && facts.verdict !== 'ok' && culprit.ephemeralPorts > 0 &&
        culprit.timeWait < TIME_WAIT_NOTABLE && culprit.closeWait < CLOSE_WAIT_NOTABLE && culprit.bound < BOUND_NOTABLE) {
      advice.push(
        `${who(culprit)} holds ${culprit.ephemeralPorts} ephemeral ports with ${culprit.established} connections open${dest}: cap its connection pool or reuse connections` +
          (platform === 'linux' ? '; spreading connections over more server addresses or ports also helps, since Linux counts ports per destination.' : '.'),
      );
    }
  }
  if (facts.verdict !== 'ok') {
    if (facts.stopGap) {
      advice.push(
        `Stop-gap: widen the dynamic range with \`${facts.stopGap.command}\` (run as ${platform === 'windows' ? 'Administrator' : 'root'}; undo with \`${facts.stopGap.undo}\`). Make sure no service listens on a port inside the new range${platform === 'linux' ? '; add it to /etc/sysctl.d to keep it after a restart' : ''}.`,
      );
    } else {
      advice.push('The dynamic range is already as wide as porttop will suggest: only fixing the culprit helps.');
    }
    advice.push('Widening the range is temporary: it buys time until the same pattern uses up the larger range too. Fix the pattern named above.');
  }
  return advice;
}


export const VERDICT_LABELS: Record<Verdict, string> = { ok: 'OK', warning: 'WARNING', exhausted: 'EXHAUSTED' };

/**
 * One line for a header or a status bar, in words (colour may be stripped): the verdict, the range
 * that decides it and the top culprit, e.g.
 * "EXHAUSTED tcp/ipv4 300/300 ports toward 127.0.0.1:5000 (100%) · top PID 4242 node 300 ports".
 */
export function verdictLine(diagnosis: Diagnosis): string {
  return [VERDICT_LABELS[diagnosis.verdict], ...verdictDetails(diagnosis)].join(' · ');
}

/** The verdict line's parts after the label: the worst range, events, the top culprit. */
export function verdictDetails(diagnosis: Diagnosis): string[] {
  const worst = diagnosis.usage.reduce<RangeDiagnosis | undefined>((a, b) => (!a || b.judgedPercent > a.judgedPercent ? b : a), undefined);
  const parts: string[] = [];
  if (worst) {
    const where =
      worst.judgedBy === 'destination' && worst.worstDestination
        ? ` toward ${address(worst.worstDestination.remoteAddress, worst.worstDestination.remotePort)}`
        : worst.judgedBy === 'local-address' && worst.worstLocalAddress && worst.worstLocalAddress.localAddress !== '*'
          ? ` on ${worst.worstLocalAddress.localAddress}`
          : worst.judgedBy === 'bound' ? ' bound' : '';
    parts.push(`${worst.protocol}/${worst.family} ${worst.judgedPorts}/${worst.count} ports${where} (${worst.judgedPercent}%)`);
  }
  const events = diagnosis.events ? EXHAUSTION_EVENT_IDS.reduce((sum, id) => sum + (diagnosis.events!.counts[id] ?? 0), 0) : 0;
  if (events > 0) parts.push(`${events} Tcpip 4227/4231 events`);
  const top = diagnosis.culprits[0];
  if (top) parts.push(`top PID ${top.pid} ${top.processName} ${top.ephemeralPorts} ports`);
  return parts;
}
