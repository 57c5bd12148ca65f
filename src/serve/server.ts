// The HTTP side of `porttop serve` on node:http: /metrics from the last collection, /healthz, and a
// short index page. Nothing here collects; every answer is built from data already in memory.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Health } from './collector.js';

export interface ServeSources {
  metrics: MetricsText;
  health(): Health;
}

/** How long one rendering of /metrics is reused: prom-client's process metrics are at most this old. */
export const METRICS_REUSE_MS = 1_000;

/**
 * The /metrics body, rendered once and shared: concurrent scrapes wait for the same rendering, and
 * later ones reuse it until a new collection lands or METRICS_REUSE_MS pass, so a hundred scrapers
 * cost one rendering rather than a hundred.
 */
export class MetricsText {
  private body: Promise<string> | null = null;
  private renderedAtMs = 0;

  constructor(
    readonly registry: Registry,
    private readonly reuseMs = METRICS_REUSE_MS,
  ) {}

  /** a new collection landed: the next scrape renders afresh */
  invalidate(): void {
    this.body = null;
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  text(nowMs = Date.now()): Promise<string> {
    if (!this.body || nowMs - this.renderedAtMs > this.reuseMs) {
      this.renderedAtMs = nowMs;
      const rendering = this.registry.metrics();
      this.body = rendering;
      // a failed rendering is not reused
      rendering.catch(() => {
        if (this.body === rendering) this.body = null;
      });
    }
    return this.body;
  }
}

const INDEX_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><title>porttop exporter</title></head>
<body><h1>porttop exporter</h1>
<p>Ephemeral-port usage, the processes and destinations behind it, and the exhaustion verdict of this machine.</p>
<ul><li><a href="metrics">/metrics</a>: Prometheus text format, from the last collection</li>
<li><a href="healthz">/healthz</a>: 200 while collections succeed and are fresh, 503 otherwise</li></ul>
</body></html>
`;

export function createExporterServer(sources: ServeSources): Server {
  const server = createServer((request, response) => {
    void answer(sources, request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    });
  });
  // an idle scraper's keep-alive connection must not hold shutdown up
  server.keepAliveTimeout = 5_000;
  return server;
}

async function answer(sources: ServeSources, request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
    response.end('only GET and HEAD\n');
    return;
  }
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  if (path === '/metrics') {
    const body = await sources.metrics.text();
    response.writeHead(200, { 'Content-Type': sources.metrics.contentType });
    response.end(request.method === 'HEAD' ? undefined : body);
    return;
  }
  if (path === '/healthz') {
    const health = sources.health();
    const age = health.ageSeconds === null ? 'none yet' : `${health.ageSeconds.toFixed(1)} s ago`;
    const body = health.ok ? `ok: last good collection ${age}\n` : `unhealthy: ${health.problem} (last good collection: ${age})\n`;
    response.writeHead(health.ok ? 200 : 503, { 'Content-Type': 'text/plain; charset=utf-8' });
    response.end(request.method === 'HEAD' ? undefined : body);
    return;
  }
  if (path === '/') {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    response.end(request.method === 'HEAD' ? undefined : INDEX_HTML);
    return;
  }
  response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
  response.end('not found: try /metrics, /healthz or /\n');
}

/** Listens, or rejects with the system error (EADDRINUSE, EACCES, EADDRNOTAVAIL) for the caller to explain. */
export function listen(server: Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** Stops accepting and ends open connections (scrapers keep them alive). */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
