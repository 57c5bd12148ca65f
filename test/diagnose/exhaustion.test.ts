// Real exhaustion: in a private network namespace the range is cut to 300 ports and a child connects to
// a loopback listener until connect() fails with EADDRNOTAVAIL. `porttop diagnose` must say so, name
// the child and the listener, and its stop-gap must really bring connections back.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { NODE_PROCESS_NAME, startHolder, type Holder } from '../helpers/children.js';
import { runBin } from '../helpers/cli.js';
import { NetNamespace } from '../helpers/netns.js';
import { parseRangeValues } from '../../src/core/validate.js';
import { exhaustingClientSource, LISTEN_PORT, listenerSource } from './sources.js';

const skip = NetNamespace.available() ? false : 'needs root and iproute2 (ip netns) for a private network namespace';

describe('diagnose on a really exhausted namespace', { skip }, () => {
  let ns: NetNamespace;
  let server: Holder;
  let client: Holder<{ opened: number; failure: string | null }>;

  before(async () => {
    ns = NetNamespace.create();
    const set = runBin(['range', 'set', '--start', '40000', '--num', '300'], ns.prefix);
    assert.equal(set.code, 0, set.stderr);
    assert.equal(ns.readPortRange(), '40000 40299');
    server = await startHolder(listenerSource(), { prefix: ns.prefix });
    client = await startHolder(exhaustingClientSource(2000), { prefix: ns.prefix, timeoutMs: 30_000 });
  });

  after(async () => {
    await client?.stop();
    await server?.stop();
    ns?.destroy();
  });

  it('the child really ran out: connect() failed with EADDRNOTAVAIL after about 300 connections', () => {
    assert.equal(client.data.failure, 'EADDRNOTAVAIL');
    assert.ok(client.data.opened >= 290 && client.data.opened <= 300, String(client.data.opened));
  });

  it('--json says exhausted, names the child first with about 300 ports and the listener as worst destination', () => {
    const run = runBin(['diagnose', '--json'], ns.prefix);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.verdict, 'exhausted');
    const tcp4 = report.usage.find((range: { protocol: string; family: string }) => range.protocol === 'tcp' && range.family === 'ipv4');
    assert.deepEqual(
      { start: tcp4.start, count: tcp4.count, verdict: tcp4.verdict, judgedBy: tcp4.judgedBy },
      { start: 40000, count: 300, verdict: 'exhausted', judgedBy: 'destination' },
    );
    assert.ok(tcp4.inUse >= 290, String(tcp4.inUse));
    assert.ok(tcp4.percent >= 95, String(tcp4.percent));
    assert.ok(tcp4.byState.ESTABLISHED >= 290, JSON.stringify(tcp4.byState));
    assert.equal(tcp4.worstDestination.remoteAddress, '127.0.0.1');
    assert.equal(tcp4.worstDestination.remotePort, LISTEN_PORT);
    assert.ok(tcp4.worstDestination.ports >= 290);
    const [first] = report.culprits;
    assert.equal(first.pid, client.pid);
    assert.equal(first.processName, NODE_PROCESS_NAME);
    assert.ok(first.ephemeralPorts >= 290 && first.ephemeralPorts <= 300, String(first.ephemeralPorts));
    assert.ok(first.established >= 290);
    for (const field of ['timeWait', 'closeWait', 'bound', 'handles', 'inferredTimeWait']) assert.ok(field in first, field);
    assert.equal(report.events, null, 'Linux has no System log');
    assert.ok(report.evidence.some((line: string) => line.includes(`127.0.0.1:${LISTEN_PORT}`)));
    assert.ok(report.advice.length >= 3);
  });

  it('--fail-on exhausted and --fail-on warning exit 1; the human report names the culprit and the stop-gap', () => {
    assert.equal(runBin(['diagnose', '--json', '--fail-on', 'exhausted'], ns.prefix).code, 1);
    const human = runBin(['diagnose', '--fail-on', 'warning'], ns.prefix);
    assert.equal(human.code, 1, human.stderr);
    assert.match(human.stdout, /^verdict: EXHAUSTED/);
    assert.match(human.stdout, new RegExp(`PID ${client.pid} \\(${NODE_PROCESS_NAME}\\) holds \\d+ ephemeral ports`));
    assert.match(human.stdout, /temporary/);
    assert.doesNotMatch(human.stdout, /reboot/i);
    const command = /`(porttop range set --start (\d+) --num (\d+))`/.exec(human.stdout);
    assert.ok(command, human.stdout);
    assert.deepEqual(parseRangeValues(command[2], command[3]), { start: 32768, count: 28232 });
  });

  it('the suggested stop-gap, run as printed, lets a new connection through and the verdict drops', async () => {
    const report = JSON.parse(runBin(['diagnose', '--json'], ns.prefix).stdout);
    const args = (report.stopGap.command as string).split(' ').slice(1);
    const applied = runBin(args, ns.prefix);
    assert.equal(applied.code, 0, applied.stderr);
    const probe = await startHolder(
      `import net from 'node:net';
       const socket = net.connect({ host: '127.0.0.1', port: ${LISTEN_PORT} });
       socket.once('connect', () => ready({ connected: true }));
       socket.once('error', (error) => ready({ connected: false, code: error.code }));
       setInterval(() => {}, 1000);`,
      { prefix: ns.prefix },
    );
    try {
      assert.deepEqual(probe.data, { connected: true });
      const afterwards = runBin(['diagnose', '--json', '--fail-on', 'warning'], ns.prefix);
      assert.equal(afterwards.code, 0, afterwards.stdout);
      assert.equal(JSON.parse(afterwards.stdout).verdict, 'ok');
    } finally {
      await probe.stop();
    }
  });
});
