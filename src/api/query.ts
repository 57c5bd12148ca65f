// The read-only questions of the library over a backend: who, list, procs, diagnose. Same data as the
// commands' --json, built from the backend and core directly (never from a command's handler).
import type { Backend } from '../backend.js';
import { diagnosisJson } from '../commands/diagnose.js';
import { procsJsonRow } from '../commands/procs.js';
import { sortProcessRows, summarizeProcesses, SORT_KEYS, type ProcessRow, type SortKey } from '../core/aggregate.js';
import { diagnose, EVENT_WINDOW_MINUTES, type Diagnosis, type RangeDiagnosis } from '../core/diagnose/index.js';
import type { ExhaustionEvents } from '../core/model.js';
import { endpointsOnPorts, filterEndpoints, withProcessNames, type EndpointFilter, type OwnedEndpoint } from '../core/select.js';
import { portsOfSpans, type PortSpan } from '../core/validate.js';

export async function whoWith(backend: Backend, spans: readonly PortSpan[]): Promise<OwnedEndpoint[]> {
  const snapshot = await backend.snapshot({ localPorts: portsOfSpans(spans) });
  return withProcessNames(endpointsOnPorts(snapshot.endpoints, spans), snapshot);
}

export async function listWith(backend: Backend, filter: EndpointFilter): Promise<OwnedEndpoint[]> {
  const snapshot = await backend.snapshot();
  return withProcessNames(filterEndpoints(snapshot.endpoints, filter), snapshot);
}

/** One row of `porttop procs --json`. Written out, so the library's types never reach into the commands (and yargs). */
export type ProcsRow = Omit<ProcessRow, 'handleSuspect'>;

export async function procsWith(backend: Backend, sort: SortKey, top: number | undefined): Promise<ProcsRow[]> {
  const [snapshot, ranges] = await Promise.all([backend.snapshot(), backend.getRanges()]);
  return sortProcessRows(summarizeProcesses(snapshot, ranges), sort).slice(0, top).map(procsJsonRow);
}
export { SORT_KEYS, type SortKey };

/** `porttop diagnose --json`. */
export type DiagnosisReport = Omit<Diagnosis, 'usage'> & {
  usage: Pick<
    RangeDiagnosis,
    'protocol' | 'family' | 'start' | 'end' | 'count' | 'inUse' | 'percent' | 'byState' | 'worstDestination' | 'worstLocalAddress' | 'boundPorts' | 'judgedBy' | 'judgedPorts' | 'judgedPercent' | 'verdict'
  >[];
};

export async function diagnoseWith(backend: Backend): Promise<DiagnosisReport> {
  const since = new Date(Date.now() - EVENT_WINDOW_MINUTES * 60_000);
  const [snapshot, ranges, events] = await Promise.all([backend.snapshot(), backend.getRanges(), eventsOrNull(backend, since)]);
  return diagnosisJson(diagnose({ snapshot, ranges, events, platform: backend.platform }));
}

/** Partial failure is data: without the System log the verdict still stands on the sockets. */
async function eventsOrNull(backend: Backend, since: Date): Promise<ExhaustionEvents | null> {
  if (!backend.events) return null;
  try {
    return await backend.events(since);
  } catch {
    return null;
  }
}
