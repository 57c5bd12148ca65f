// Under Wine, GetExtendedTcpTable / GetExtendedUdpTable answer with this Linux machine's real sockets
// (Wine reads /proc/net), so the snapshot script's IP Helper path runs for real here: its C# helper
// compiled by Add-Type with the Windows .NET, the native calls, the buffer parsing and the JSON, against
// listeners, connections and UDP sockets this test opens. Wine reports no owner: every PID is 0.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Endpoint } from '../../src/core/model.js';
import { parseProcNet, type ProcEndpoint } from '../../src/linux/procnet.js';
import { parseEnvelope, toSnapshot } from '../../src/ps/envelope.js';
import { startHolder, type Holder } from '../helpers/children.js';
import { requireWine, runWinePwsh, scriptCallsSource, WINE_BED, windowsPath, type WineRun } from '../helpers/wine.js';

interface Sockets {
  /** local ports of two listeners (127.0.0.1, ::1) and of the client ends of one connection to each */
  tcp: number[];
  /** local ports of two UDP sockets (127.0.0.1, ::1) */
  udp: number[];
}

const SOCKETS = `
import net from 'node:net';
import dgram from 'node:dgram';
const accepted = [];
const listen = (host) => new Promise((resolve) => { const server = net.createServer((socket) => accepted.push(socket)).listen(0, host, () => resolve(server)); });
const connect = (port, host) => new Promise((resolve) => { const socket = net.connect(port, host, () => resolve(socket)); });
const bind = (type, host) => new Promise((resolve) => { const socket = dgram.createSocket(type); socket.bind(0, host, () => resolve(socket)); });
const l4 = await listen('127.0.0.1');
const l6 = await listen('::1');
const c4 = await connect(l4.address().port, '127.0.0.1');
const c6 = await connect(l6.address().port, '::1');
const u4 = await bind('udp4', '127.0.0.1');
const u6 = await bind('udp6', '::1');
ready({ tcp: [l4.address().port, l6.address().port, c4.localPort, c6.localPort], udp: [u4.address().port, u6.address().port] });
setInterval(() => {}, 1000);
`;

type Row = Pick<Endpoint, 'protocol' | 'family' | 'localAddress' | 'localPort' | 'remoteAddress' | 'remotePort' | 'state'>;

function key(row: Row): string {
  const peer = row.remoteAddress === null ? '' : ` -> ${row.remoteAddress}:${row.remotePort}`;
  return `${row.protocol} ${row.family} ${row.localAddress}:${row.localPort}${peer} ${row.state ?? ''}`;
}

/** The same ports as /proc/net/{tcp,tcp6,udp,udp6} show them, through porttop's Linux parser. */
function procNetRows(ports: ReadonlySet<number>): string[] {
  const rows: ProcEndpoint[] = [];
  for (const [protocol, family, file] of [['tcp', 'ipv4', 'tcp'], ['tcp', 'ipv6', 'tcp6'], ['udp', 'ipv4', 'udp'], ['udp', 'ipv6', 'udp6']] as const) {
    parseProcNet({ protocol, family, text: readFileSync(`/proc/net/${file}`, 'utf8') }, { into: rows, localPorts: ports });
  }
  return rows.map((row) => key({ ...row, remoteAddress: row.remotePort ? row.remoteAddress : null })).sort();
}

function describeRun(run: WineRun): string {
  return `exit ${run.code}, ${Math.round(run.ms)} ms; stdout: ${run.stdout.toString('utf8').slice(0, 800)}; stderr: ${run.stderr.slice(0, 800)}`;
}

describe('under Wine: Get-PortTopSnapshot.ps1 through the IP Helper API', { timeout: 480_000 }, () => {
  let holder: Holder<Sockets> | null = null;
  let cacheDir = '';

  before(async () => {
    if (WINE_BED === null) return;
    holder = await startHolder<Sockets>(SOCKETS);
    // a fresh cache folder: the first run must compile, the second load what the first wrote
    cacheDir = mkdtempSync(join(tmpdir(), 'porttop-wine-cache-'));
  });

  after(async () => {
    await holder?.stop();
    if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
  });

  async function snapshotRun(bed: NonNullable<ReturnType<typeof requireWine>>, ports: number[]): Promise<{ run: WineRun; data: Record<string, unknown> }> {
    const run = await runWinePwsh(bed, scriptCallsSource([{ script: 'Get-PortTopSnapshot', parameters: { LocalPort: ports, Source: 'IpHelper' } }]), {
      env: { PORTTOP_CACHE_DIR: windowsPath(cacheDir) },
    });
    assert.equal(run.lines.length, 1, describeRun(run));
    assert.ok([...run.stdout].every((byte) => byte < 0x80), 'ASCII only');
    return { run, data: parseEnvelope(run.lines[0]!, 'Get-PortTopSnapshot') as Record<string, unknown> };
  }

  let firstRows: string[] = [];
  let dllStat: { name: string; mtimeMs: number } | null = null;

  test('the first run compiles the helper into the cache and reads the same rows /proc/net shows, owners unknown', async (t) => {
    const bed = requireWine(t);
    if (!bed) return;
    const sockets = holder!.data;
    const ports = [...sockets.tcp, ...sockets.udp].sort((a, b) => a - b);
    const { run, data } = await snapshotRun(bed, ports);
    t.diagnostic(`pwsh under Wine, compiling: ${Math.round(run.ms)} ms`);
    assert.equal(data.source, 'iphelper', describeRun(run));
    assert.equal(data.ipHelperLoad, 'compiled');

    const snapshot = toSnapshot(data, new Date().toISOString());
    firstRows = snapshot.endpoints.map(key).sort();
    assert.deepEqual(firstRows, procNetRows(new Set(ports)), 'the same endpoints, addresses and states as /proc/net');
    // what this test opened, spelled out: 2 listeners, 2 connections seen from both ends, 2 UDP sockets
    const states = snapshot.endpoints.map((endpoint) => `${endpoint.protocol} ${endpoint.family} ${endpoint.state ?? '-'}`).sort();
    assert.deepEqual(states, [
      'tcp ipv4 ESTABLISHED', 'tcp ipv4 ESTABLISHED', 'tcp ipv4 LISTEN',
      'tcp ipv6 ESTABLISHED', 'tcp ipv6 ESTABLISHED', 'tcp ipv6 LISTEN',
      'udp ipv4 -', 'udp ipv6 -',
    ]);
    // Wine reports owner 0 (as Windows does for TIME_WAIT), which porttop reads as no owner
    const rawPids = [...(data.tcp as unknown[][]), ...(data.udp as unknown[][])].map((row) => row.at(-1));
    assert.deepEqual(rawPids, rawPids.map(() => 0));
    assert.deepEqual(snapshot.endpoints.map((endpoint) => endpoint.pid), snapshot.endpoints.map(() => null));

    const files = readdirSync(cacheDir);
    const dlls = files.filter((file) => /^PortTopIpHelper-[0-9a-f]+\.dll$/.test(file));
    assert.equal(dlls.length, 1, `one compiled assembly in the cache: ${files.join(', ')}`);
    assert.deepEqual(files.filter((file) => file.endsWith('.tmp')), [], 'no half-written file left');
    dllStat = { name: dlls[0]!, mtimeMs: statSync(join(cacheDir, dlls[0]!)).mtimeMs };
  });

  test('the second run loads the cached helper instead of compiling, and reads the same rows', async (t) => {
    const bed = requireWine(t);
    if (!bed) return;
    assert.ok(dllStat, 'the first run cached the helper');
    const sockets = holder!.data;
    const ports = [...sockets.tcp, ...sockets.udp].sort((a, b) => a - b);
    const { run, data } = await snapshotRun(bed, ports);
    t.diagnostic(`pwsh under Wine, cached helper: ${Math.round(run.ms)} ms`);
    assert.equal(data.source, 'iphelper', describeRun(run));
    assert.equal(data.ipHelperLoad, 'cached');
    assert.deepEqual(toSnapshot(data, new Date().toISOString()).endpoints.map(key).sort(), firstRows);
    assert.deepEqual(readdirSync(cacheDir), [dllStat.name], 'nothing new written');
    assert.equal(statSync(join(cacheDir, dllStat.name)).mtimeMs, dllStat.mtimeMs, 'the assembly was not rewritten');
  });
});
