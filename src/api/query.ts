// The read-only questions of the library over a backend: who, list, procs, diagnose. Same data as the
// commands' --json, built from the backend and core directly (never from a command's handler).
import type { Backend } from '../backend.js';
import { diagnoseBackend } from './diagnose.js';
import { diagnosisJson } from '../commands/diagnose.js';
import { procsJsonRow } from '../commands/procs.js';
import { sortProcessRows, summarizeProcesses, SORT_KEYS, type ProcessRow, type SortKey } from '../core/aggregate.js';
import type { Diagnosis, RangeDiagnosis } from '../core/diagnose/index.js';
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
  return diagnosisJson((await diagnoseBackend(backend)).diagnosis);
}
