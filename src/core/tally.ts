// The one pass over a snapshot's sockets. Everything the live view, `procs` and `diagnose` count is
// counted here, once per refresh: per range (ports in use, per destination, per local address,
// bound), per process (sockets by state, ephemeral ports, destinations), per state, and the sockets
// no process owns. Later steps (judgement, TIME_WAIT inference, rows) read these counts and never
// walk the sockets again. A 30,000-socket pass builds no string per socket: ports go into bitmaps
// (portset.ts), (destination, port) pairs into a list of numbers made distinct when read.
import { FAMILIES, PROTOCOLS, type Endpoint, type PortRange, type Snapshot, type TcpState } from './model.js';
import { isWildcard } from './bindconflict.js';
import { PortSet, RangePortSets } from './portset.js';
import { rangeLookup } from './ranges.js';

export type StateTotals = Record<TcpState | 'UDP', number>;

/** The state a socket is counted under: its TCP state, or UDP. */
export function stateOf(endpoint: Endpoint): TcpState | 'UDP' {
  return endpoint.protocol === 'udp' ? 'UDP' : (endpoint.state ?? 'CLOSED');
}

/** PID 0 is nobody's: Windows reports TIME_WAIT under it (the Idle "process"), Linux has no PID 0. */
export function ownerOf(endpoint: Endpoint): number | null {
  return endpoint.pid === 0 ? null : endpoint.pid;
}

/** 0..3 for tcp/ipv4, tcp/ipv6, udp/ipv4, udp/ipv6: array indexes instead of string keys on the hot path. */
export function pairIndex(endpoint: { protocol: Endpoint['protocol']; family: Endpoint['family'] }): number {
  return (endpoint.protocol === 'udp' ? 2 : 0) + (endpoint.family === 'ipv6' ? 1 : 0);
}

/** Which range an endpoint's local port falls in (index into ranges), or -1: "in the dynamic range", once. */
export class RangeIndex {
  private readonly indexByPair = [-1, -1, -1, -1];
  private readonly starts = [0, 0, 0, 0];
  private readonly ends = [-1, -1, -1, -1];

  constructor(ranges: readonly PortRange[]) {
    const lookup = rangeLookup(ranges);
    PROTOCOLS.forEach((protocol, p) =>
      FAMILIES.forEach((family, f) => {
        const range = lookup(protocol, family);
        if (!range) return;
        this.indexByPair[p * 2 + f] = ranges.indexOf(range);
        this.starts[p * 2 + f] = range.start;
        this.ends[p * 2 + f] = range.end;
      }),
    );
  }

  /** A non-listening socket whose local port lies in its protocol and family's dynamic range. */
  of(endpoint: Endpoint, pair = pairIndex(endpoint)): number {
    if (endpoint.state === 'LISTEN') return -1;
    const port = endpoint.localPort;
    return port >= this.starts[pair]! && port <= this.ends[pair]! ? this.indexByPair[pair]! : -1;
  }
}

/** Stands for "no process" and "several processes" where a PID is kept per destination or port. */
export const NO_PID = 0;
export const MANY_PIDS = -1;

/** How many PIDs with connections to one destination are remembered (to name them in advice). */
export const CLIENT_PIDS_KEPT = 5;

/** One remote endpoint, shared by the per-range counts and the TIME_WAIT inference. */
export interface Destination {
  readonly id: number;
  readonly protocol: Endpoint['protocol'];
  readonly family: Endpoint['family'];
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** the only PID with (non-TIME_WAIT) connections to it, NO_PID or MANY_PIDS */
  owner: number;
  /** when several PIDs have connections to it: the first CLIENT_PIDS_KEPT of them (null while one or none has) */
  clients: number[] | null;
  timeWait: number;
  inferred: { pid: number | null; reason: string } | null;
  /** its place among the destinations of its range's tally (RangeTally), -1 until it has an ephemeral socket */
  rangeOrder: number;
}

/** Remote endpoints of one protocol and family, keyed without building a string per socket. */
export class DestinationTable {
  /**
   * remote port -> 1 + index in `firstOnPort` of its destination, or -(1 + index in `sharedPorts`) once
   * a second remote address uses the port; 0 for none. A server's accepted connections make one
   * destination per client port: an array slot each rather than a hashed entry.
   */
  private readonly slotByPort = new Int32Array(65536);
  private readonly firstOnPort: Destination[] = [];
  private readonly sharedPorts: Map<string, Destination>[] = [];
  readonly withTimeWait: Destination[] = [];
  private nextId = 0;

  get(remoteAddress: string, remotePort: number, endpoint: Endpoint): Destination {
    const slot = this.slotByPort[remotePort]!;
    if (slot === 0) {
      const destination = this.make(remoteAddress, remotePort, endpoint);
      this.slotByPort[remotePort] = this.firstOnPort.push(destination);
      return destination;
    }
    if (slot > 0) {
      const first = this.firstOnPort[slot - 1]!;
      if (first.remoteAddress === remoteAddress) return first;
      const destination = this.make(remoteAddress, remotePort, endpoint);
      this.slotByPort[remotePort] = -this.sharedPorts.push(new Map([[first.remoteAddress, first], [remoteAddress, destination]]));
      return destination;
    }
    const byAddress = this.sharedPorts[-slot - 1]!;
    let destination = byAddress.get(remoteAddress);
    if (!destination) byAddress.set(remoteAddress, (destination = this.make(remoteAddress, remotePort, endpoint)));
    return destination;
  }

  private make(remoteAddress: string, remotePort: number, endpoint: Endpoint): Destination {
    return {
      id: this.nextId++, protocol: endpoint.protocol, family: endpoint.family, remoteAddress, remotePort,
      owner: NO_PID, clients: null, timeWait: 0, inferred: null, rangeOrder: -1,
    };
  }
}

/** A list of numbers that grows by doubling, sorted in place when read. */
class NumberList {
  private values = new Float64Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.values.length) {
      const larger = new Float64Array(this.values.length * 2);
      larger.set(this.values);
      this.values = larger;
    }
    this.values[this.length++] = value;
  }

  sorted(): Float64Array {
    return this.values.subarray(0, this.length).sort();
  }
}


/** Per range: ports in use, distinct local ports per destination and per local address, globally taken ports. */
export class RangeTally {
  /** distinct local ports of the range in use */
  readonly ports = new PortSet();
  readonly byState: Record<string, number> = {};
  /**
   * destination rangeOrder * 65536 + local port, one entry per socket toward a destination; sorted and made
   * distinct when first asked (pushing a number per socket costs far less than a Set of them)
   */
  private readonly toward = new NumberList();
  private towardSorted: Float64Array | null = null;
  /** distinct local ports per destination, in the order the destinations were first seen here */
  private portsTowardCache: Map<Destination, number> | null = null;
  /** destinations by rangeOrder */
  private readonly destinationOrder: Destination[] = [];
  private readonly addressIds = new Map<string, number>();
  /** local ports per local address (by address id) */
  private readonly portsByAddress: PortSet[] = [];
  /** ports taken for every destination: BOUND TCP sockets, or every UDP socket */
  readonly bound = new PortSet();

  add(endpoint: Endpoint, destination: Destination | null): void {
    this.ports.add(endpoint.localPort);
    const state = stateOf(endpoint);
    this.byState[state] = (this.byState[state] ?? 0) + 1;
    let addressId = this.addressIds.get(endpoint.localAddress);
    if (addressId === undefined) {
      addressId = this.portsByAddress.length;
      this.addressIds.set(endpoint.localAddress, addressId);
      this.portsByAddress.push(new PortSet());
    }
    this.portsByAddress[addressId]!.add(endpoint.localPort);
    if (endpoint.protocol === 'udp' || endpoint.state === 'BOUND') {
      this.bound.add(endpoint.localPort);
      return;
    }
    if (!destination) return;
    if (destination.rangeOrder < 0) destination.rangeOrder = this.destinationOrder.push(destination) - 1;
    this.toward.push(destination.rangeOrder * 65536 + endpoint.localPort);
    this.towardSorted = null;
    this.portsTowardCache = null;
  }

  /** distinct (destination, local port) pairs, ascending */
  private sortedToward(): Float64Array {
    this.towardSorted ??= this.toward.sorted();
    return this.towardSorted;
  }

  /** distinct local ports per destination, in the order destinations were first seen in this range */
  private portsToward(): Map<Destination, number> {
    if (this.portsTowardCache) return this.portsTowardCache;
    const counts: number[] = [];
    let previous = -1;
    for (const key of this.sortedToward()) {
      if (key === previous) continue;
      previous = key;
      const order = Math.floor(key / 65536);
      counts[order] = (counts[order] ?? 0) + 1;
    }
    this.portsTowardCache = new Map(this.destinationOrder.map((destination, order) => [destination, counts[order]!]));
    return this.portsTowardCache;
  }

  /** the destination with the most local ports of this range */
  worstDestination(): { destination: Destination; ports: number } | null {
    let worst: Destination | null = null;
    let most = 0;
    for (const [destination, ports] of this.portsToward()) {
      if (ports > most) {
        worst = destination;
        most = ports;
      }
    }
    return worst ? { destination: worst, ports: most } : null;
  }

  /** Ports of the range bound globally that are not already counted toward this destination. */
  boundNotToward(destination: Destination | null): number {
    if (destination === null || destination.rangeOrder < 0) return this.bound.size;
    const sorted = this.sortedToward();
    let extra = 0;
    for (const port of this.bound) if (!sortedHas(sorted, destination.rangeOrder * 65536 + port)) extra++;
    return extra;
  }

  /** The local address with the most ports; a port bound on the wildcard address is taken on every one. */
  worstLocalAddress(): { localAddress: string; ports: number } | null {
    const wildcardPorts = new PortSet();
    for (const [address, id] of this.addressIds) if (isWildcard(address)) for (const port of this.portsByAddress[id]!) wildcardPorts.add(port);
    let worst: { localAddress: string; ports: number } | null = null;
    for (const [address, id] of this.addressIds) {
      if (isWildcard(address)) continue;
      const own = this.portsByAddress[id]!;
      let size = own.size;
      for (const port of wildcardPorts) if (!own.has(port)) size++;
      if (!worst || size > worst.ports) worst = { localAddress: address, ports: size };
    }
    if (!worst && wildcardPorts.size > 0) worst = { localAddress: '*', ports: wildcardPorts.size };
    return worst;
  }
}

/** Binary search in an ascending array. */
function sortedHas(sorted: Float64Array, value: number): boolean {
  let low = 0;
  let high = sorted.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const found = sorted[middle]!;
    if (found === value) return true;
    if (found < value) low = middle + 1;
    else high = middle - 1;
  }
  return false;
}

/** Per process: its sockets by state, its ephemeral ports and where its client connections go. */
export class ProcessTally {
  sockets = 0;
  listen = 0;
  established = 0;
  timeWait = 0;
  closeWait = 0;
  bound = 0;
  udp = 0;
  /** ESTABLISHED sockets on an ephemeral local port: its client side (a server's accepted connections are not) */
  clientEstablished = 0;
  /** TIME_WAIT sockets attributed to it by inference (TIME_WAIT has no owner on either OS) */
  inferredTimeWait = 0;
  /** (range index, port) pairs of sockets it owns */
  readonly ephemeral = new RangePortSets();
  /** the same for TIME_WAIT sockets attributed to it */
  readonly inferredEphemeral = new RangePortSets();
  /** the destination of each of its client-side sockets, counted only for the culprits listed (topDestination) */
  private readonly toward: Destination[] = [];

  constructor(readonly pid: number) {}

  add(endpoint: Endpoint, rangeIndex: number, destination: Destination | null): void {
    this.sockets++;
    switch (stateOf(endpoint)) {
      case 'UDP': this.udp++; break;
      case 'LISTEN': this.listen++; break;
      case 'ESTABLISHED': this.established++; if (rangeIndex >= 0) this.clientEstablished++; break;
      case 'TIME_WAIT': this.timeWait++; break;
      case 'CLOSE_WAIT': this.closeWait++; break;
      case 'BOUND': this.bound++; break;
      default: break;
    }
    if (rangeIndex < 0) return;
    this.ephemeral.add(rangeIndex, endpoint.localPort);
    if (destination) this.toward.push(destination);
  }

  addInferredTimeWait(endpoint: Endpoint, rangeIndex: number): void {
    this.inferredTimeWait++;
    if (rangeIndex >= 0) this.inferredEphemeral.add(rangeIndex, endpoint.localPort);
  }

  /** the destination most of its client sockets talk to; the first seen wins a tie */
  topDestination(): { destination: Destination; sockets: number } | null {
    const sockets = new Map<Destination, number>();
    for (const destination of this.toward) sockets.set(destination, (sockets.get(destination) ?? 0) + 1);
    let top: { destination: Destination; sockets: number } | null = null;
    for (const [destination, count] of sockets) if (!top || count > top.sockets) top = { destination, sockets: count };
    return top;
  }

  /** distinct ephemeral ports, owned or attributed */
  get ephemeralPorts(): number {
    let extra = 0;
    this.inferredEphemeral.forEach((rangeIndex, port) => {
      if (!this.ephemeral.has(rangeIndex, port)) extra++;
    });
    return this.ephemeral.size + extra;
  }
}

/** Sockets no process owns now, within the dynamic ranges. */
export class UnownedTally {
  private readonly portsPerRange: Set<number>[];
  readonly byState: Record<string, number> = {};

  constructor(rangeCount: number) {
    this.portsPerRange = Array.from({ length: rangeCount }, () => new Set<number>());
  }

  add(endpoint: Endpoint, rangeIndex: number): void {
    if (rangeIndex < 0) return;
    this.portsPerRange[rangeIndex]!.add(endpoint.localPort);
    const state = stateOf(endpoint);
    this.byState[state] = (this.byState[state] ?? 0) + 1;
  }

  get ports(): number {
    return this.portsPerRange.reduce((sum, ports) => sum + ports.size, 0);
  }
}

export interface SnapshotTally {
  snapshot: Snapshot;
  ranges: readonly PortRange[];
  rangeIndex: RangeIndex;
  /** one per range, same order as ranges */
  perRange: RangeTally[];
  /** one per protocol-family pair (pairIndex) */
  destinations: DestinationTable[];
  processes: Map<number, ProcessTally>;
  /** sockets by state over the whole snapshot (UDP counted apart) */
  totals: Partial<StateTotals>;
  /** TIME_WAIT sockets with a peer, for the inference that follows the pass */
  timeWaits: Endpoint[];
  /** pair index * 65536 + port -> the listening PID, or MANY_PIDS */
  listenerOwners: Map<number, number>;
  unowned: UnownedTally;
}

export function processTally(tallies: Map<number, ProcessTally>, pid: number): ProcessTally {
  let tally = tallies.get(pid);
  if (!tally) tallies.set(pid, (tally = new ProcessTally(pid)));
  return tally;
}

/** One more PID with connections to a destination; the list is made only once there are two. */
function noteClient(destination: Destination, pid: number): void {
  if (destination.owner === NO_PID) {
    destination.owner = pid;
  } else if (destination.owner !== MANY_PIDS) {
    destination.clients = [destination.owner, pid];
    destination.owner = MANY_PIDS;
  } else if (destination.clients!.length < CLIENT_PIDS_KEPT && !destination.clients!.includes(pid)) {
    destination.clients!.push(pid);
  }
}

function noteOwner(owners: Map<number, number>, key: number, pid: number): void {
  const known = owners.get(key);
  if (known === undefined) owners.set(key, pid);
  else if (known !== pid) owners.set(key, MANY_PIDS);
}

/** The pass: every socket once. */
export function tallySnapshot(snapshot: Snapshot, ranges: readonly PortRange[]): SnapshotTally {
  const rangeIndex = new RangeIndex(ranges);
  const tally: SnapshotTally = {
    snapshot,
    ranges,
    rangeIndex,
    perRange: ranges.map(() => new RangeTally()),
    destinations: [new DestinationTable(), new DestinationTable(), new DestinationTable(), new DestinationTable()],
    processes: new Map(),
    totals: {},
    timeWaits: [],
    listenerOwners: new Map(),
    unowned: new UnownedTally(ranges.length),
  };
  const { totals, perRange, destinations, processes, listenerOwners, timeWaits, unowned } = tally;
  for (const endpoint of snapshot.endpoints) {
    const state = stateOf(endpoint);
    totals[state] = (totals[state] ?? 0) + 1;
    const pair = pairIndex(endpoint);
    const inRange = rangeIndex.of(endpoint, pair);
    const destination =
      endpoint.remoteAddress === null || endpoint.remotePort === null || state === 'LISTEN'
        ? null
        : destinations[pair]!.get(endpoint.remoteAddress, endpoint.remotePort, endpoint);
    if (inRange >= 0) perRange[inRange]!.add(endpoint, destination);
    if (state === 'TIME_WAIT' && destination) {
      if (destination.timeWait++ === 0) destinations[pair]!.withTimeWait.push(destination);
      timeWaits.push(endpoint);
    }
    const pid = ownerOf(endpoint);
    if (pid === null) {
      if (state !== 'TIME_WAIT') unowned.add(endpoint, inRange);
      continue;
    }
    // a shared socket (forked, inherited, passed) counts for every process holding it; who is behind a
    // destination or a listening port (for the TIME_WAIT inference) is its first holder, so a
    // pre-forked server's workers sharing one listener still name one process
    for (const holder of endpoint.holders) if (holder !== 0) processTally(processes, holder).add(endpoint, inRange, destination);
    if (endpoint.holders.length === 0) processTally(processes, pid).add(endpoint, inRange, destination);
    if (state === 'LISTEN') noteOwner(listenerOwners, pair * 65536 + endpoint.localPort, pid);
    else if (destination && state !== 'TIME_WAIT' && destination.owner !== pid) noteClient(destination, pid);
  }
  return tally;
}
