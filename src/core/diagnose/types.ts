// The shapes a diagnosis is made of; every part of the folder reads or fills some of them.
import type { Verdict } from '../labels.js';
import type { Endpoint, ExcludedRange, ExhaustionEvents, Platform, PortRange, Snapshot } from '../model.js';
import type { StateTotals } from '../tally.js';
import type { RangeUsage } from '../usage.js';

export interface DiagnoseInput {
  snapshot: Snapshot;
  ranges: readonly PortRange[];
  /** Windows System-log events in the window; null where the OS has none or they could not be read */
  events: ExhaustionEvents | null;
  platform: Platform;
  /** ports the OS reserved inside or beside the ranges (Windows excluded ranges); none elsewhere */
  excluded?: readonly ExcludedRange[];
  /** porttop runs as root / Administrator, so advice need not say "run as root"; false when unknown */
  elevated?: boolean;
}

export interface DestinationUsage {
  remoteAddress: string;
  remotePort: number;
  /** distinct local ports of the range connected to this destination */
  ports: number;
  /** ports / usable ports of the range * 100 */
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
  /** judgedPorts / usable * 100 */
  judgedPercent: number;
  verdict: Verdict;
}

export interface Culprit {
  pid: number;
  processName: string;
  /** distinct local ports inside the dynamic ranges, including those of TIME_WAIT sockets attributed to it */
  ephemeralPorts: number;
  established: number;
  /** ESTABLISHED sockets on an ephemeral local port (its client side; accepted connections are not) */
  clientEstablished: number;
  /** TIME_WAIT sockets, owned or inferred */
  timeWait: number;
  closeWait: number;
  bound: number;
  handles: number | null;
  /** how many of timeWait were attributed by inference (TIME_WAIT sockets have no owner on either OS) */
  inferredTimeWait: number;
  /** over the handle rule (more than 3000 handles, not an exempt process) */
  handleSuspect: boolean;
  /** where most of its client connections go */
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
  /** processes with open connections to that endpoint now (the first few), when no single owner was named */
  clients: { pid: number; processName: string }[];
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
  /** sockets whose owner exists but this user may not see (run as root / Administrator); 0 when none */
  hiddenOwners: number;
  /** sockets by state over the whole snapshot (UDP apart) */
  totals: Partial<StateTotals>;
  /** a wider range to buy time, or null: verdict ok, or no valid wider range exists */
  stopGap: StopGap | null;
}
