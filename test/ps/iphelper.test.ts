// The IP Helper path of Get-PortTopSnapshot.ps1 in a real pwsh: PortTopIpHelper.cs compiled by
// Add-Type here, fed table buffers built from Microsoft's documented layouts (iphelper-tables.ts)
// through its TableSource, since iphlpapi.dll exists only on Windows.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { PowerShellBackend } from '../../src/ps/backend.js';
import { PowerShellScriptError } from '../../src/ps/envelope.js';
import { PowerShellSession, SCRIPTS_DIR } from '../../src/ps/session.js';
import { NODE_PROCESS_NAME, startHolder } from '../helpers/children.js';
import { fakePrelude } from './fake.js';
import { tableSourcePrelude, writeTables, type Tables, type TcpRowSpec, type UdpRowSpec } from './iphelper-tables.js';
import { requirePwsh } from './pwsh.js';

const CACHE = mkdtempSync(join(tmpdir(), 'porttop-iphelper-cache-'));
const made: string[] = [CACHE];
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

interface IpHelperData {
  source: string;
  ipHelperLoad?: string;
  tcp: unknown[];
  udp: unknown[];
  processes: { pid: number; name: string }[];
  warnings: string[];
}

function tablesSession(pwsh: string, tables: Tables, options: { cacheDir?: string; extraPrelude?: string } = {}): PowerShellSession {
  const dir = writeTables(tables);
  made.push(dir);
  return new PowerShellSession({
    executable: pwsh,
    prelude: `${fakePrelude()}\n${tableSourcePrelude(dir)}\n${options.extraPrelude ?? ''}`,
    env: { PORTTOP_CACHE_DIR: options.cacheDir ?? CACHE },
    timeoutMs: 120_000,
    startTimeoutMs: 120_000,
  });
}

async function withTables<T>(pwsh: string, tables: Tables, work: (session: PowerShellSession) => Promise<T>, options: { cacheDir?: string; extraPrelude?: string } = {}): Promise<T> {
  const session = tablesSession(pwsh, tables, options);
  try {
    return await work(session);
  } finally {
    await session.close();
  }
}

const STATE_NAMES = ['CLOSED', 'LISTEN', 'SYN_SENT', 'SYN_RECEIVED', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'CLOSE_WAIT', 'CLOSING', 'LAST_ACK', 'TIME_WAIT', 'DELETE_TCB'];

describe('IP Helper tables (documented layouts, real pwsh, Add-Type)', () => {
  test('recorded layout: 0 rows in all four tables is an empty snapshot from source iphelper', async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    await withTables(pwsh, {}, async (session) => {
      const data = await session.call<IpHelperData>('Get-PortTopSnapshot');
      assert.equal(data.source, 'iphelper');
      assert.deepEqual([data.tcp, data.udp, data.processes], [[], [], []]);
    });
  });

  test('recorded layout: one row per table, states 1-12, IPv6 scope ids, ports with junk in the upper 16 bits', async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    const tcp4: TcpRowSpec[] = STATE_NAMES.map((_, index) => ({ localAddress: '10.1.2.3', localPort: 40000 + index, remoteAddress: '192.168.7.9', remotePort: 443, state: index + 1, pid: 0 }));
    const tcp6: TcpRowSpec[] = [
      { localAddress: 'fe80::1c2d:3e4f:5a6b:7c8d', localScopeId: 12, localPort: 50400, remoteAddress: 'fe80::1:2:3:4', remoteScopeId: 12, remotePort: 445, state: 3, pid: 0 },
      { localAddress: '::', localPort: 135, remoteAddress: '::', remotePort: 0, state: 2, pid: 0 },
      { localAddress: '::ffff:127.0.0.1', localPort: 65535, remoteAddress: '::ffff:127.0.0.1', remotePort: 1, state: 5, pid: 0 },
    ];
    const udp4: UdpRowSpec[] = [{ localAddress: '0.0.0.0', localPort: 500, pid: 0 }];
    const udp6: UdpRowSpec[] = [{ localAddress: 'fe80::182e:1ba9:7b17:351d', localScopeId: 5, localPort: 1900, pid: 0 }];
    await withTables(pwsh, { tcp4, tcp6, udp4, udp6 }, async (session) => {
      const data = await session.call<IpHelperData>('Get-PortTopSnapshot');
      assert.equal(data.source, 'iphelper');
      assert.deepEqual(
        data.tcp.slice(0, 12),
        STATE_NAMES.map((state, index) => ['10.1.2.3', 40000 + index, '192.168.7.9', 443, state, 0]),
      );
      assert.deepEqual(data.tcp.slice(12), [
        ['fe80::1c2d:3e4f:5a6b:7c8d%12', 50400, 'fe80::1:2:3:4%12', 445, 'SYN_SENT', 0],
        ['::', 135, '::', 0, 'LISTEN', 0],
        ['::ffff:127.0.0.1', 65535, '::ffff:127.0.0.1', 1, 'ESTABLISHED', 0],
      ]);
      assert.deepEqual(data.udp, [['0.0.0.0', 500, 0], ['fe80::182e:1ba9:7b17:351d%5', 1900, 0]]);

      // and into the model: families, no peer for a listener, PID 0 as no owner
      const snapshot = await new PowerShellBackend(session).snapshot();
      const listener = snapshot.endpoints.find((endpoint) => endpoint.localPort === 135)!;
      assert.deepEqual([listener.family, listener.state, listener.remoteAddress, listener.remotePort, listener.pid], ['ipv6', 'LISTEN', null, null, null]);
      const udp = snapshot.endpoints.find((endpoint) => endpoint.localPort === 1900)!;
      assert.deepEqual([udp.protocol, udp.family, udp.localAddress, udp.state], ['udp', 'ipv6', 'fe80::182e:1ba9:7b17:351d%5', null]);
      assert.equal(snapshot.endpoints.length, 17);
    });
  });

  test('recorded layout: 30,000 rows parse completely; a port filter is applied in C#; owners are named', async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    const holder = await startHolder(`ready(); setInterval(() => {}, 1000);`);
    try {
      const tcp4: TcpRowSpec[] = Array.from({ length: 20_000 }, (_, i) => ({ localAddress: '10.0.0.1', localPort: 1024 + (i % 60_000), remoteAddress: `10.9.${(i >> 8) & 255}.${i & 255}`, remotePort: 80, state: 5, pid: i === 0 ? holder.pid : 0 }));
      const tcp6: TcpRowSpec[] = Array.from({ length: 5_000 }, (_, i) => ({ localAddress: '2001:db8::1', localPort: 30000 + i, remoteAddress: '2001:db8::2', remotePort: 443, state: 11, pid: 0 }));
      const udp4: UdpRowSpec[] = Array.from({ length: 3_000 }, (_, i) => ({ localAddress: '0.0.0.0', localPort: 50000 + i, pid: 0 }));
      const udp6: UdpRowSpec[] = Array.from({ length: 2_000 }, (_, i) => ({ localAddress: '::', localPort: 60000 + i, pid: 0 }));
      await withTables(pwsh, { tcp4, tcp6, udp4, udp6 }, async (session) => {
        const data = await session.call<IpHelperData>('Get-PortTopSnapshot');
        assert.deepEqual([data.tcp.length, data.udp.length], [25_000, 5_000]);
        assert.deepEqual(data.tcp[19_999], ['10.0.0.1', 1024 + 19_999, '10.9.78.31', 80, 'ESTABLISHED', 0]);
        assert.deepEqual(data.tcp[24_999], ['2001:db8::1', 34_999, '2001:db8::2', 443, 'TIME_WAIT', 0]);
        assert.deepEqual(data.processes.map((row) => [row.pid, row.name]), [[holder.pid, NODE_PROCESS_NAME]]);

        const narrow = await session.call<IpHelperData>('Get-PortTopSnapshot', { LocalPort: [1024, 30001, 60001] });
        assert.deepEqual(narrow.tcp, [
          ['10.0.0.1', 1024, '10.9.0.0', 80, 'ESTABLISHED', holder.pid],
          ['2001:db8::1', 30001, '2001:db8::2', 443, 'TIME_WAIT', 0],
        ]);
        assert.deepEqual(narrow.udp, [['::', 60001, 0]]);
      });
    } finally {
      await holder.stop();
    }
  });

  test('recorded layout: an unknown state number comes through as a number; the model leaves the row out with a warning', async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    const tcp4: TcpRowSpec[] = [{ localAddress: '127.0.0.1', localPort: 7000, remoteAddress: '0.0.0.0', remotePort: 0, state: 13, pid: 0 }];
    await withTables(pwsh, { tcp4 }, async (session) => {
      const data = await session.call<IpHelperData>('Get-PortTopSnapshot');
      assert.deepEqual(data.tcp, [['127.0.0.1', 7000, '0.0.0.0', 0, 13, 0]]);
      const snapshot = await new PowerShellBackend(session).snapshot();
      assert.equal(snapshot.endpoints.length, 0);
      assert.ok(snapshot.warnings.some((warning) => /unknown state '13'/.test(warning)), snapshot.warnings.join('; '));
    });
  });

  test('a table shorter than its row count says is refused (no garbage rows): the cmdlets answer, with the reason as a warning', async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    // a table claiming 3 rows that holds 1: overwrite the file after writing it
    const extraPrelude = `$b = [IO.File]::ReadAllBytes((Join-Path $global:PortTopFakeTableDir 'udp-2.bin')); $b[0] = 3; [IO.File]::WriteAllBytes((Join-Path $global:PortTopFakeTableDir 'udp-2.bin'), $b)`;
    await withTables(
      pwsh,
      { udp4: [{ localAddress: '0.0.0.0', localPort: 53, pid: 0 }] },
      async (session) => {
        const data = await session.call<IpHelperData>('Get-PortTopSnapshot');
        assert.equal(data.source, 'cmdlets');
        assert.ok(data.warnings.some((warning) => /read through Get-NetTCPConnection .*says 3 rows of 12 bytes but holds 16 bytes/.test(warning)), data.warnings.join('; '));
        await assert.rejects(session.call('Get-PortTopSnapshot', { Source: 'IpHelper' }), (error: unknown) => error instanceof PowerShellScriptError && /says 3 rows of 12 bytes but holds 16 bytes/.test(error.message));
      },
      { extraPrelude },
    );
  });

  test('the compiled helper is cached on disk (named by source hash and PowerShell version) and loaded by the next PowerShell', async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    const cacheDir = mkdtempSync(join(tmpdir(), 'porttop-iphelper-fresh-'));
    made.push(cacheDir);
    const first = await withTables(pwsh, {}, (session) => session.call<IpHelperData>('Get-PortTopSnapshot'), { cacheDir });
    assert.equal(first.ipHelperLoad, 'compiled');
    const files = readdirSync(cacheDir);
    assert.equal(files.length, 1, `one assembly, no temporary left: ${files.join(', ')}`);
    assert.match(files[0]!, /^PortTopIpHelper-[0-9a-f]{20}\.dll$/);
    const second = await withTables(pwsh, {}, (session) => session.call<IpHelperData>('Get-PortTopSnapshot'), { cacheDir });
    assert.equal(second.ipHelperLoad, 'cached');
    assert.deepEqual(readdirSync(cacheDir), files);
  });

  test('fallback: without iphlpapi.dll (PowerShell off Windows) the cmdlets answer and source says so; -Source IpHelper names the reason', async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    const tcp = JSON.stringify([{ LocalAddress: '0.0.0.0', LocalPort: 135, RemoteAddress: '0.0.0.0', RemotePort: 0, State: 2, OwningProcess: 0 }]);
    const session = new PowerShellSession({ executable: pwsh, prelude: fakePrelude({ FakeTcp: tcp }), env: { PORTTOP_CACHE_DIR: CACHE }, timeoutMs: 120_000, startTimeoutMs: 120_000 });
    try {
      const data = await session.call<IpHelperData>('Get-PortTopSnapshot');
      assert.equal(data.source, 'cmdlets');
      assert.equal(data.tcp.length, 1);
      await assert.rejects(session.call('Get-PortTopSnapshot', { Source: 'IpHelper' }), (error: unknown) => error instanceof PowerShellScriptError && error.kind === 'unsupported' && /DllNotFoundException/.test(error.message));
    } finally {
      await session.close();
    }
  });

  test('PortTopIpHelper.cs is C# 5 (what Windows PowerShell 5.1 compiles): dotnet build with LangVersion 5', (t) => {
    if (spawnSync('dotnet', ['--version'], { stdio: 'ignore' }).status !== 0) return t.skip('no dotnet SDK here (.ci/run installs pwsh with it)');
    const dir = mkdtempSync(join(tmpdir(), 'porttop-cs5-'));
    made.push(dir);
    writeFileSync(
      join(dir, 'Cs5Check.csproj'),
      `<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><TargetFramework>net10.0</TargetFramework><LangVersion>5</LangVersion>` +
        `<Nullable>disable</Nullable><ImplicitUsings>disable</ImplicitUsings><EnableDefaultCompileItems>false</EnableDefaultCompileItems>` +
        `<TreatWarningsAsErrors>true</TreatWarningsAsErrors></PropertyGroup>` +
        `<ItemGroup><Compile Include="${join(SCRIPTS_DIR, 'PortTopIpHelper.cs')}" /></ItemGroup></Project>`,
    );
    const build = spawnSync('dotnet', ['build', '-nologo', '-v', 'q', dir], { encoding: 'utf8', timeout: 300_000, env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1', DOTNET_NOLOGO: '1' } });
    assert.equal(build.status, 0, `${build.stdout}\n${build.stderr}`);
  });
});
