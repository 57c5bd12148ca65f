// The built bin: `porttop serve` answers /metrics, /healthz and / from its last collection, refuses bad
// input with one line and exit 2, names the holder of a busy port, and stops cleanly on signals.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { NODE_PROCESS_NAME, startHolder, type Holder } from '../helpers/children.js';
import { runBin } from '../helpers/cli.js';
import { get, sampleValue, startExporter, waitFor, type RunningExporter } from './exporter.js';

const LINUX = process.platform === 'linux';
const promtoolMissing = spawnSync('promtool', ['--version']).status !== 0;

/** Every metric the issue names, with its type. */
const ISSUE_METRICS: [string, string][] = [
  ['porttop_dynamic_range_ports', 'gauge'],
  ['porttop_dynamic_range_usable_ports', 'gauge'],
  ['porttop_ephemeral_ports_in_use', 'gauge'],
  ['porttop_ephemeral_usage_ratio', 'gauge'],
  ['porttop_destination_ephemeral_ports', 'gauge'],
  ['porttop_sockets', 'gauge'],
  ['porttop_process_sockets', 'gauge'],
  ['porttop_process_ephemeral_ports', 'gauge'],
  ['porttop_process_handles', 'gauge'],
  ['porttop_verdict', 'gauge'],
  ['porttop_exhaustion_eta_seconds', 'gauge'],
  ['porttop_exhaustion_events_total', 'counter'],
  ['porttop_collect_duration_seconds', 'gauge'],
  ['porttop_collect_errors_total', 'counter'],
  ['porttop_last_collect_timestamp_seconds', 'gauge'],
];

describe('porttop serve input checks (exit 2, one line, nothing started)', () => {
  for (const [args, bad] of [
    [['--listen', 'abc'], "'abc'"],
    [['--listen', ':99999'], "':99999'"],
    [['--listen', '1.2.3.4.5:80'], "'1.2.3.4.5:80'"],
    [['--listen', '127.0.0.1:65536'], "'127.0.0.1:65536'"],
    [['--listen', '[::1:9465'], "'[::1:9465'"],
    [['--listen', ':9465'], "':9465'"],
    [['--interval', '0'], "--interval '0'"],
    [['--interval', 'soon'], "--interval 'soon'"],
    [['--top', '0'], "--top '0'"],
    [['--top', '101'], "--top '101'"],
  ] as const) {
    it(`${args.join(' ')}`, () => {
      const run = runBin(['serve', ...args]);
      assert.equal(run.code, 2, run.stderr);
      assert.equal(run.stdout, '');
      const lines = run.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, run.stderr);
      assert.ok(lines[0]!.includes(bad), lines[0]);
      assert.match(lines[0]!, /expected/);
    });
  }
});

describe('porttop serve on a loopback port', { skip: !LINUX && 'needs Linux /proc' }, () => {
  let exporter: RunningExporter;

  before(async () => {
    exporter = await startExporter(['--interval', '0.5', '--top', '3']);
    await waitFor('a first collection', async () => ((await get(`${exporter.base}/healthz`)).status === 200 ? true : undefined));
  });

  after(async () => {
    await exporter?.stop('SIGKILL');
  });

  it('/metrics: every metric of the issue with HELP and TYPE, in the Prometheus text format', async () => {
    const scrape = await get(`${exporter.base}/metrics`);
    assert.equal(scrape.status, 200);
    assert.equal(scrape.contentType, 'text/plain; version=0.0.4; charset=utf-8');
    for (const [name, type] of ISSUE_METRICS) {
      assert.match(scrape.body, new RegExp(`^# HELP ${name} \\S.{20,}$`, 'm'), name);
      assert.match(scrape.body, new RegExp(`^# TYPE ${name} ${type}$`, 'm'), name);
    }
    // prom-client's default process metrics are there too
    assert.ok(sampleValue(scrape.body, 'process_resident_memory_bytes')! > 0);
    // the range of this machine, read from /proc, and a one-hot verdict
    const [low, high] = spawnSync('cat', ['/proc/sys/net/ipv4/ip_local_port_range'], { encoding: 'utf8' }).stdout.trim().split(/\s+/).map(Number);
    assert.equal(sampleValue(scrape.body, 'porttop_dynamic_range_ports{proto="tcp",family="ipv4"}'), high! - low! + 1);
    const verdicts = ['ok', 'warning', 'exhausted'].map((verdict) => sampleValue(scrape.body, `porttop_verdict{verdict="${verdict}"}`));
    assert.equal(verdicts.filter((value) => value === 1).length, 1, JSON.stringify(verdicts));
    assert.equal(verdicts.filter((value) => value === 0).length, 2, JSON.stringify(verdicts));
  });

  it('the exporter sees its own listening socket under its own PID', async () => {
    const { body } = await get(`${exporter.base}/metrics`);
    const own = new RegExp(`^porttop_process_sockets\\{pid="${exporter.pid}",process="${NODE_PROCESS_NAME}",state="LISTEN"\\} ([0-9]+)$`, 'm').exec(body);
    // the top 3 are ranked by ephemeral ports; on a busy machine the exporter may not be among them
    if (own) assert.ok(Number(own[1]) >= 1);
    assert.ok(sampleValue(body, 'porttop_sockets{proto="tcp",family="ipv4",state="LISTEN"}')! >= 1);
  });

  it('--top bounds the process and destination series', async () => {
    const { body } = await get(`${exporter.base}/metrics`);
    const pids = new Set([...body.matchAll(/^porttop_process_ephemeral_ports\{pid="(\d+)"/gm)].map((match) => match[1]));
    assert.ok(pids.size <= 6, `top 3 by ephemeral ports plus top 3 by CLOSE_WAIT at most, got ${pids.size}`);
    const destinations = [...body.matchAll(/^porttop_destination_ephemeral_ports\{/gm)].length;
    assert.ok(destinations <= 3, String(destinations));
  });

  it('a scrape never collects: two scrapes between collections are identical in porttop_last_collect_timestamp_seconds', async () => {
    // collections every 0.5 s; scrape twice at once and compare the timestamps
    const [a, b] = await Promise.all([get(`${exporter.base}/metrics`), get(`${exporter.base}/metrics`)]);
    const stampA = sampleValue(a.body, 'porttop_last_collect_timestamp_seconds');
    const stampB = sampleValue(b.body, 'porttop_last_collect_timestamp_seconds');
    assert.ok(stampA! > 0);
    assert.ok(Math.abs(stampA! - stampB!) < 1);
    // and collections go on by themselves
    await waitFor('a newer collection', async () => {
      const later = sampleValue((await get(`${exporter.base}/metrics`)).body, 'porttop_last_collect_timestamp_seconds')!;
      return later > stampA! ? true : undefined;
    }, 5_000);
  });

  it('/healthz: 200 with the age of the last good collection', async () => {
    const health = await get(`${exporter.base}/healthz`);
    assert.equal(health.status, 200);
    assert.match(health.body, /^ok: last good collection \d+\.\d s ago\n$/);
  });

  it('/: a short HTML page linking /metrics and /healthz; other paths 404, other methods 405', async () => {
    const index = await get(`${exporter.base}/`);
    assert.equal(index.status, 200);
    assert.match(index.contentType!, /^text\/html/);
    assert.match(index.body, /href="metrics"/);
    assert.match(index.body, /href="healthz"/);
    assert.equal((await get(`${exporter.base}/nothing`)).status, 404);
    assert.equal((await fetch(`${exporter.base}/metrics`, { method: 'POST' })).status, 405);
  });

  it('promtool check metrics on a real scrape: porttop\'s own metrics pass; only prom-client\'s default ones are flagged', { skip: promtoolMissing && 'needs promtool' }, async () => {
    const { body } = await get(`${exporter.base}/metrics`);
    const whole = spawnSync('promtool', ['check', 'metrics'], { input: body, encoding: 'utf8' });
    const findings = `${whole.stdout}${whole.stderr}`.trim().split('\n').filter(Boolean);
    for (const finding of findings) assert.match(finding, /^nodejs_/, `a finding about porttop's own metrics: ${finding}`);
    const own = body.split('\n').filter((line) => /^(# (HELP|TYPE) )?porttop_/.test(line)).join('\n') + '\n';
    assert.ok(own.split('\n').length > 40);
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: own, encoding: 'utf8' });
    assert.equal(lint.status, 0, `${lint.stdout}${lint.stderr}`);
  });
});

describe('porttop serve start and stop', { skip: !LINUX && 'needs Linux /proc' }, () => {
  let holder: Holder<{ port: number }> | undefined;
  after(async () => holder?.stop());

  it('a busy port: exit 2 with one line naming the holder\'s PID, found with porttop\'s own lookup', async () => {
    holder = await startHolder<{ port: number }>(
      `import net from 'node:net';
       const server = net.createServer().listen(0, '127.0.0.1', () => ready({ port: server.address().port }));`,
    );
    const run = runBin(['serve', '--listen', `127.0.0.1:${holder.data.port}`]);
    assert.equal(run.code, 2, run.stderr);
    assert.equal(run.stdout, '');
    assert.equal(run.stderr.trimEnd().split('\n').length, 1, run.stderr);
    assert.match(run.stderr, new RegExp(`port ${holder.data.port} is in use by PID ${holder.pid} \\(${NODE_PROCESS_NAME}\\)`));
  });

  it('--listen [::1]:0 serves over IPv6 loopback', async () => {
    const exporter = await startExporter(['--listen', '[::1]:0', '--interval', '0.5']);
    try {
      assert.match(exporter.base, /^http:\/\/\[::1\]:\d+$/);
      const health = await waitFor('healthy over IPv6', async () => {
        const answer = await get(`${exporter.base}/healthz`);
        return answer.status === 200 ? answer : undefined;
      });
      assert.match(health.body, /^ok/);
    } finally {
      assert.deepEqual(await exporter.stop('SIGINT'), { code: 0, signal: null });
    }
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} stops it cleanly: exit 0, the port is free again`, async () => {
      const exporter = await startExporter(['--interval', '0.5']);
      await waitFor('a first collection', async () => ((await get(`${exporter.base}/healthz`)).status === 200 ? true : undefined));
      // a scraper holding a keep-alive connection must not hold the exit up
      await get(`${exporter.base}/metrics`);
      const started = Date.now();
      const exit = await exporter.stop(signal);
      assert.deepEqual(exit, { code: 0, signal: null }, exporter.stderr());
      assert.ok(Date.now() - started < 5_000, 'stopped within 5 s');
      await assert.rejects(fetch(`${exporter.base}/healthz`));
    });
  }
});
