// A collection that fails keeps the last good data: a real fault, not a stub. `porttop serve` runs in a
// private mount namespace (unshare --mount); the test mounts an empty tmpfs over /proc/sys/net/ipv4
// there, so the real Linux backend cannot read the port range and every collection fails with its own
// BackendError. Unmounting brings it back. The machine's own /proc is never touched.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { LinuxBackend } from '../../src/linux/backend.js';
import { Collector, STALE_AFTER_INTERVALS } from '../../src/serve/collector.js';
import type { Runtime } from '../../src/runtime.js';
import { get, sampleValue, startExporter, waitFor, type RunningExporter } from './exporter.js';

const root = process.getuid?.() === 0;
const tools = spawnSync('unshare', ['--version']).status === 0 && spawnSync('nsenter', ['--version']).status === 0;
const skip = process.platform !== 'linux' ? 'needs Linux' : !root ? 'needs root (a private mount namespace)' : !tools ? 'needs unshare and nsenter (util-linux)' : false;

const INTERVAL_SECONDS = 0.5;
const FAULT_PATH = '/proc/sys/net/ipv4';

function inServeMounts(pid: number, args: readonly string[]) {
  const run = spawnSync('nsenter', ['--target', String(pid), '--mount', '--', ...args], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(run.status, 0, `${args.join(' ')}: ${run.stderr}`);
}

describe('a failing collection (real backend error in a private mount namespace)', { skip }, () => {
  let exporter: RunningExporter;
  let faulted = false;

  before(async () => {
    exporter = await startExporter(['--interval', String(INTERVAL_SECONDS)], ['unshare', '--mount', '--propagation', 'private']);
    await waitFor('a first collection', async () => ((await get(`${exporter.base}/healthz`)).status === 200 ? true : undefined));
  });

  after(async () => {
    if (faulted) spawnSync('nsenter', ['--target', String(exporter.pid), '--mount', '--', 'umount', FAULT_PATH]);
    await exporter?.stop('SIGKILL');
  });

  it('keeps serving the last good data, counts the errors, /healthz 503 after 3 intervals, and recovers', async () => {
    const before = (await get(`${exporter.base}/metrics`)).body;
    assert.equal(sampleValue(before, 'porttop_collect_errors_total'), 0);

    inServeMounts(exporter.pid, ['mount', '-t', 'tmpfs', 'porttop-fault', FAULT_PATH]);
    faulted = true;
    // a collection already under way may still finish well; the data of the first failure is the last good one
    const good = await waitFor('the first failed collection', async () => {
      const body = (await get(`${exporter.base}/metrics`)).body;
      return sampleValue(body, 'porttop_collect_errors_total')! >= 1 ? body : undefined;
    }, 5_000, 50);
    const goodStamp = sampleValue(good, 'porttop_last_collect_timestamp_seconds')!;
    const goodSize = sampleValue(good, 'porttop_dynamic_range_ports{proto="tcp",family="ipv4"}')!;
    assert.ok(goodSize > 0);
    await new Promise((resolve) => setTimeout(resolve, STALE_AFTER_INTERVALS * INTERVAL_SECONDS * 1000 + 300));
    const health = await get(`${exporter.base}/healthz`);
    assert.equal(health.status, 503, health.body);
    assert.match(health.body, /the last collection failed: cannot read \/proc\/sys\/net\/ipv4\/ip_local_port_range/);
    const stale = (await get(`${exporter.base}/metrics`)).body;
    assert.ok(sampleValue(stale, 'porttop_collect_errors_total')! >= 3, stale);
    // the last good data, unchanged, more than 3 intervals old
    assert.equal(sampleValue(stale, 'porttop_last_collect_timestamp_seconds'), goodStamp);
    assert.ok(Date.now() / 1000 - goodStamp > STALE_AFTER_INTERVALS * INTERVAL_SECONDS);
    assert.equal(sampleValue(stale, 'porttop_dynamic_range_ports{proto="tcp",family="ipv4"}'), goodSize);
    assert.equal(sampleValue(stale, 'porttop_verdict{verdict="ok"}'), sampleValue(good, 'porttop_verdict{verdict="ok"}'));
    assert.match(exporter.stderr(), /collection failed, serving the last good one: cannot read/);
    const errorsThen = sampleValue(stale, 'porttop_collect_errors_total')!;
    await waitFor('the errors counter to rise', async () => {
      const now = sampleValue((await get(`${exporter.base}/metrics`)).body, 'porttop_collect_errors_total')!;
      return now > errorsThen ? true : undefined;
    }, 5_000);

    inServeMounts(exporter.pid, ['umount', FAULT_PATH]);
    faulted = false;
    await waitFor('healthy again', async () => ((await get(`${exporter.base}/healthz`)).status === 200 ? true : undefined), 5_000);
    const recovered = (await get(`${exporter.base}/metrics`)).body;
    assert.ok(sampleValue(recovered, 'porttop_last_collect_timestamp_seconds')! > goodStamp);
  });
});

describe('Collector health over time (real Linux backend, in-process)', { skip: process.platform !== 'linux' && 'needs Linux' }, () => {
  it('200 while fresh; 503 once the last good collection is older than 3 intervals; 503 before the first', async () => {
    const backend = new LinuxBackend();
    const runtime: Runtime = { openBackend: async () => backend, stdout: () => {}, stderr: () => {}, isInteractive: false, exitCode: 0 };
    let collected = 0;
    const intervalMs = 60_000;
    const collector = new Collector(backend, runtime, intervalMs, { collected: () => void collected++, failed: (error) => assert.fail(String(error)) });
    assert.deepEqual(collector.health(), { ok: false, ageSeconds: null, problem: 'no collection finished yet' });
    collector.start();
    await waitFor('a collection', async () => (collected > 0 ? true : undefined), 10_000, 20);
    await collector.stop();
    const now = Date.now();
    assert.equal(collector.health(now).ok, true);
    assert.equal(collector.health(now + STALE_AFTER_INTERVALS * intervalMs - 1_000).ok, true);
    const stale = collector.health(now + STALE_AFTER_INTERVALS * intervalMs + 1_000);
    assert.equal(stale.ok, false);
    assert.match(stale.problem!, /older than 3 intervals \(180 s\)/);
    assert.equal(collected, 1, 'stop() ended the loop before a second collection');
    await backend.close();
  });
});
