// porttop why on real sockets: a held port, a dual-stack conflict, TIME_WAIT only, a privileged port as
// an unprivileged user and a narrowed dynamic range (both in private network namespaces), a free port.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { WhyReport } from '../../src/core/why.js';
import { LinuxBackend } from '../../src/linux/backend.js';
import { NODE_PROCESS_NAME, startHolder, type Holder } from '../helpers/children.js';
import { runBin, runCli } from '../helpers/cli.js';
import { NetNamespace } from '../helpers/netns.js';
import { listenSnippet, TIME_WAIT_SNIPPET } from '../helpers/sockets.js';

const linuxOnly = process.platform !== 'linux' && 'reads /proc';
const netnsSkip = linuxOnly || (!NetNamespace.available() && 'needs root and iproute2 for a private network namespace');
const holders: Holder[] = [];
after(async () => Promise.all(holders.map((holder) => holder.stop())));

async function why(args: string[]): Promise<{ code: number; report: WhyReport; stderr: string }> {
  const run = await runCli(['why', ...args, '--json']);
  return { code: run.code, report: JSON.parse(run.stdout) as WhyReport, stderr: run.stderr };
}

describe('why on real sockets', { skip: linuxOnly }, () => {
  it('a held port: exit 1, the holder named by PID with the command that frees it', async () => {
    const holder = await startHolder<{ port: number }>(listenSnippet('127.0.0.1'));
    holders.push(holder);
    const { code, report } = await why([`:${holder.data.port}`, '--host', '127.0.0.1']);
    assert.equal(code, 1);
    assert.equal(report.bindable, false);
    assert.equal(report.reasons[0]!.kind, 'held');
    assert.match(report.reasons[0]!.detail, new RegExp(`PID ${holder.pid} ${NODE_PROCESS_NAME} holds TCP 127\\.0\\.0\\.1:${holder.data.port} LISTEN`));
    assert.match(report.reasons[0]!.fix!, new RegExp(`porttop kill ${holder.data.port}`));
    const text = await runCli(['why', String(holder.data.port), '--host', '127.0.0.1']);
    assert.match(text.stdout, /cannot be bound\n {2}held: PID/);
  });

  it('a v4/v6 conflict: a dual-stack [::] listener blocks 127.0.0.1, and 0.0.0.0 blocks [::]', async () => {
    const v6 = await startHolder<{ port: number }>(listenSnippet('::', 'ipv6Only: false'));
    holders.push(v6);
    const { code, report } = await why([String(v6.data.port), '--host', '127.0.0.1']);
    assert.equal(code, 1);
    const conflict = report.reasons.find((reason) => reason.kind === 'address-conflict');
    assert.ok(conflict, JSON.stringify(report));
    assert.match(conflict.detail, new RegExp(`PID ${v6.pid} .*\\[::\\]:${v6.data.port}.*dual-stack`));

    const v4 = await startHolder<{ port: number }>(listenSnippet('0.0.0.0'));
    holders.push(v4);
    const reverse = await why([String(v4.data.port), '--host', '::']);
    assert.equal(reverse.code, 1);
    assert.match(reverse.report.reasons.find((reason) => reason.kind === 'address-conflict')?.detail ?? '', new RegExp(`PID ${v4.pid} .*0\\.0\\.0\\.0:${v4.data.port}`));
  });

  it('a held UDP port, and the wildcard it blocks', async () => {
    const holder = await startHolder<{ port: number }>(`import { createSocket } from 'node:dgram';
const socket = createSocket('udp4'); socket.bind(0, '127.0.0.1', () => ready({ port: socket.address().port }));`);
    holders.push(holder);
    const held = await why([String(holder.data.port), '--proto', 'udp', '--host', '127.0.0.1']);
    assert.equal(held.code, 1);
    assert.match(held.report.reasons[0]!.detail, new RegExp(`PID ${holder.pid} ${NODE_PROCESS_NAME} holds UDP 127\\.0\\.0\\.1:${holder.data.port}`));
    const wildcard = await why([String(holder.data.port), '--proto', 'udp']);
    assert.equal(wildcard.report.reasons[0]!.kind, 'address-conflict');
    assert.equal((await why([String(holder.data.port), '--proto', 'tcp', '--host', '127.0.0.1'])).code, 0, 'TCP is another port space');
  });

  it('only TIME_WAIT: bindable (SO_REUSEADDR), saying what remains and when it expires', async () => {
    const child = await startHolder<{ port: number }>(TIME_WAIT_SNIPPET);
    await child.stop();
    const { port } = child.data;
    const snapshot = await new LinuxBackend().snapshot({ localPorts: new Set([port]) });
    assert.ok(snapshot.endpoints.some((endpoint) => endpoint.state === 'TIME_WAIT'), 'the child left TIME_WAIT behind');
    const { code, report } = await why([String(port), '--host', '127.0.0.1']);
    assert.equal(code, 0);
    assert.equal(report.bindable, true);
    const timeWait = report.reasons.find((reason) => reason.kind === 'time-wait');
    assert.ok(timeWait, JSON.stringify(report));
    assert.match(timeWait.detail, new RegExp(`TIME_WAIT socket.*127\\.0\\.0\\.1:${port} TIME_WAIT.*within 60 s`));
  });

  it('a simply free port: exit 0, no reasons', async () => {
    const free = await runCli(['free', '--json']);
    const port = (JSON.parse(free.stdout) as { ports: number[] }).ports[0]!;
    const { code, report } = await why([String(port), '--host', '127.0.0.1']);
    assert.equal(code, 0);
    assert.deepEqual(report, { port, host: '127.0.0.1', proto: 'tcp', bindable: true, reasons: [] });
  });

  it('an address that is not on this machine', async () => {
    const { code, report } = await why(['8080', '--host', '192.0.2.1']);
    assert.equal(code, 1);
    assert.equal(report.reasons[0]!.kind, 'address-not-local');
  });

  it('bad input exits 2 with one line', async () => {
    for (const args of [['abc'], ['70000'], ['8000-8001'], ['8080', '--host', 'not-an-address'], ['8080', '--proto', 'sctp']]) {
      const run = await runCli(['why', ...args]);
      assert.equal(run.code, 2, args.join(' '));
      assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
      assert.equal(run.stdout, '');
    }
  });
});

describe('why in a private network namespace', { skip: netnsSkip }, () => {
  it('a privileged port as an unprivileged user names the sysctl and the capability', () => {
    const ns = NetNamespace.create();
    try {
      // the limit is per namespace; set it explicitly so the test does not depend on the host's value
      assert.equal(ns.run('sysctl', ['-qw', 'net.ipv4.ip_unprivileged_port_start=1024']).status, 0);
      const run = runBin(['why', '80', '--host', '127.0.0.1', '--json'], [...ns.prefix, 'setpriv', '--reuid', 'nobody', '--regid', 'nogroup', '--clear-groups']);
      assert.equal(run.code, 1, run.stderr);
      const report = JSON.parse(run.stdout) as WhyReport;
      assert.equal(report.reasons[0]!.kind, 'privileged');
      assert.match(report.reasons[0]!.detail, /below net\.ipv4\.ip_unprivileged_port_start \(1024\).*not root/);
      assert.match(report.reasons[0]!.fix!, /cap_net_bind_service/);
      // and root binds it
      assert.equal(runBin(['why', '80', '--host', '127.0.0.1'], ns.prefix).code, 0);
    } finally {
      ns.destroy();
    }
  });

  it('a port inside a narrowed dynamic range is bindable but flagged, with the range', () => {
    const ns = NetNamespace.create();
    try {
      assert.equal(ns.run('sysctl', ['-qw', 'net.ipv4.ip_local_port_range=20000 20999']).status, 0);
      const run = runBin(['why', '20500', '--host', '127.0.0.1', '--json'], ns.prefix);
      assert.equal(run.code, 0, run.stderr);
      const report = JSON.parse(run.stdout) as WhyReport;
      assert.deepEqual(report.reasons.map((reason) => reason.kind), ['dynamic-range']);
      assert.match(report.reasons[0]!.detail, /inside the dynamic \(ephemeral\) range 20000-20999/);
      const outside = JSON.parse(runBin(['why', '21000', '--host', '127.0.0.1', '--json'], ns.prefix).stdout) as WhyReport;
      assert.deepEqual(outside.reasons, []);
    } finally {
      ns.destroy();
    }
  });
});
