// Windows only (PORTTOP_REQUIRE_WINDOWS=1; the CI jobs for PowerShell 7 and Windows PowerShell 5.1):
// the IP Helper path against Get-NetTCPConnection on the real OS, a listener with a non-ASCII name,
// diagnose, excluded ranges and events, and the RpcSs svchost on port 135 refused by kill.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { PowerShellSession } from '../../src/ps/session.js';
import { startHolder } from '../helpers/children.js';
import { runBin } from '../helpers/cli.js';
import { requireWindows } from './pwsh.js';

const LISTENERS = `import net from 'node:net'; import dgram from 'node:dgram';
const four = net.createServer().listen(0, '127.0.0.1', () => {
  const six = net.createServer().listen(0, '::1', () => {
    const udp = dgram.createSocket('udp4'); udp.bind(0, '127.0.0.1', () => ready([four.address().port, six.address().port, udp.address().port]));
  });
});`;

type Row = unknown[] | { localAddress: string; localPort: number; state?: string; pid: number };

function key(protocol: string, row: Row): string {
  if (Array.isArray(row)) return protocol === 'tcp' ? `tcp ${row[0]} ${row[1]} ${row[4]} ${row[5]}` : `udp ${row[0]} ${row[1]} ${row[2]}`;
  return protocol === 'tcp' ? `tcp ${row.localAddress} ${row.localPort} ${row.state} ${row.pid}` : `udp ${row.localAddress} ${row.localPort} ${row.pid}`;
}

describe('the real Windows (PORTTOP_REQUIRE_WINDOWS=1)', () => {
  test('the IP Helper path and Get-NetTCPConnection see the same listeners and UDP socket (ports, states, PIDs)', async (t) => {
    if (!requireWindows(t)) return;
    const holder = await startHolder<[number, number, number]>(LISTENERS);
    const session = new PowerShellSession({ timeoutMs: 120_000, startTimeoutMs: 120_000 });
    try {
      const ports = holder.data;
      const ipHelper = await session.call<{ source: string; tcp: Row[]; udp: Row[] }>('Get-PortTopSnapshot', { LocalPort: ports, Source: 'IpHelper' });
      const cmdlets = await session.call<{ source: string; tcp: Row[]; udp: Row[] }>('Get-PortTopSnapshot', { LocalPort: ports, Source: 'Cmdlets' });
      assert.deepEqual([ipHelper.source, cmdlets.source], ['iphelper', 'cmdlets']);
      const seen = (data: { tcp: Row[]; udp: Row[] }) => [...data.tcp.map((row) => key('tcp', row)), ...data.udp.map((row) => key('udp', row))].sort();
      assert.deepEqual(seen(ipHelper), seen(cmdlets));
      assert.ok(seen(ipHelper).includes(`tcp 127.0.0.1 ${ports[0]} LISTEN ${holder.pid}`), seen(ipHelper).join('\n'));
      assert.ok(seen(ipHelper).includes(`tcp ::1 ${ports[1]} LISTEN ${holder.pid}`), seen(ipHelper).join('\n'));
      assert.ok(seen(ipHelper).includes(`udp 127.0.0.1 ${ports[2]} ${holder.pid}`), seen(ipHelper).join('\n'));
    } finally {
      await session.close();
      await holder.stop();
    }
  });

  test('a listener whose executable is named in Cyrillic: who --json gives the exact name', async (t) => {
    if (!requireWindows(t)) return;
    const dir = mkdtempSync(join(tmpdir(), 'porttop-name-'));
    const exe = join(dir, 'сервер.exe');
    copyFileSync(process.execPath, exe);
    const holder = await startHolder<[number, number, number]>(LISTENERS, { node: exe });
    try {
      const run = runBin(['who', String(holder.data[0]), '--json']);
      assert.equal(run.code, 0, run.stderr);
      const rows = JSON.parse(run.stdout) as { pid: number; processName: string }[];
      assert.ok(rows.some((row) => row.pid === holder.pid && row.processName === 'сервер'), run.stdout);
    } finally {
      await holder.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('diagnose --json, excluded ranges and Tcpip events read without error', async (t) => {
    if (!requireWindows(t)) return;
    const run = runBin(['diagnose', '--json']);
    assert.ok(run.code !== 2 && run.code !== 4, `exit ${run.code}: ${run.stderr}`);
    assert.equal(typeof JSON.parse(run.stdout), 'object');
    const session = new PowerShellSession({ timeoutMs: 120_000, startTimeoutMs: 120_000 });
    try {
      assert.ok(Array.isArray(await session.call('Get-ExcludedPortRanges')));
      const events = await session.call<{ counts: Record<string, number> }>('Get-PortExhaustionEvents', { Since: new Date(Date.now() - 86_400_000).toISOString() });
      assert.deepEqual(Object.keys(events.counts).sort(), ['4227', '4231', '4266']);
    } finally {
      await session.close();
    }
  });

  test('port 135: who names the svchost hosting RpcSs; kill --dry-run refuses it and names the service', (t) => {
    if (!requireWindows(t)) return;
    const who = runBin(['who', '135', '--json']);
    assert.equal(who.code, 0, who.stderr);
    const rows = JSON.parse(who.stdout) as { pid: number; processName: string; holders?: { services?: { name: string }[] }[] }[];
    const listener = rows.find((row) => row.processName === 'svchost');
    assert.ok(listener, who.stdout);
    const services = (listener.holders ?? []).flatMap((holder) => holder.services ?? []).map((service) => service.name);
    assert.ok(services.includes('RpcSs') || services.includes('RpcEptMapper'), `services: ${services.join(', ')}`);
    const kill = runBin(['kill', '135', '--dry-run']);
    const text = `${kill.stdout}\n${kill.stderr}`;
    assert.match(text, /refus/i, text);
    assert.match(text, /RpcSs|RpcEptMapper/, text);
    const alive = spawnSync('tasklist', ['/FI', `PID eq ${listener.pid}`, '/NH'], { encoding: 'utf8' });
    assert.match(alive.stdout, /svchost/i, 'the svchost still runs');
  });
});
