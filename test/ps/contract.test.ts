// Contract tests: each scripts/ps1 script runs in a real pwsh; only the Windows-only commands
// (Get-NetTCPConnection, Get-NetUDPEndpoint, netsh, netstat, Get-WinEvent) are replaced by functions
// returning the recorded shapes of test/fixtures/windows. Get-Process and Stop-Process are real.
import assert from 'node:assert/strict';
import { symlinkSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { NotPermittedError, UsageError } from '../../src/errors.js';
import { PowerShellScriptError } from '../../src/ps/envelope.js';
import { PowerShellBackend } from '../../src/ps/backend.js';
import type { PowerShellSession } from '../../src/ps/session.js';
import { runCli } from '../helpers/cli.js';
import { NODE_PROCESS_NAME, startHolder, type Holder } from '../helpers/children.js';
import { fakeSession, fixture, unprivilegedPwsh, type FakeGlobals } from './fake.js';
import { requirePwsh } from './pwsh.js';

interface SnapshotData {
  source: string;
  tcp: { localAddress: string; localPort: number; remoteAddress: string; remotePort: number; state: string; pid: number; family: string }[];
  udp: { localAddress: string; localPort: number; pid: number; family: string }[];
  processes: { pid: number; name: string; handles: number | null; startTime: string | null; path: string | null; commandLine: string | null }[];
  warnings: string[];
}

const TCP = fixture('tcp-connections.json');
const UDP = fixture('udp-endpoints.json');

async function withSession<T>(pwsh: string, globals: FakeGlobals, work: (session: PowerShellSession) => Promise<T>): Promise<T> {
  const session = fakeSession(pwsh, globals);
  try {
    return await work(session);
  } finally {
    await session.close();
  }
}

describe('contract: Get-PortTopSnapshot.ps1 with NetTCPIP shapes', () => {
  test('contract: every State enum value maps to the netstat name (Bound=100 -> BOUND), TIME_WAIT owner 0 -> null', async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    await withSession(pwsh, { FakeTcp: TCP, FakeUdp: UDP }, async (session) => {
      const data = await session.call<SnapshotData>('Get-PortTopSnapshot');
      assert.equal(data.source, 'cmdlets');
      assert.deepEqual(
        data.tcp.map((row) => `${row.localPort} ${row.state} ${row.pid}`),
        ['135 LISTEN 1128', '445 LISTEN 4', '50001 TIME_WAIT 0', '50312 ESTABLISHED 5120', '50313 CLOSE_WAIT 5120', '50100 BOUND 44328', '50400 SYN_SENT 3333', '50500 FIN_WAIT_2 0', '50501 LAST_ACK 6000'],
      );
      assert.deepEqual(data.tcp.find((row) => row.localPort === 50400), {
        family: 'ipv6', localAddress: 'fe80::1c2d:3e4f:5a6b:7c8d%12', localPort: 50400, remoteAddress: 'fe80::1:2:3:4%12', remotePort: 445, state: 'SYN_SENT', pid: 3333,
      });
      assert.deepEqual(data.udp.map((row) => `${row.family} ${row.localAddress} ${row.localPort} ${row.pid}`), ['ipv4 0.0.0.0 500 1024', 'ipv6 :: 5353 1940', 'ipv6 fe80::182e:1ba9:7b17:351d%5 1900 884']);

      const snapshot = await new PowerShellBackend(session).snapshot();
      const timeWait = snapshot.endpoints.find((endpoint) => endpoint.localPort === 50001)!;
      assert.deepEqual([timeWait.state, timeWait.pid, timeWait.remoteAddress, timeWait.remotePort], ['TIME_WAIT', null, '127.0.0.1', 9090]);
      const listener = snapshot.endpoints.find((endpoint) => endpoint.localPort === 135)!;
      assert.deepEqual([listener.remoteAddress, listener.remotePort], [null, null], 'a listener has no peer');
      assert.equal(snapshot.endpoints.filter((endpoint) => endpoint.protocol === 'udp').every((endpoint) => endpoint.state === null), true);
    });
  });

  test('contract: a State enum without a name for 100 (prints "100") still maps to BOUND', async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    await withSession(pwsh, { FakeTcp: TCP, FakeStateEnumWithoutBound: { expression: '$true' } }, async (session) => {
      const data = await session.call<SnapshotData>('Get-PortTopSnapshot', { LocalPort: [50100] });
      assert.deepEqual(data.tcp.map((row) => row.state), ['BOUND']);
      assert.deepEqual(data.warnings, []);
    });
  });

  test('contract: a single-element result stays a one-element array (TCP and UDP)', async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    await withSession(pwsh, { FakeTcp: TCP, FakeUdp: UDP }, async (session) => {
      const data = await session.call<SnapshotData>('Get-PortTopSnapshot', { LocalPort: [135, 500] });
      assert.ok(Array.isArray(data.tcp) && Array.isArray(data.udp) && Array.isArray(data.processes));
      assert.deepEqual([data.tcp.length, data.udp.length], [1, 1]);
      assert.deepEqual([data.tcp[0]!.localPort, data.udp[0]!.localPort], [135, 500]);
    });
  });

  test('contract: no match (the cmdlets write "not found" error records) is an empty result, not an error', async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    await withSession(pwsh, { FakeTcp: TCP, FakeUdp: UDP }, async (session) => {
      const data = await session.call<SnapshotData>('Get-PortTopSnapshot', { LocalPort: [9] });
      assert.deepEqual([data.tcp, data.udp, data.processes, data.warnings], [[], [], [], []]);
      const snapshot = await new PowerShellBackend(session).snapshot({ localPorts: new Set([9]) });
      assert.deepEqual(snapshot.endpoints, []);
    });
  });

  test('contract: owners come from the real Get-Process: name, ISO start time, handles, path, command line', async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    const holder = await startHolder<number>(`import net from 'node:net'; const s = net.createServer().listen(0, '127.0.0.1', () => ready(s.address().port));`);
    try {
      const tcp = JSON.stringify([{ LocalAddress: '127.0.0.1', LocalPort: holder.data, RemoteAddress: '0.0.0.0', RemotePort: 0, State: 2, OwningProcess: holder.pid }]);
      await withSession(pwsh, { FakeTcp: tcp }, async (session) => {
        const snapshot = await new PowerShellBackend(session).snapshot({ localPorts: new Set([holder.data]) });
        const info = snapshot.processes.get(holder.pid)!;
        assert.equal(info.name, NODE_PROCESS_NAME);
        assert.match(info.startTime!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        assert.ok(Math.abs(Date.parse(info.startTime!) - Date.now()) < 120_000, 'started moments ago');
        assert.ok(info.handles !== null && info.handles > 0);
        assert.equal(info.path, process.execPath);
        assert.match(info.commandLine!, /--input-type=module/);
        assert.deepEqual([...snapshot.processes.keys()], [holder.pid], 'with a port filter only the owners are listed');
      });
    } finally {
      await holder.stop();
    }
  });

  test('contract: process fields the OS denies (another user, no privilege) become null, not 0 or an error', async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    if (process.platform !== 'linux' || process.getuid?.() !== 0) return t.skip('needs Linux as root to start a process as another user');
    const holder = await startHolder(`ready(); setInterval(() => {}, 1000);`, { prefix: ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] });
    const unprivileged = unprivilegedPwsh(pwsh);
    try {
      const tcp = JSON.stringify([{ LocalAddress: '0.0.0.0', LocalPort: 7000, RemoteAddress: '0.0.0.0', RemotePort: 0, State: 2, OwningProcess: holder.pid }]);
      await withSession(unprivileged.path, { FakeTcp: tcp }, async (session) => {
        const data = await session.call<SnapshotData>('Get-PortTopSnapshot', { LocalPort: [7000] });
        const info = data.processes.find((row) => row.pid === holder.pid)!;
        assert.equal(info.name, NODE_PROCESS_NAME);
        assert.equal(info.handles, null, 'handle count denied');
        assert.equal(info.path, null, 'path denied');
      });
    } finally {
      unprivileged.remove();
      await holder.stop();
    }
  });
});

describe('contract: Get-PortTopSnapshot.ps1 netstat fallback (Windows 7 / Server 2008 R2 shapes)', () => {
  test('contract: netstat -ano English text: IPv6 with zone, UDP rows, TIME_WAIT with PID 0, exact ports', async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    await withSession(pwsh, { FakeNetstatText: fixture('netstat-ano-en.txt') }, async (session) => {
      const data = await session.call<SnapshotData>('Get-PortTopSnapshot', { Source: 'Netstat' });
      assert.equal(data.source, 'netstat');
      assert.deepEqual(
        data.tcp.map((row) => `${row.family} ${row.localAddress}:${row.localPort} ${row.remoteAddress}:${row.remotePort} ${row.state} ${row.pid}`),
        [
          'ipv4 0.0.0.0:135 0.0.0.0:0 LISTEN 1128',
          'ipv4 0.0.0.0:8080 0.0.0.0:0 LISTEN 4242',
          'ipv4 127.0.0.1:50001 127.0.0.1:9090 TIME_WAIT 0',
          'ipv4 192.168.1.20:50312 140.82.112.4:443 ESTABLISHED 5120',
          'ipv4 192.168.1.20:50313 140.82.112.4:443 CLOSE_WAIT 5120',
          'ipv6 :::7654 :::0 LISTEN 2222',
          'ipv6 fe80::1c2d:3e4f:5a6b:7c8d%12:50400 fe80::1:2:3:4%12:445 ESTABLISHED 3333',
        ],
      );
      assert.deepEqual(data.udp.map((row) => `${row.family} ${row.localAddress} ${row.localPort} ${row.pid}`), ['ipv4 0.0.0.0 500 1024', 'ipv6 :: 5353 1940', 'ipv6 fe80::182e:1ba9:7b17:351d%5 1900 884']);
      assert.deepEqual(data.warnings, []);
      const only80 = await session.call<SnapshotData>('Get-PortTopSnapshot', { Source: 'Netstat', LocalPort: [80] });
      assert.deepEqual(only80.tcp, [], 'port 80 does not match 8080');
    });
  });

  test('contract: netstat -anoq German text: localized state words and BOUND rows', async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    await withSession(pwsh, { FakeNetstatText: fixture('netstat-anoq-de.txt') }, async (session) => {
      const data = await session.call<SnapshotData>('Get-PortTopSnapshot', { Source: 'Netstat' });
      assert.deepEqual(data.tcp.map((row) => `${row.localPort} ${row.state} ${row.pid}`), ['135 LISTEN 1128', '50100 BOUND 44328', '50001 TIME_WAIT 0', '50312 ESTABLISHED 5120', '445 LISTEN 4']);
      assert.deepEqual(data.udp.map((row) => row.localPort), [500, 1900]);
      assert.deepEqual(data.warnings, []);
    });
  });

  test('contract: netstat without -q (old Windows) falls back to -ano', async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    await withSession(pwsh, { FakeNetstatText: fixture('netstat-ano-en.txt'), FakeNetstatNoQ: { expression: '$true' } }, async (session) => {
      const data = await session.call<SnapshotData>('Get-PortTopSnapshot', { Source: 'Netstat' });
      assert.equal(data.tcp.length, 7);
    });
  });

  test('contract: unknown (localized) state words are classified by shape, with a warning', async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    await withSession(pwsh, { FakeNetstatText: fixture('netstat-ano-unknown-words.txt') }, async (session) => {
      const data = await session.call<SnapshotData>('Get-PortTopSnapshot', { Source: 'Netstat' });
      assert.deepEqual(data.tcp.map((row) => `${row.localPort} ${row.state}`), ['135 LISTEN', '50001 TIME_WAIT', '50312 ESTABLISHED']);
      assert.equal(data.warnings.length, 1);
      assert.match(data.warnings[0]!, /CZAS_OCZEKIWANIA, NASŁUCHIWANIE, USTANOWIONO\): states guessed/);
    });
  });
});

describe('contract: dynamic port range scripts with netsh shapes', () => {
  for (const language of ['en', 'fr', 'ru']) {
    test(`contract: Get-DynamicPortRange reads the four ranges from ${language} netsh text`, async (t) => {
      const pwsh = requirePwsh(t);
      if (!pwsh) return;
      const globals: FakeGlobals = {
        FakeNetshDynamicTemplate: fixture(`netsh-dynamicport-${language}.txt`),
        FakeRanges: { expression: "@{ 'ipv4 tcp' = @(49152, 16384); 'ipv4 udp' = @(10000, 1000); 'ipv6 tcp' = @(1024, 64512); 'ipv6 udp' = @(49152, 16384) }" },
      };
      await withSession(pwsh, globals, async (session) => {
        const ranges = await new PowerShellBackend(session).getRanges();
        assert.deepEqual(
          ranges.map((range) => `${range.protocol} ${range.family} ${range.start}-${range.end} (${range.count})`),
          ['tcp ipv4 49152-65535 (16384)', 'udp ipv4 10000-10999 (1000)', 'tcp ipv6 1024-65535 (64512)', 'udp ipv6 49152-65535 (16384)'],
        );
      });
    });
  }

  test('contract: Set-DynamicPortRange runs netsh set for the chosen protocol and family only, then reads back', async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    if (process.platform !== 'win32' && process.getuid?.() !== 0) return t.skip('the elevated path needs root here (Administrator on Windows)');
    await withSession(pwsh, { FakeNetshDynamicTemplate: fixture('netsh-dynamicport-fr.txt') }, async (session) => {
      const ranges = await new PowerShellBackend(session).setRange({ start: 10000, count: 1000, protocols: ['tcp'], families: ['ipv4'] });
      assert.deepEqual(ranges.map((range) => `${range.protocol} ${range.family} ${range.start}-${range.end}`), [
        'tcp ipv4 10000-10999',
        'udp ipv4 49152-65535',
        'tcp ipv6 49152-65535',
        'udp ipv6 49152-65535',
      ]);
    });
  });

  test('contract: Set-DynamicPortRange without elevation answers "run porttop as Administrator" and changes nothing', async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    if (process.platform !== 'linux') return t.skip('uses a Linux user namespace to drop privilege');
    const unprivileged = unprivilegedPwsh(pwsh);
    try {
      await withSession(unprivileged.path, {}, async (session) => {
        const backend = new PowerShellBackend(session);
        await assert.rejects(backend.setRange({ start: 10000, count: 1000, protocols: ['tcp', 'udp'], families: ['ipv4', 'ipv6'] }), (error: unknown) => {
          assert.ok(error instanceof NotPermittedError);
          assert.equal(error.exitCode, 3);
          assert.match(error.message, /run porttop as Administrator/);
          return true;
        });
        assert.ok((await backend.getRanges()).every((range) => range.start === 49152 && range.count === 16384), 'nothing changed');
      });
    } finally {
      unprivileged.remove();
    }
  });

  test("contract: Set-DynamicPortRange reports netsh's own refusal with netsh's words", async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    if (process.platform !== 'win32' && process.getuid?.() !== 0) return t.skip('the elevated path needs root here (Administrator on Windows)');
    await withSession(pwsh, { FakeNetshSetFailureText: fixture('netsh-set-requires-elevation-en.txt') }, async (session) => {
      await assert.rejects(new PowerShellBackend(session).setRange({ start: 10000, count: 1000, protocols: ['tcp'], families: ['ipv4'] }), (error: unknown) => {
        assert.ok(error instanceof PowerShellScriptError);
        assert.match(error.message, /netsh int ipv4 set dynamicport tcp failed \(exit code 1\): The requested operation requires elevation/);
        return true;
      });
    });
  });

  test('contract: Set-DynamicPortRange checks the netsh rules itself (start >= 1025, num >= 255, end <= 65535)', async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    await withSession(pwsh, {}, async (session) => {
      for (const [start, count, pattern] of [[1024, 1000, /StartPort 1024/], [10000, 254, /NumberOfPorts 254/], [65000, 1000, /would end at 65999/]] as const) {
        await assert.rejects(session.call('Set-DynamicPortRange', { StartPort: start, NumberOfPorts: count }), (error: unknown) => {
          assert.ok(error instanceof UsageError);
          assert.match(error.message, pattern);
          return true;
        });
      }
    });
  });
});

describe('contract: Get-ExcludedPortRanges.ps1 with netsh shapes', () => {
  test('contract: excluded ranges are read, administered ones marked, and who explains a reserved port', async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    await withSession(pwsh, { FakeNetshExcludedText: fixture('netsh-excludedportrange-en.txt'), FakeTcp: TCP, FakeUdp: UDP }, async (session) => {
      const data = await session.call<{ start: number; end: number; administered: boolean; protocol: string; family: string }[]>('Get-ExcludedPortRanges');
      assert.deepEqual(data.map((row) => `${row.protocol} ${row.family} ${row.start}-${row.end}${row.administered ? ' *' : ''}`), ['tcp ipv4 5357-5357', 'tcp ipv4 8000-8099', 'tcp ipv4 50000-50059 *']);
      const backend = new PowerShellBackend(session);
      const run = await runCli(['who', '8050', '--backend', 'ps'], async () => backend);
      assert.equal(run.code, 1);
      assert.equal(run.stdout, 'port 8050 lies in an excluded range (8000-8099, tcp ipv4, reserved e.g. by Hyper-V, WSL or Docker); no process owns it\n');
    });
  });
});

describe('contract: Get-PortExhaustionEvents.ps1 with Get-WinEvent shapes', () => {
  test('contract: no events is an answer (zero counts), not an error', async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    await withSession(pwsh, {}, async (session) => {
      const events = await new PowerShellBackend(session).events(new Date(Date.now() - 24 * 3600_000));
      assert.deepEqual(events.counts, { 4227: 0, 4231: 0, 4266: 0 });
      assert.deepEqual(events.latest, { 4227: null, 4231: null, 4266: null });
    });
  });

  test('contract: Tcpip events since the given time are counted per id, with the latest time; other providers are not', async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    const events = `@(
      [pscustomobject]@{ Id = 4227; TimeCreated = [datetime]'2026-01-10T10:00:00Z'; ProviderName = 'Tcpip' },
      [pscustomobject]@{ Id = 4227; TimeCreated = [datetime]'2026-01-10T11:30:00Z'; ProviderName = 'Tcpip' },
      [pscustomobject]@{ Id = 4231; TimeCreated = [datetime]'2026-01-10T09:15:00Z'; ProviderName = 'Tcpip' },
      [pscustomobject]@{ Id = 4231; TimeCreated = [datetime]'2026-01-01T09:15:00Z'; ProviderName = 'Tcpip' },
      [pscustomobject]@{ Id = 4227; TimeCreated = [datetime]'2026-01-10T12:00:00Z'; ProviderName = 'Microsoft-Windows-Other' }
    )`.replace(/\s*\n\s*/g, ' ');
    await withSession(pwsh, { FakeEvents: { expression: events } }, async (session) => {
      const result = await new PowerShellBackend(session).events(new Date('2026-01-10T00:00:00Z'));
      assert.equal(result.since, '2026-01-10T00:00:00.000Z');
      assert.deepEqual(result.counts, { 4227: 2, 4231: 1, 4266: 0 });
      assert.deepEqual(result.latest, { 4227: '2026-01-10T11:30:00.000Z', 4231: '2026-01-10T09:15:00.000Z', 4266: null });
    });
  });
});

describe('contract: Stop-PortTopProcess.ps1 against real processes', () => {
  let linkDir: string;
  before(() => {
    linkDir = mkdtempSync(join(tmpdir(), 'porttop-critical-'));
    // a process named lsass: node started through a symlink of that name (Linux: the name is the link's)
    if (process.platform !== 'win32') symlinkSync(process.execPath, join(linkDir, 'lsass'));
  });
  after(() => rmSync(linkDir, { recursive: true, force: true }));

  /** fake NetTCPIP rows in which the holder owns a listener: the snapshot lists owners only */
  function ownerOf(holder: Holder): FakeGlobals {
    return { FakeTcp: JSON.stringify([{ LocalAddress: '127.0.0.1', LocalPort: 7001, RemoteAddress: '0.0.0.0', RemotePort: 0, State: 2, OwningProcess: holder.pid }]) };
  }

  /** name and start time as a snapshot shows them */
  async function startedFromSnapshot(session: PowerShellSession, holder: Holder): Promise<{ name: string; startTime: string | null }> {
    const snapshot = await new PowerShellBackend(session).snapshot();
    const info = snapshot.processes.get(holder.pid);
    return { name: info?.name ?? '?', startTime: info?.startTime ?? null };
  }

  test('contract: stops a real child whose name and start time match the snapshot', async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    const holder = await startHolder(`ready(); setInterval(() => {}, 1000);`);
    try {
      await withSession(pwsh, ownerOf(holder), async (session) => {
        const seen = await startedFromSnapshot(session, holder);
        assert.equal(seen.name, NODE_PROCESS_NAME);
        const result = await new PowerShellBackend(session).kill({ pid: holder.pid, ...seen }, { signal: 'SIGTERM', force: false, timeoutMs: 3000, allowCritical: false });
        assert.deepEqual([result.outcome, result.signals], ['stopped', ['Stop-Process -Force']]);
        await holder.exited;
      });
    } finally {
      await holder.stop();
    }
  });

  test('contract: a PID whose start time differs (reused PID) is left alone', async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    const holder = await startHolder(`ready(); setInterval(() => {}, 1000);`);
    try {
      await withSession(pwsh, ownerOf(holder), async (session) => {
        const result = await new PowerShellBackend(session).kill({ pid: holder.pid, name: NODE_PROCESS_NAME, startTime: '2001-01-01T00:00:00.000Z' }, { signal: 'SIGTERM', force: false, timeoutMs: 3000, allowCritical: false });
        assert.equal(result.outcome, 'gone');
        assert.match(result.message, /reuses the PID; left alone/);
        assert.equal(holder.child.exitCode, null, 'still running');
      });
    } finally {
      await holder.stop();
    }
  });

  // Node 24 names its main thread MainThread, so a symlink named lsass cannot show its name there; the Node 20 run covers it
  test('contract: the script itself refuses PID 0, PID 4 and a critical name without -AllowCritical', { skip: NODE_PROCESS_NAME !== 'node' && 'this Node names its main thread MainThread' }, async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    if (process.platform === 'win32') return t.skip('names a process lsass through a symlink, which Windows does not do');
    const holder = await startHolder(`ready(); setInterval(() => {}, 1000);`, { node: join(linkDir, 'lsass') });
    try {
      await withSession(pwsh, ownerOf(holder), async (session) => {
        for (const id of [0, 4]) {
          const data = await session.call<{ outcome: string; message: string }>('Stop-PortTopProcess', { Id: id });
          assert.equal(data.outcome, 'refused');
        }
        const refused = await session.call<{ outcome: string; message: string }>('Stop-PortTopProcess', { Id: holder.pid, ExpectedName: 'lsass' });
        assert.equal(refused.outcome, 'refused');
        assert.match(refused.message, /lsass is a critical Windows process/);
        assert.equal(holder.child.exitCode, null);
        const stopped = await session.call<{ outcome: string }>('Stop-PortTopProcess', { Id: holder.pid, ExpectedName: 'lsass', AllowCritical: true });
        assert.equal(stopped.outcome, 'stopped');
      });
    } finally {
      await holder.stop();
    }
  });
});

describe('contract: zero, one and many rows print as JSON arrays (real pwsh)', () => {
  const excludedText = (ranges: number[]) =>
    `\nProtocol tcp Port Exclusion Ranges\n\nStart Port    End Port\n----------    --------\n${ranges.map((start) => `     ${start}       ${start + 99}`).join('\n')}\n\n* - Administered port exclusions.\n`;

  for (const count of [0, 1, 3]) {
    test(`contract: ${count} row(s): snapshot tcp/udp/processes/warnings and excluded ranges are arrays of ${count}`, async (t) => {
      const pwsh = requirePwsh(t);
      if (!pwsh) return;
      const ports = Array.from({ length: count }, (_, i) => 7100 + i);
      const tcp = JSON.stringify(ports.map((port) => ({ LocalAddress: '0.0.0.0', LocalPort: port, RemoteAddress: '0.0.0.0', RemotePort: 0, State: 2, OwningProcess: process.pid })));
      const udp = JSON.stringify(ports.map((port) => ({ LocalAddress: '::', LocalPort: port, OwningProcess: process.pid })));
      await withSession(pwsh, { FakeTcp: tcp, FakeUdp: udp, FakeNetshExcludedText: excludedText(ports.map((port) => port * 2)) }, async (session) => {
        const data = await session.call<SnapshotData>('Get-PortTopSnapshot', { Source: 'Cmdlets' });
        assert.ok(Array.isArray(data.tcp) && Array.isArray(data.udp) && Array.isArray(data.processes) && Array.isArray(data.warnings));
        assert.deepEqual([data.tcp.length, data.udp.length, data.processes.length], [count, count, count === 0 ? 0 : 1]);
        const excluded = await session.call<unknown[]>('Get-ExcludedPortRanges');
        assert.ok(Array.isArray(excluded));
        assert.equal(excluded.length, count);
      });
    });
  }
});
