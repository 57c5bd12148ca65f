// When is a wait over: every port free (nothing on it that would block a bind) or every port listened
// on. Pure: the caller polls the backend and hands each snapshot's endpoints in.
import { blocksBind } from './bindconflict.js';
import type { Endpoint, Protocol } from './model.js';
import { portInSpans, type PortSpan } from './validate.js';

export const WAIT_UNTIL = ['free', 'listening'] as const;
export type WaitUntil = (typeof WAIT_UNTIL)[number];

export interface WaitState {
  met: boolean;
  /** until free: the endpoints still in the way */
  blocking: Endpoint[];
  /** until listening: the ports nothing listens on yet */
  notListening: number[];
}

/** A TCP listener, or any UDP socket (UDP has no listen: a bound socket is what a server has). */
export function isListening(endpoint: Endpoint): boolean {
  return endpoint.protocol === 'udp' ? true : endpoint.state === 'LISTEN';
}

export function waitState(endpoints: readonly Endpoint[], spans: readonly PortSpan[], until: WaitUntil, protocols: readonly Protocol[]): WaitState {
  const relevant = endpoints.filter((endpoint) => protocols.includes(endpoint.protocol) && portInSpans(endpoint.localPort, spans));
  if (until === 'free') {
    const blocking = relevant.filter(blocksBind);
    return { met: blocking.length === 0, blocking, notListening: [] };
  }
  const listened = new Set(relevant.filter(isListening).map((endpoint) => endpoint.localPort));
  const notListening: number[] = [];
  for (const { from, to } of spans) for (let port = from; port <= to; port++) if (!listened.has(port)) notListening.push(port);
  return { met: notListening.length === 0, blocking: [], notListening: [...new Set(notListening)] };
}
