// Which ports `porttop free` may offer, in the order it tries them. Pure: the caller binds each one
// for real before it counts it as free.
import type { Endpoint, ExcludedRange, Family, PortRange, Protocol } from './model.js';
import type { PortSpan } from './validate.js';

/** Below this, ports are privileged or well known: the default search starts here. */
export const FREE_DEFAULT_SPAN: PortSpan = { from: 1024, to: 65535 };

export interface FreePortPlan {
  protocol: Protocol;
  family: Family;
  /** the user's range; undefined for the default (1024-65535 minus the dynamic range) */
  span: PortSpan | undefined;
  dynamic: PortRange | undefined;
  excluded: readonly ExcludedRange[];
  /** endpoints on the machine: any socket of the protocol on a port rules it out, TIME_WAIT included */
  endpoints: readonly Endpoint[];
}

export interface FreePortCandidate {
  port: number;
  /** inside the dynamic range: offered only from a range the user gave, with a warning */
  inDynamicRange: boolean;
}

export function* freePortCandidates(plan: FreePortPlan): Generator<FreePortCandidate> {
  const occupied = new Set<number>();
  for (const endpoint of plan.endpoints) if (endpoint.protocol === plan.protocol) occupied.add(endpoint.localPort);
  const excluded = plan.excluded.filter((range) => range.protocol === plan.protocol && range.family === plan.family);
  const span = plan.span ?? FREE_DEFAULT_SPAN;
  for (let port = span.from; port <= span.to; port++) {
    if (occupied.has(port)) continue;
    if (excluded.some((range) => port >= range.start && port <= range.end)) continue;
    const inDynamicRange = plan.dynamic !== undefined && port >= plan.dynamic.start && port <= plan.dynamic.end;
    if (inDynamicRange && plan.span === undefined) continue;
    yield { port, inDynamicRange };
  }
}
