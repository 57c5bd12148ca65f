// The diagnosis in words: the evidence (what was seen), the advice (what to do, most useful first)
// and the short form the live view's header shows. Only words: every number is decided elsewhere.
import { TIME_WAIT_SECONDS } from '../explain.js';
import { HANDLE_FAILING_THRESHOLD, HANDLE_SUSPECT_THRESHOLD } from '../handles.js';
import { formatAddress, plural, processLabel, rangeKey, rangeLabel, type Verdict } from '../labels.js';
import type { ExhaustionEvents, Platform } from '../model.js';
import { verdictOfPercent, worstRange } from '../usage.js';
import { EXHAUSTION_EVENT_IDS, exhaustionEventCount, WARNING_EVENT_IDS } from './judge.js';
import type { Culprit, Diagnosis, RangeDiagnosis, StopGap, TimeWaitPile } from './types.js';

/** A process with at least this many TIME_WAIT sockets (owned or inferred) churns connections. */
export const TIME_WAIT_NOTABLE = 100;
/** CLOSE_WAIT should be brief; this many stuck in one process is a leak. */
export const CLOSE_WAIT_NOTABLE = 10;
/** Sockets bound and never connected; this many in one process is a pattern, not an accident. */
export const BOUND_NOTABLE = 10;

/** What the words are made from. */
export interface Facts {
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
  /** porttop runs as root / Administrator: no "run as root" hint then */
  elevated: boolean;
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

/** "16384 in range, 1000 reserved by Hyper-V/WSL/Docker, 15384 usable" */
export function poolWords(range: { count: number; reserved: number; usable: number }): string {
  return `${range.count} in range, ${range.reserved} reserved by Hyper-V/WSL/Docker, ${range.usable} usable`;
}

/** Ranges worth a line: those in use or with reserved ports; when none is, the first one, to show the capacity. */
function rangesToDescribe(usage: readonly RangeDiagnosis[]): RangeDiagnosis[] {
  const used = usage.filter((range) => range.inUse > 0 || range.reserved > 0 || range.verdict !== 'ok');
  return used.length > 0 ? used : usage.slice(0, 1);
}

function eventEvidence(events: ExhaustionEvents): string[] {
  const evidence: string[] = [];
  for (const id of [...EXHAUSTION_EVENT_IDS, ...WARNING_EVENT_IDS]) {
    const count = events.counts[id] ?? 0;
    if (count === 0) continue;
    const latest = events.latest[id];
    evidence.push(`Tcpip event ${id} logged ${plural(count, 'time')} since ${events.since}${latest ? ` (latest ${latest})` : ''}: ${EVENT_MEANING[id]}`);
  }
  if (evidence.length === 0) evidence.push(`no Tcpip event 4227, 4231 or 4266 in the System log since ${events.since}`);
  return evidence;
}

function rangeEvidence(range: RangeDiagnosis, platform: Platform): string[] {
  const name = rangeLabel(range);
  const pool = range.reserved > 0 ? `${range.usable} usable` : `${range.count}`;
  const evidence = range.reserved > 0 ? [`${name}: ${poolWords(range)}; every share below is of the usable ports`] : [];
  if (platform === 'windows') {
    const place = range.worstLocalAddress && range.worstLocalAddress.localAddress !== '*' ? ` on ${range.worstLocalAddress.localAddress}` : '';
    evidence.push(
      `${name}: ${range.judgedPorts} of ${pool} ports in use${place} (${range.judgedPercent}%)` +
        (range.verdict === 'ok' ? '' : ': Windows takes implicit ports from one pool per local address, so new outbound connections from it fail when the pool is empty'),
    );
    return evidence;
  }
  if (range.protocol === 'udp') {
    if (range.inUse > 0 || range.verdict !== 'ok') evidence.push(`${name}: ${range.inUse} of ${pool} ports held by UDP sockets (${range.percent}%)`);
    return evidence;
  }
  const overall = `${range.inUse} of ${pool} ports in use over all destinations (${range.percent}%)`;
  const dest = range.worstDestination;
  if (dest) {
    const to = formatAddress(dest.remoteAddress, dest.remotePort);
    evidence.push(
      `${name}: ${dest.ports} of ${pool} ports (${dest.percent}%) connect to ${to}, the busiest destination; ${overall}` +
        (verdictOfPercent(range.judgedPercent) === 'ok' ? '' : `: Linux reuses a local port only toward a different destination, so connect() to ${to} fails once they are all taken`),
    );
  } else {
    evidence.push(`${name}: ${overall}`);
  }
  if (range.boundPorts > 0) {
    evidence.push(`${name}: ${plural(range.boundPorts, 'port')} held by BOUND sockets (bound, never connected): taken for every destination`);
  }
  if (range.verdict !== 'ok' && verdictOfPercent(range.percent) !== 'ok' && verdictOfPercent(range.judgedPercent) === 'ok') {
    evidence.push(`${name}: the range is ${range.percent}% used: bind() to port 0 (and connect() after an explicit bind) fails before connect() to a new destination does`);
  }
  return evidence;
}

export function describeEvidence(facts: Facts): string[] {
  const { events, platform } = facts;
  const evidence = events ? eventEvidence(events) : [];
  for (const range of rangesToDescribe(facts.usage)) evidence.push(...rangeEvidence(range, platform));
  for (const pile of facts.timeWaitPiles) {
    if (pile.sockets < TIME_WAIT_NOTABLE) continue;
    const owner = pile.ownerPid === null
      ? `owner unknown: ${pile.ownerReason}`
      : `likely owner ${processLabel({ pid: pile.ownerPid, processName: pile.ownerName ?? '?' })}: ${pile.ownerReason}`;
    evidence.push(`${pile.sockets} sockets in TIME_WAIT toward ${formatAddress(pile.remoteAddress, pile.remotePort)}, each keeping its port for up to ${TIME_WAIT_SECONDS[platform]} s; ${owner}`);
  }
  for (const culprit of facts.culprits) {
    if (culprit.closeWait >= CLOSE_WAIT_NOTABLE) {
      evidence.push(`${processLabel(culprit)} holds ${culprit.closeWait} sockets in CLOSE_WAIT: their peers closed, it did not`);
    }
    if (culprit.handleSuspect && culprit.handles !== null) {
      const failing = facts.verdict === 'exhausted' && culprit.handles > HANDLE_FAILING_THRESHOLD;
      evidence.push(
        `${processLabel(culprit)} has ${culprit.handles} ${platform === 'windows' ? 'handles' : 'open file descriptors'}, more than ${failing ? HANDLE_FAILING_THRESHOLD : HANDLE_SUSPECT_THRESHOLD}` +
          (failing ? ': with connections already failing it is the likely cause' : ': suspected of leaking sockets or handles'),
      );
    }
  }
  if (facts.unownedEphemeralPorts > 0) {
    const states = Object.entries(facts.unownedByState)
      .sort((a, b) => b[1] - a[1])
      .map(([state, sockets]) => `${sockets} ${state}${UNOWNED_MEANING[state] ? ` (${UNOWNED_MEANING[state]})` : ''}`);
    evidence.push(`${plural(facts.unownedEphemeralPorts, 'ephemeral port')} held by sockets no process owns now: ${states.join(', ')}`);
  }
  for (const warning of facts.warnings) evidence.push(`note: ${warning}`);
  return evidence;
}

function culpritAdvice(culprit: Culprit, facts: Facts, isTop: boolean): string[] {
  const { platform } = facts;
  const advice: string[] = [];
  const dest = culprit.topDestination ? ` to ${formatAddress(culprit.topDestination.remoteAddress, culprit.topDestination.remotePort)}` : '';
  const who = processLabel(culprit);
  if (culprit.timeWait >= TIME_WAIT_NOTABLE) {
    const inferred = culprit.inferredTimeWait > 0 ? ` (${culprit.inferredTimeWait} of them attributed by inference: TIME_WAIT sockets have no owner)` : '';
    advice.push(
      `${who}: TIME_WAIT churn: it opens and closes connections${dest} too fast, and ${culprit.timeWait} closed sockets${inferred} keep their ports for up to ${TIME_WAIT_SECONDS[platform]} s. Reuse connections (keep-alive, a connection pool) instead of one connection per request.`,
    );
  }
  if (culprit.closeWait >= CLOSE_WAIT_NOTABLE) {
    advice.push(
      `${who}: CLOSE_WAIT leak: ${culprit.closeWait} connections were closed by their peers but the application never closed its side, so the sockets stay open (each a ${platform === 'windows' ? 'handle' : 'file descriptor'}, and on the connecting side a port) until it does. Fix the program to close a socket when the peer ends it (end of stream, errors, timeouts); stopping or restarting it releases them for now.`,
    );
  }
  if (culprit.bound >= BOUND_NOTABLE) {
    advice.push(
      `${who}: BOUND: ${culprit.bound} sockets are bound to a port but never connected or released; each takes its port for every destination. Look for bind() without connect(), or sockets not closed after a failed connect.`,
    );
  }
  if (isTop && advice.length === 0 && facts.verdict !== 'ok' && culprit.ephemeralPorts > 0) {
    // its client side only: a process that also serves holds accepted connections on its listening port
    advice.push(
      `${who} holds ${plural(culprit.ephemeralPorts, 'ephemeral port')} with ${plural(culprit.clientEstablished, 'connection')} open${dest}: cap its connection pool or reuse connections` +
        (platform === 'linux' ? '; spreading connections over more server addresses or ports also helps, since Linux counts ports per destination.' : '.'),
    );
  }
  return advice;
}

/** A TIME_WAIT pile nobody can be named for: the pattern is still known (short connections closed by this side). */
function orphanPileAdvice(pile: TimeWaitPile, platform: Platform): string {
  const to = formatAddress(pile.remoteAddress, pile.remotePort);
  const clients = pile.clients.length > 0
    ? `The processes with connections to ${to} now: ${pile.clients.map(processLabel).join(', ')}.`
    : `No process holds a connection to ${to} now: look for a periodic job or short-lived program (\`porttop list --port ${pile.remotePort}\` while it runs shows it).`;
  return `${pile.sockets} sockets in TIME_WAIT toward ${to} with no owner: something on this machine opens short connections to ${to} and closes them first, and each keeps its port for up to ${TIME_WAIT_SECONDS[platform]} s. Reuse connections to ${to} (keep-alive, a connection pool) instead of one connection per request. ${clients}`;
}

export function describeAdvice(facts: Facts): string[] {
  const { platform, culprits } = facts;
  const advice = culprits.flatMap((culprit, index) => culpritAdvice(culprit, facts, index === 0));
  for (const pile of facts.timeWaitPiles) {
    if (pile.ownerPid === null && pile.sockets >= TIME_WAIT_NOTABLE) advice.push(orphanPileAdvice(pile, platform));
  }
  if (facts.verdict === 'ok') return advice;
  const patternNamed = advice.length > 0;
  if (facts.stopGap) {
    advice.push(
      `Stop-gap: widen the dynamic range with \`${facts.stopGap.command}\` (${facts.elevated ? '' : `run as ${platform === 'windows' ? 'Administrator' : 'root'}; `}undo with \`${facts.stopGap.undo}\`). Make sure no service listens on a port inside the new range${platform === 'linux' ? '; add it to /etc/sysctl.d to keep it after a restart' : ''}.`,
    );
  } else {
    advice.push('No stop-gap: porttop suggests no wider dynamic range here (it is already as wide as porttop will suggest, or it starts below 1025): only fixing the cause helps.');
  }
  advice.push(
    `Widening the range is temporary: it buys time until the same pattern uses up the larger range too. ${patternNamed ? 'Fix the pattern named above.' : 'Find what opens the connections (the culprits and destinations above) and make it reuse them.'}`,
  );
  return advice;
}

/** The header's line after the verdict: the deciding range, events, the top culprit. */
export function verdictDetails(diagnosis: Pick<Diagnosis, 'usage' | 'events' | 'culprits'>): string[] {
  const worst = worstRange(diagnosis.usage);
  const parts: string[] = [];
  if (worst) {
    const where =
      worst.judgedBy === 'destination' && worst.worstDestination
        ? ` toward ${formatAddress(worst.worstDestination.remoteAddress, worst.worstDestination.remotePort)}`
        : worst.judgedBy === 'local-address' && worst.worstLocalAddress && worst.worstLocalAddress.localAddress !== '*'
          ? ` on ${worst.worstLocalAddress.localAddress}`
          : worst.judgedBy === 'bound' ? ' bound' : '';
    parts.push(`${rangeKey(worst)} ${worst.judgedPorts}/${worst.usable} ports${where} (${worst.judgedPercent}%)`);
  }
  const events = exhaustionEventCount(diagnosis.events);
  if (events > 0) parts.push(`${events} Tcpip 4227/4231 events`);
  const top = diagnosis.culprits[0];
  if (top) parts.push(`top PID ${top.pid} ${top.processName} ${plural(top.ephemeralPorts, 'port')}`);
  return parts;
}
