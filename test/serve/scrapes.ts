// A scrape driver for the load test and bench/serve.bench.ts: run inside the exporter's namespace (the
// exporter listens on that namespace's loopback), it fires bursts of concurrent GET /metrics, each on
// its own connection, and reports every latency. Bounded: `bursts` x `concurrency` requests.

export interface ScrapeBurstSpec {
  url: string;
  bursts: number;
  concurrency: number;
  /** pause between bursts, ms */
  gapMs: number;
  /**
   * Time each burst to a collection: read porttop_last_collect_timestamp_seconds and
   * porttop_collect_duration_seconds, and fire at the next collection's start plus these offsets (ms).
   */
  alignToCollectionEveryMs?: number;
  offsetsMs?: number[];
}

export interface ScrapeBurstResult {
  latenciesMs: number[];
  failures: string[];
  /** ms after the collection start each burst fired (aligned runs only) */
  firedAfterStartMs: number[];
}

/** ESM source for startHolder: prints READY with a ScrapeBurstResult. */
export function scrapeBurstSource(spec: ScrapeBurstSpec): string {
  return `
import http from 'node:http';
const spec = ${JSON.stringify(spec)};
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
const latenciesMs = [];
const failures = [];
const firedAfterStartMs = [];
function scrape() {
  return new Promise((resolve) => {
    const started = performance.now();
    const request = http.get(spec.url, { agent }, (response) => {
      let bytes = 0;
      response.on('data', (chunk) => (bytes += chunk.length));
      response.on('end', () => {
        if (response.statusCode !== 200 || bytes < 100) failures.push('status ' + response.statusCode + ', ' + bytes + ' bytes');
        else latenciesMs.push(performance.now() - started);
        resolve();
      });
    });
    request.setTimeout(10000, () => request.destroy(new Error('timeout')));
    request.on('error', (error) => { failures.push(String(error.code ?? error)); resolve(); });
  });
}
function text(url) {
  return new Promise((resolve, reject) => http.get(url, { agent }, (response) => {
    let body = '';
    response.setEncoding('utf8');
    response.on('data', (chunk) => (body += chunk));
    response.on('end', () => resolve(body));
  }).on('error', reject));
}
const value = (body, name) => Number(new RegExp('^' + name + ' (\\\\S+)$', 'm').exec(body)?.[1]);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
const burst = () => Promise.all(Array.from({ length: spec.concurrency }, scrape));
if (spec.alignToCollectionEveryMs) {
  for (let done = 0; done < spec.bursts; ) {
    const body = await text(spec.url);
    const startedMs = (value(body, 'porttop_last_collect_timestamp_seconds') - value(body, 'porttop_collect_duration_seconds')) * 1000;
    const nextStart = startedMs + spec.alignToCollectionEveryMs;
    for (const offset of spec.offsetsMs ?? [0]) {
      if (done >= spec.bursts) break;
      await sleep(nextStart + offset - Date.now());
      firedAfterStartMs.push(Math.round(Date.now() - nextStart));
      await burst();
      done++;
    }
    await sleep(spec.gapMs);
  }
} else {
  for (let i = 0; i < spec.bursts; i++) {
    await burst();
    await sleep(spec.gapMs);
  }
}
ready({ latenciesMs, failures, firedAfterStartMs });
`;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
