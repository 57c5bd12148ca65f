// End to end with a real Prometheus. In a private network namespace the range is cut to 300 ports; a
// client holds connections to one loopback destination; `porttop serve` (the built bin) exports it and a
// real Prometheus (own config, data dir and port, same namespace) scrapes it every second and evaluates
// a test copy of deploy/prometheus/porttop-rules.yml whose `for:` durations are cut to 2 s (the shipped
// 5 m would make the test wait 5 minutes; the thresholds are the shipped ones). Assertions go through
// Prometheus's HTTP API: /api/v1/query and /api/v1/alerts.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { NODE_PROCESS_NAME, startHolder, type Holder } from '../helpers/children.js';
import { runBin } from '../helpers/cli.js';
import { NetNamespace } from '../helpers/netns.js';
import { LISTEN_PORT, listenerSource } from '../diagnose/sources.js';
import { startExporter, waitFor, type RunningExporter } from './exporter.js';

const RULES = fileURLToPath(new URL('../../deploy/prometheus/porttop-rules.yml', import.meta.url));
const prometheusMissing = spawnSync('prometheus', ['--version']).status !== 0;
const skip = !NetNamespace.available()
  ? 'needs root and iproute2 (ip netns) for a private network namespace'
  : prometheusMissing && !process.env.PORTTOP_REQUIRE_PROMETHEUS
    ? 'needs prometheus (apt-get install prometheus; .ci/run installs it)'
    : false;

/** Inside a private namespace nothing else listens, so a fixed port cannot collide. */
const PROMETHEUS_PORT = 9090;
/** Outside the narrowed range, so the exporter's own accepted scrape connections take none of its ports. */
const EXPORTER_PORT = 9465;
const RANGE_START = 40000;
const RANGE_SIZE = 300;

/** A client that opens `count` connections to the namespace's listener one by one (bounded) and holds them. */
function holdingClientSource(count: number): string {
  return `
import net from 'node:net';
const sockets = [];
const deadline = Date.now() + 20000;
while (sockets.length < ${count} && Date.now() < deadline) {
  sockets.push(await new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port: ${LISTEN_PORT} });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  }));
}
ready({ opened: sockets.length });
setInterval(() => {}, 1000);
`;
}

interface PromVector {
  metric: Record<string, string>;
  value: [number, string];
}

describe('porttop serve scraped by a real Prometheus in a private namespace', { skip }, () => {
  let ns: NetNamespace;
  let scratch: string;
  let listener: Holder;
  const clients: Holder<{ opened: number }>[] = [];
  let exporter: RunningExporter;
  let prometheus: ChildProcess;
  let prometheusLog = '';

  /** GET inside the namespace (the test runs outside it), through a short node child. */
  function nsGet(path: string): unknown {
    const url = `http://127.0.0.1:${PROMETHEUS_PORT}${path}`;
    const run = ns.run(process.execPath, ['-e', `fetch(${JSON.stringify(url)}).then((r) => r.text()).then((t) => process.stdout.write(t), (e) => { console.error(String(e)); process.exit(1); })`]);
    if (run.status !== 0) throw new Error(`GET ${path} failed: ${run.stderr}`);
    return JSON.parse(run.stdout);
  }

  function query(promql: string): PromVector[] {
    const answer = nsGet(`/api/v1/query?query=${encodeURIComponent(promql)}`) as { status: string; data: { resultType: string; result: PromVector[] } };
    assert.equal(answer.status, 'success');
    assert.equal(answer.data.resultType, 'vector');
    return answer.data.result;
  }

  function firingAlerts(name: string) {
    const answer = nsGet('/api/v1/alerts') as { data: { alerts: { labels: Record<string, string>; state: string; value: string }[] } };
    return answer.data.alerts.filter((alert) => alert.labels.alertname === name && alert.state === 'firing');
  }

  before(async () => {
    ns = NetNamespace.create();
    scratch = mkdtempSync(join(tmpdir(), 'porttop-prometheus-'));
    const set = runBin(['range', 'set', '--start', String(RANGE_START), '--num', String(RANGE_SIZE)], ns.prefix);
    assert.equal(set.code, 0, set.stderr);
    listener = await startHolder(listenerSource(), { prefix: ns.prefix });
    // 150 of 300 ports toward one destination: 50 %, under the warning line
    clients.push(await startHolder(holdingClientSource(150), { prefix: ns.prefix, timeoutMs: 30_000 }));
    exporter = await startExporter(['--listen', `127.0.0.1:${EXPORTER_PORT}`, '--interval', '1', '--top', '5'], ns.prefix);

    const rules = readFileSync(RULES, 'utf8').replace(/for: \d+m/g, 'for: 2s');
    writeFileSync(join(scratch, 'rules.yml'), rules);
    writeFileSync(
      join(scratch, 'prometheus.yml'),
      `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files: [rules.yml]\nscrape_configs:\n  - job_name: porttop\n    static_configs:\n      - targets: ['127.0.0.1:${exporter.port}']\n`,
    );
    const check = spawnSync('promtool', ['check', 'config', join(scratch, 'prometheus.yml')], { encoding: 'utf8' });
    assert.equal(check.status, 0, `${check.stdout}${check.stderr}`);
    prometheus = spawn(
      'ip',
      [
        'netns', 'exec', ns.name, 'prometheus',
        `--config.file=${join(scratch, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(scratch, 'data')}`,
        `--web.listen-address=127.0.0.1:${PROMETHEUS_PORT}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    prometheus.stderr!.on('data', (chunk: Buffer) => (prometheusLog += chunk.toString()));
    await waitFor('Prometheus ready', async () => {
      const run = ns.run(process.execPath, ['-e', `fetch('http://127.0.0.1:${PROMETHEUS_PORT}/-/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`]);
      return run.status === 0 ? true : undefined;
    }, 30_000, 500);
  });

  after(async () => {
    if (prometheus && prometheus.exitCode === null) {
      prometheus.kill('SIGTERM');
      await once(prometheus, 'exit');
    }
    await exporter?.stop('SIGTERM');
    for (const client of clients) await client.stop();
    await listener?.stop();
    ns?.destroy();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('Prometheus scrapes the exporter: up is 1 and the tcp/ipv4 range is the namespace\'s 300 ports', async () => {
    const size = await waitFor('a scraped range size', async () => {
      const result = query('porttop_dynamic_range_ports{job="porttop",proto="tcp",family="ipv4"}');
      return result.length === 1 ? Number(result[0]!.value[1]) : undefined;
    }, 20_000, 500);
    assert.equal(size, RANGE_SIZE, prometheusLog);
    assert.equal(query('up{job="porttop"}')[0]!.value[1], '1');
  });

  it('at 150 of 300 ports: usage ratio 0.5, the client holds 150 ephemeral ports, and no warning fires', async () => {
    const [first] = clients;
    assert.equal(first!.data.opened, 150);
    const ratio = await waitFor('usage 0.5', async () => {
      const value = Number(query('porttop_ephemeral_usage_ratio{proto="tcp",family="ipv4"}')[0]?.value[1]);
      return value === 0.5 ? value : undefined;
    });
    assert.equal(ratio, 0.5);
    const culprit = query(`porttop_process_ephemeral_ports{pid="${first!.pid}"}`);
    assert.equal(culprit.length, 1);
    assert.equal(culprit[0]!.metric.process, NODE_PROCESS_NAME);
    assert.equal(culprit[0]!.value[1], '150');
    const destination = query('topk(1, porttop_destination_ephemeral_ports{proto="tcp",family="ipv4"})');
    assert.equal(destination[0]!.metric.destination, `127.0.0.1:${LISTEN_PORT}`);
    assert.equal(destination[0]!.value[1], '150');
    assert.equal(query('porttop_verdict{verdict="ok"}')[0]!.value[1], '1');
    // several evaluations with usage at 0.5 (rules run every second, for: 2s): nothing fires
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    assert.deepEqual(firingAlerts('PorttopEphemeralPortsLow'), []);
  });

  it('crossing 70 % (a second client adds 90 ports: 240 of 300): ratio 0.8, both culprits exact, the warning fires', async () => {
    const second = await startHolder<{ opened: number }>(holdingClientSource(90), { prefix: ns.prefix, timeoutMs: 30_000 });
    clients.push(second);
    assert.equal(second.data.opened, 90);
    const ratio = await waitFor('usage 0.8', async () => {
      const value = Number(query('porttop_ephemeral_usage_ratio{proto="tcp",family="ipv4"}')[0]?.value[1]);
      return value === 0.8 ? value : undefined;
    });
    assert.equal(ratio, 0.8);
    // in use (not judged) also counts the port of Prometheus's own scrape connection toward the exporter
    const inUse = Number(query('porttop_ephemeral_ports_in_use{proto="tcp",family="ipv4"}')[0]!.value[1]);
    assert.ok(inUse >= 240 && inUse <= 242, String(inUse));
    assert.equal(query(`porttop_process_ephemeral_ports{pid="${clients[0]!.pid}"}`)[0]!.value[1], '150');
    assert.equal(query(`porttop_process_ephemeral_ports{pid="${second.pid}"}`)[0]!.value[1], '90');
    assert.equal(query('porttop_verdict{verdict="warning"}')[0]!.value[1], '1');
    const alerts = await waitFor('PorttopEphemeralPortsLow firing', async () => {
      const firing = firingAlerts('PorttopEphemeralPortsLow');
      return firing.length > 0 ? firing : undefined;
    }, 20_000, 500);
    assert.equal(alerts.length, 1);
    assert.deepEqual(
      { proto: alerts[0]!.labels.proto, family: alerts[0]!.labels.family, severity: alerts[0]!.labels.severity, job: alerts[0]!.labels.job },
      { proto: 'tcp', family: 'ipv4', severity: 'warning', job: 'porttop' },
    );
    assert.equal(Number(alerts[0]!.value), 0.8);
    // 80 % is under the 95 % line
    assert.deepEqual(firingAlerts('PorttopEphemeralPortsExhausted'), []);
  });
});
