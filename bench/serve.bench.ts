// Benchmark: `porttop serve` (the built bin) at 30 000 sockets in a private network namespace, with
// --interval 15. First 2 minutes scraped once per interval, as a Prometheus does: its CPU (target < 3 %
// of one core) and memory (target < 150 MB RSS). Then bursts of 100 concurrent scrapes fired just after
// a collection starts and between collections: their latency (target: none slower than 50 ms).
// References in the same run, on the same sockets: what an administrator would otherwise schedule,
// `ss -tanp` every 15 s (e.g. feeding node_exporter's textfile collector), its CPU over the same 2
// minutes; and the latency floor of the same bursts against a Node server that only returns a fixed
// body of the same size while one core is kept busy.
// Run: node --import tsx bench/serve.bench.ts   (knobs: PORTTOP_BENCH_SERVE_SECONDS, PORTTOP_BENCH_SERVE_CONNECTIONS)
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { startHolder } from '../test/helpers/children.js';
import { NetNamespace } from '../test/helpers/netns.js';
import { startExporter } from '../test/serve/exporter.js';
import { percentile, scrapeBurstSource, type ScrapeBurstResult } from '../test/serve/scrapes.js';
import { Load } from './load.js';

export const CPU_TARGET_PERCENT = 3;
export const RSS_TARGET_MB = 150;
export const SCRAPE_TARGET_MS = 50;
const INTERVAL_SECONDS = 15;
/** scrape bursts in the latency phase: three per collection */
const BURSTS = Number(process.env.PORTTOP_BENCH_SERVE_BURSTS ?? 12);
const EXPORTER_PORT = 9465; // private namespace

const TICKS_PER_SECOND = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** user + system CPU seconds of a process so far, from /proc/PID/stat (fields after the last ") "). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

function memoryMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Bytes of one /metrics body. */
function metricsBytes(ns: NetNamespace, url: string): number {
  const out = ns.run(process.execPath, ['-e', `fetch(${JSON.stringify(url)}).then((r) => r.arrayBuffer()).then((b) => process.stdout.write(String(b.byteLength)))`]).stdout;
  return Number(out) || 1;
}

/** Latencies of the scrape driver against a Node server that returns a fixed body, with one core kept busy. */
async function staticServerFloor(ns: NetNamespace, bodyBytes: number, bursts: number): Promise<number[]> {
  const server = await startHolder<{ port: number }>(
    `import http from 'node:http';
const body = 'x'.repeat(${bodyBytes});
const server = http.createServer((request, response) => { response.writeHead(200, { 'Content-Type': 'text/plain' }); response.end(body); });
server.listen(0, '127.0.0.1', () => ready({ port: server.address().port }));`,
    { prefix: ns.prefix },
  );
  const busy = await startHolder(`const until = Date.now() + ${(bursts + 20) * 1000}; ready(); while (Date.now() < until) {}`, { prefix: ns.prefix });
  try {
    const url = `http://127.0.0.1:${server.data.port}/metrics`;
    return (await startHolder<ScrapeBurstResult>(scrapeBurstSource({ url, bursts, concurrency: 100, gapMs: 500 }), { prefix: ns.prefix, timeoutMs: 120_000 })).data.latenciesMs;
  } finally {
    await busy.stop();
    await server.stop();
  }
}

export async function run(): Promise<void> {
  if (!NetNamespace.available()) {
    console.log('\n(skipping serve: needs root and iproute2 for a private network namespace)');
    return;
  }
  const seconds = Number(process.env.PORTTOP_BENCH_SERVE_SECONDS ?? 120);
  const connections = Number(process.env.PORTTOP_BENCH_SERVE_CONNECTIONS ?? 15_000);
  console.log(`\nporttop serve at ${connections * 2} sockets, --interval ${INTERVAL_SECONDS}, ${seconds} s (load before: ${loadavg().map((v) => round(v, 2)).join(' ')}, ${availableParallelism()} cores)`);
  const ns = NetNamespace.create();
  const load = new Load(ns.prefix);
  try {
    await load.growTo(connections);
    const exporter = await startExporter(['--listen', `127.0.0.1:${EXPORTER_PORT}`, '--interval', String(INTERVAL_SECONDS)], ns.prefix);
    try {
      const url = `http://127.0.0.1:${EXPORTER_PORT}/metrics`;
      // the first collection (start-up) is not part of the steady state
      const deadline = Date.now() + 120_000;
      while (Date.now() < deadline && !/^porttop_last_collect_timestamp_seconds [1-9]/m.test(ns.run(process.execPath, ['-e', `fetch(${JSON.stringify(url)}).then((r) => r.text()).then((t) => process.stdout.write(t))`]).stdout)) {
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      // 1. steady state, as a Prometheus sees it: one scrape every interval; CPU and memory are judged here
      const scrapeUrl = () => ns.run(process.execPath, ['-e', `fetch(${JSON.stringify(url)}).then((r) => r.text())`]);
      const cpuBefore = cpuSeconds(exporter.pid);
      const startedAt = performance.now();
      // the reference: ss -tanp every 15 s over the same period, on the same sockets
      let ssCpu = 0;
      let ssRuns = 0;
      while (performance.now() - startedAt < seconds * 1000) {
        const timed = spawnSync('ip', ['netns', 'exec', ns.name, '/usr/bin/time', '-f', '%U %S', 'ss', '-tanp'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
        const [user, system] = timed.stderr.trim().split('\n').pop()!.split(' ').map(Number);
        ssCpu += user! + system!;
        ssRuns++;
        scrapeUrl();
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, ssRuns * INTERVAL_SECONDS * 1000 - (performance.now() - startedAt))));
      }
      const elapsed = (performance.now() - startedAt) / 1000;
      const cpu = cpuSeconds(exporter.pid) - cpuBefore;
      const memory = memoryMb(exporter.pid);
      const cpuPercent = (cpu / elapsed) * 100;
      const ssPercent = (ssCpu / elapsed) * 100;
      console.log(`  serve CPU, scraped every ${INTERVAL_SECONDS} s: ${round(cpu, 2)} s over ${round(elapsed)} s = ${round(cpuPercent, 2)} % of one core (target < ${CPU_TARGET_PERCENT} %): ${cpuPercent < CPU_TARGET_PERCENT ? 'met' : 'NOT met'}`);
      // per unit of work, since on a loaded machine ss may not manage a run every 15 s
      const collections = elapsed / INTERVAL_SECONDS;
      console.log(`  ss -tanp every ${INTERVAL_SECONDS} s (${ssRuns} runs): ${round(ssCpu, 2)} s = ${round(ssPercent, 2)} % of one core; CPU per serve collection ${round(cpu / collections, 2)} s vs per ss run ${round(ssCpu / ssRuns, 2)} s: ${round(cpu / collections / (ssCpu / ssRuns), 2)}x`);

      // 2. bursts of 100 concurrent scrapes at 20, 150 and 300 ms after a collection starts, then one between collections
      const cpuBeforeBursts = cpuSeconds(exporter.pid);
      const bursts = BURSTS;
      const scrapes = (
        await startHolder<ScrapeBurstResult>(
          scrapeBurstSource({ url, bursts, concurrency: 100, gapMs: 6_000, alignToCollectionEveryMs: INTERVAL_SECONDS * 1000, offsetsMs: [20, 150, 300] }),
          { prefix: ns.prefix, timeoutMs: (bursts * INTERVAL_SECONDS + 60) * 1000 },
        )
      ).data;
      const burstCpu = cpuSeconds(exporter.pid) - cpuBeforeBursts;
      const peak = memoryMb(exporter.pid).peak;
      console.log(`  serve memory: RSS ${round(memory.rss)} MB after the steady phase, peak ${round(peak)} MB over both phases (target < ${RSS_TARGET_MB} MB): ${peak < RSS_TARGET_MB ? 'met' : 'NOT met'}`);
      const latencies = scrapes.latenciesMs;
      const max = Math.max(...latencies);
      console.log(`  ${latencies.length} scrapes in bursts of 100 (fired ${scrapes.firedAfterStartMs.join(', ')} ms after a collection started), ${scrapes.failures.length} failed: p50 ${round(percentile(latencies, 50))} ms, p99 ${round(percentile(latencies, 99))} ms, max ${round(max)} ms (target: none over ${SCRAPE_TARGET_MS} ms): ${max < SCRAPE_TARGET_MS && scrapes.failures.length === 0 ? 'met' : 'NOT met'}; serve CPU in this phase ${round(burstCpu, 2)} s`);
      // 3. the floor under that figure: the same driver and bursts against a Node HTTP server that only
      // returns a fixed body of the same size, while another process keeps one core busy (as a collection does)
      const floor = await staticServerFloor(ns, metricsBytes(ns, url), bursts);
      console.log(`  floor, a static Node server (same body size, one core kept busy, same driver): p50 ${round(percentile(floor, 50))} ms, p99 ${round(percentile(floor, 99))} ms, max ${round(Math.max(...floor))} ms`);
      console.log(`  load after: ${loadavg().map((v) => round(v, 2)).join(' ')}`);
    } finally {
      await exporter.stop('SIGTERM');
    }
  } finally {
    await load.stop();
    ns.destroy();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
