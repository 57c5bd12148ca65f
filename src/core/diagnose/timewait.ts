// TIME_WAIT has no owner on either OS. After the pass, name one only where a single process can be
// behind a pile: the only process with open connections to that endpoint (client side), or the one
// process listening on its local port (server side).
import { MANY_PIDS, NO_PID, ownerOf, pairIndex, processTally, type Destination, type SnapshotTally } from '../tally.js';
import type { TimeWaitPile } from './types.js';

/** TIME_WAIT destinations listed. */
export const TIME_WAIT_PILE_LIMIT = 5;

function inferOwner(destination: Destination, listener: number | undefined): { pid: number | null; reason: string } {
  if (destination.owner !== NO_PID && destination.owner !== MANY_PIDS) {
    return { pid: destination.owner, reason: 'the only process with open connections to that endpoint (inferred)' };
  }
  if (listener !== undefined && listener !== MANY_PIDS) {
    return { pid: listener, reason: 'the process listening on its local port (inferred)' };
  }
  if (destination.owner === MANY_PIDS) return { pid: null, reason: 'several processes hold connections to that endpoint' };
  return { pid: null, reason: 'no process holds connections to that endpoint now' };
}

/** Attributes unowned TIME_WAIT sockets (to the process tallies or to the unowned count) and returns the largest piles. */
export function attributeTimeWait(tally: SnapshotTally): TimeWaitPile[] {
  for (const endpoint of tally.timeWaits) {
    const pair = pairIndex(endpoint);
    const destination = tally.destinations[pair]!.get(endpoint.remoteAddress!, endpoint.remotePort!, endpoint);
    destination.inferred ??= inferOwner(destination, tally.listenerOwners.get(pair * 65536 + endpoint.localPort));
    if (ownerOf(endpoint) !== null) continue; // owned (a backend that reports it): counted in the pass
    const inRange = tally.rangeIndex.of(endpoint, pair);
    const owner = destination.inferred.pid;
    if (owner === null) tally.unowned.add(endpoint, inRange);
    else processTally(tally.processes, owner).addInferredTimeWait(endpoint, inRange);
  }
  return tally.destinations
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
        ownerName: ownerPid === null ? null : (tally.snapshot.processes.get(ownerPid)?.name ?? '?'),
        ownerReason: destination.inferred?.reason ?? 'owned',
        clients: ownerPid === null ? (destination.clients ?? []).map((pid) => ({ pid, processName: tally.snapshot.processes.get(pid)?.name ?? '?' })) : [],
      };
    });
}
