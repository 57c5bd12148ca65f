// The processes behind the usage, ranked: most ephemeral ports first, then the leaks that hold none.
import { exceedsHandleRule } from '../handles.js';
import type { ProcessTally, SnapshotTally } from '../tally.js';
import type { Culprit } from './types.js';

/** Culprits listed. */
export const CULPRIT_LIMIT = 10;

function isNotable(tally: ProcessTally): boolean {
  return tally.ephemeralPorts > 0 || tally.timeWait + tally.inferredTimeWait > 0 || tally.closeWait > 0 || tally.bound > 0;
}

/** the destination most of its client sockets talk to; the first seen wins a tie */
function topDestination(tally: ProcessTally): Culprit['topDestination'] {
  const top = tally.topDestination();
  return top && { remoteAddress: top.destination.remoteAddress, remotePort: top.destination.remotePort, sockets: top.sockets };
}

export function rankCulprits(tally: SnapshotTally): Culprit[] {
  const culprits: (Omit<Culprit, 'topDestination'> & { counts: ProcessTally })[] = [];
  for (const counts of tally.processes.values()) {
    const info = tally.snapshot.processes.get(counts.pid);
    const processName = info?.name ?? '?';
    const handles = info?.handles ?? null;
    const handleSuspect = exceedsHandleRule(processName, handles);
    if (!isNotable(counts) && !handleSuspect) continue;
    culprits.push({
      pid: counts.pid,
      processName,
      ephemeralPorts: counts.ephemeralPorts,
      established: counts.established,
      clientEstablished: counts.clientEstablished,
      timeWait: counts.timeWait + counts.inferredTimeWait,
      closeWait: counts.closeWait,
      bound: counts.bound,
      handles,
      inferredTimeWait: counts.inferredTimeWait,
      handleSuspect,
      counts,
    });
  }
  culprits.sort(
    (a, b) =>
      b.ephemeralPorts - a.ephemeralPorts ||
      b.closeWait - a.closeWait ||
      b.bound - a.bound ||
      b.timeWait - a.timeWait ||
      (b.handles ?? 0) - (a.handles ?? 0) ||
      a.pid - b.pid,
  );
  // the top destination is counted for the culprits listed only
  return culprits.slice(0, CULPRIT_LIMIT).map(({ counts, ...culprit }) => ({ ...culprit, topDestination: topDestination(counts) }));
}
