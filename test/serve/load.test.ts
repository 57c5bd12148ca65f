// Load: 100 concurrent scrapes, burst after burst, while `porttop serve` collects 30 000 sockets in a
// private network namespace (collections back to back: --interval 1). Every scrape must be answered;
// the latency target (none slower than 50 ms) is measured in bench/serve.bench.ts; here the bound is
// generous, since this machine's two cores are shared with other test runs.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Load } from '../../bench/load.js';
import { startHolder } from '../helpers/children.js';
import { NetNamespace } from '../helpers/netns.js';
import { sampleValue, startExporter, waitFor, type RunningExporter } from './exporter.js';
import { percentile, scrapeBurstSource, type ScrapeBurstResult } from './scrapes.js';

const skip = NetNamespace.available() ? false : 'needs root and iproute2 (ip netns) for a private network namespace';
const CONNECTIONS = 15_000; // two sockets each
const EXPORTER_PORT = 9465; // private namespace: no collision

describe('100 concurrent scrapes while collecting 30 000 sockets', { skip, timeout: 240_000 }, () => {
  let ns: NetNamespace;
  let load: Load;
  let exporter: RunningExporter;

  before(async () => {
    ns = NetNamespace.create();
    load = new Load(ns.prefix);
    await load.growTo(CONNECTIONS);
    exporter = await startExporter(['--listen', `127.0.0.1:${EXPORTER_PORT}`, '--interval', '1'], ns.prefix);
  });

  after(async () => {
    await exporter?.stop('SIGTERM');
    await load?.stop();
    ns?.destroy();
  });

  it('all answered with the full metrics; latency bounded generously', async () => {
    const url = `http://127.0.0.1:${EXPORTER_PORT}/metrics`;
    // wait (inside the namespace) until a collection has seen the load
    await waitFor('a collection of the load', async () => {
      const run = ns.run(process.execPath, ['-e', `fetch(${JSON.stringify(url)}).then((r) => r.text()).then((t) => process.stdout.write(t))`]);
      const established = sampleValue(run.stdout, 'porttop_sockets{proto="tcp",family="ipv4",state="ESTABLISHED"}') ?? 0;
      const established6 = sampleValue(run.stdout, 'porttop_sockets{proto="tcp",family="ipv6",state="ESTABLISHED"}') ?? 0;
      return established + established6 >= 2 * CONNECTIONS ? true : undefined;
    }, 60_000, 1_000);
    const driver = await startHolder<ScrapeBurstResult>(scrapeBurstSource({ url, bursts: 10, concurrency: 100, gapMs: 150 }), {
      prefix: ns.prefix,
      timeoutMs: 120_000,
    });
    const { latenciesMs, failures } = driver.data;
    await driver.stop();
    const after = ns.run(process.execPath, ['-e', `fetch(${JSON.stringify(url)}).then((r) => r.text()).then((t) => process.stdout.write(t))`]).stdout;
    console.log(`# a collection took ${Number(sampleValue(after, 'porttop_collect_duration_seconds')).toFixed(2)} s`);
    const p50 = percentile(latenciesMs, 50);
    const max = Math.max(...latenciesMs);
    console.log(`# 1000 scrapes at 30 000 sockets: p50 ${p50.toFixed(1)} ms, p99 ${percentile(latenciesMs, 99).toFixed(1)} ms, max ${max.toFixed(1)} ms`);
    assert.deepEqual(failures, []);
    assert.equal(latenciesMs.length, 1000);
    // generous: on two shared cores at load 13 a 30 000-socket collection took 14 s here; what must
    // hold is that scrapes are answered during it, not after it (the 50 ms target: bench/serve.bench.ts)
    assert.ok(p50 < 2_000, `p50 ${p50} ms`);
    assert.ok(max < 10_000, `max ${max} ms`);
    // no collection failed under the scrapes (/healthz may say stale: at --interval 1 a collection
    // that takes more than 3 s on a loaded machine is older than 3 intervals, which is its rule)
    assert.equal(sampleValue(after, 'porttop_collect_errors_total'), 0);
  });
});
