// waitFor: poll the backend (only the wanted ports' sockets) until the ports are free or listened on.
import type { Backend } from '../backend.js';
import type { Protocol } from '../core/model.js';
import { withProcessNames, type OwnedEndpoint } from '../core/select.js';
import { portsOfSpans, type PortSpan } from '../core/validate.js';
import { waitState, type WaitUntil } from '../core/waitfor.js';

export interface WaitRequest {
  spans: readonly PortSpan[];
  until: WaitUntil;
  protocols: readonly Protocol[];
  timeoutMs: number;
  intervalMs: number;
  /** stops the wait early (the result then says met: false) */
  signal?: AbortSignal;
}

/** The shape of `porttop wait --json` and of the library's waitFor(). */
export interface WaitResult {
  met: boolean;
  until: WaitUntil;
  /** the ports asked about, as given spans */
  ports: string[];
  waitedMs: number;
  /** until free: what still held the ports at the end (empty when met) */
  blocking: OwnedEndpoint[];
  /** until listening: ports nothing listened on at the end (empty when met) */
  notListening: number[];
}

export async function waitForWith(backend: Backend, request: WaitRequest): Promise<WaitResult> {
  const started = performance.now();
  const localPorts = portsOfSpans(request.spans);
  const ports = request.spans.map((span) => (span.from === span.to ? `${span.from}` : `${span.from}-${span.to}`));
  for (;;) {
    // each look reads only the wanted ports and no owners: the condition depends on sockets alone
    // (and, waiting for a listener, only on listening sockets, which the kernel lists first)
    const look = await backend.snapshot({ localPorts, owners: false, listenersOnly: request.until === 'listening' });
    const state = waitState(look.endpoints, request.spans, request.until, request.protocols);
    const waitedMs = Math.round(performance.now() - started);
    const timedOut = waitedMs >= request.timeoutMs || request.signal?.aborted === true;
    if (state.met || timedOut) {
      const result = { met: state.met, until: request.until, ports, waitedMs, notListening: state.notListening };
      if (state.blocking.length === 0) return { ...result, blocking: [] };
      // still held at the timeout: one more look, with owners, to say who holds what
      const named = await backend.snapshot({ localPorts });
      const blocking = waitState(named.endpoints, request.spans, request.until, request.protocols).blocking;
      return { ...result, blocking: withProcessNames(blocking, named) };
    }
    const pause = Math.min(request.intervalMs, Math.max(0, request.timeoutMs - waitedMs));
    await sleep(pause, request.signal);
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
