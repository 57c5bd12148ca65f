// whyBind: try the bind for real, then ask the backend and the OS what stands in the way.
import type { Backend } from '../backend.js';
import type { ExcludedRange, Protocol } from '../core/model.js';
import { explainBind, type WhyReport } from '../core/why.js';
import { readBindFacts } from '../probe/facts.js';
import { tryBind } from '../probe/bind.js';

export interface WhyRequest {
  port: number;
  host: string;
  protocol: Protocol;
}

export async function whyBindWith(backend: Backend, request: WhyRequest): Promise<WhyReport> {
  // the bind first: reading the socket tables afterwards cannot disturb it
  const attempt = await tryBind({ port: request.port, host: request.host, protocol: request.protocol });
  const [snapshot, ranges, excluded] = await Promise.all([
    backend.snapshot({ localPorts: new Set([request.port]) }),
    backend.getRanges(),
    excludedRangesOf(backend),
  ]);
  return explainBind({
    ...request,
    platform: backend.platform,
    attempt,
    endpoints: snapshot.endpoints.filter((endpoint) => endpoint.localPort === request.port),
    processes: snapshot.processes,
    hiddenOwners: snapshot.hiddenOwners ?? 0,
    ranges,
    excluded,
    ...readBindFacts(backend.platform),
  });
}

/** Excluded ranges where the OS has them; a failure to read them leaves the other reasons standing. */
export async function excludedRangesOf(backend: Backend): Promise<ExcludedRange[]> {
  if (!backend.excludedRanges) return [];
  try {
    return await backend.excludedRanges();
  } catch {
    return [];
  }
}
