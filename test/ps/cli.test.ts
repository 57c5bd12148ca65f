// The real porttop bin with --backend ps: on Linux against a real pwsh (the Windows-only commands
// come from the PortTopFakeWindows module of recorded shapes, or are missing), and on Windows
// (PORTTOP_REQUIRE_WINDOWS=1) against the real cmdlets.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { NODE_PROCESS_NAME, startHolder } from '../helpers/children.js';
import { BIN, runBin } from '../helpers/cli.js';
import { fixture, unprivilegedPwsh } from './fake.js';
import { FIXTURES_DIR, requirePwsh, requireWindows, waitForPidGone } from './pwsh.js';
import { descendants } from '../helpers/descendants.js';

const FAKE_MODULES = join(FIXTURES_DIR, 'modules');
const FAKE_ON_WINDOWS = 'on Windows the real NetTCPIP module competes with the fake one; the PORTTOP_REQUIRE_WINDOWS tests cover this';
const LISTENER = `import net from 'node:net'; const s = net.createServer().listen(0, '127.0.0.1', () => ready(s.address().port));`;

/** The environment of a porttop run whose pwsh autoloads the fake Windows commands. */
function fakeWindowsEnv(pwsh: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, PORTTOP_PWSH: pwsh, PSModulePath: FAKE_MODULES, ...extra };
}

function listenerRow(port: number, pid: number): string {
  return JSON.stringify([{ LocalAddress: '127.0.0.1', LocalPort: port, RemoteAddress: '0.0.0.0', RemotePort: 0, State: 2, OwningProcess: pid }]);
}

/** The bin, run asynchronously: a child this test started and porttop kills must be reaped by us meanwhile. */
async function runBinAsync(args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

describe('porttop --backend ps through the real bin (Linux, real pwsh)', () => {
  test('where the Windows networking cmdlets are missing: exit 4 and one line saying so, no stack trace', async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    if (process.platform === 'win32') return t.skip('the cmdlets exist on Windows');
    const run = runBin(['list', '--backend', 'ps'], [], { ...process.env, PORTTOP_PWSH: pwsh });
    assert.equal(run.code, 4);
    assert.equal(run.stdout, '');
    assert.equal(run.stderr.trimEnd().split('\n').length, 1, run.stderr);
    assert.match(run.stderr, /^porttop: the Windows networking cmdlets \(Get-NetTCPConnection, Get-NetUDPEndpoint\) are missing in PowerShell [\d.]+ on Unix; .*use --backend linux on Linux\n$/);
  });

  test('no PowerShell at all: exit 4 "PowerShell not found (looked for pwsh, powershell)"', (t) => {
    if (process.platform === 'win32') return t.skip('Windows always has its built-in powershell.exe');
    const run = runBin(['who', '8080', '--backend', 'ps'], [], { PATH: '/nonexistent', HOME: process.env.HOME });
    assert.equal(run.code, 4);
    assert.match(run.stderr, /^porttop: PowerShell not found \(looked for pwsh, powershell\)/);
  });

  test('who and who --json name a real listening process reported in NetTCPIP shape (recorded shapes)', async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    if (process.platform === 'win32') return t.skip(FAKE_ON_WINDOWS);
    const holder = await startHolder<number>(LISTENER);
    try {
      const env = fakeWindowsEnv(pwsh, { PORTTOP_FAKE_TCP_JSON: listenerRow(holder.data, holder.pid) });
      const text = runBin(['who', String(holder.data), '--backend', 'ps'], [], env);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, new RegExp(`PID ${holder.pid}  ${NODE_PROCESS_NAME}  started \\d{4}-\\d\\d-\\d\\dT`));
      assert.match(text.stdout, new RegExp(`TCP\\s+127\\.0\\.0\\.1:${holder.data}\\s+\\*:\\*\\s+LISTEN`));
      const json = runBin(['who', String(holder.data), '--backend', 'ps', '--json'], [], env);
      const rows = JSON.parse(json.stdout) as { pid: number; processName: string; state: string }[];
      assert.deepEqual(rows.map((row) => [row.pid, row.processName, row.state]), [[holder.pid, NODE_PROCESS_NAME, 'LISTEN']]);
    } finally {
      await holder.stop();
    }
  });

  test('kill stops the real process through Stop-PortTopProcess (recorded shapes)', async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    if (process.platform === 'win32') return t.skip(FAKE_ON_WINDOWS);
    const holder = await startHolder<number>(LISTENER);
    try {
      const env = fakeWindowsEnv(pwsh, { PORTTOP_FAKE_TCP_JSON: listenerRow(holder.data, holder.pid) });
      const run = await runBinAsync(['kill', String(holder.data), '--backend', 'ps'], env);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, new RegExp(`PID ${holder.pid} ${NODE_PROCESS_NAME} \\(port ${holder.data}\\): stopped \\(Stop-Process -Force\\)`));
      await holder.exited;
    } finally {
      await holder.stop();
    }
  });

  test('range show gives four ranges; range set without elevation is exit 3 "run porttop as Administrator"', async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    if (process.platform === 'win32') return t.skip(FAKE_ON_WINDOWS);
    const show = runBin(['range', 'show', '--backend', 'ps', '--json'], [], fakeWindowsEnv(pwsh, { PORTTOP_FAKE_NETSH_DYNAMIC: fixture('netsh-dynamicport-ru.txt') }));
    assert.equal(show.code, 0, show.stderr);
    assert.equal((JSON.parse(show.stdout) as unknown[]).length, 4);
    if (process.platform !== 'linux') return;
    const unprivileged = unprivilegedPwsh(pwsh);
    try {
      const set = runBin(['range', 'set', '--start', '10000', '--num', '1000', '--backend', 'ps'], [], fakeWindowsEnv(unprivileged.path));
      assert.equal(set.code, 3, set.stderr);
      assert.equal(set.stderr, 'porttop: changing the dynamic port range needs elevation: run porttop as Administrator\n');
    } finally {
      unprivileged.remove();
    }
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    test(`${signal} to porttop while its PowerShell call hangs: porttop dies of ${signal} and no pwsh is left`, async (t) => {
      const pwsh = requirePwsh(t);
      if (!pwsh) return;
      if (process.platform !== 'linux') return t.skip('finds the pwsh children through /proc');
      const marker = join(mkdtempSync(join(tmpdir(), 'porttop-hang-')), 'hung');
      const porttop = spawn(process.execPath, [BIN, 'list', '--backend', 'ps'], {
        env: fakeWindowsEnv(pwsh, { PORTTOP_FAKE_HANG_SECONDS: '300', PORTTOP_FAKE_TCP_JSON: '[]', PORTTOP_FAKE_HANG_MARKER: marker }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const exited = once(porttop, 'exit');
      // wait until the real PowerShell (dotnet pwsh.dll, or pwsh itself) is inside the hung call:
      // on a busy machine starting PowerShell alone can take many seconds
      const deadline = Date.now() + 90_000;
      while (!existsSync(marker) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      assert.ok(existsSync(marker), 'PowerShell reached the hung call');
      const children = descendants(porttop.pid!);
      assert.ok(children.length > 0, 'porttop started PowerShell');
      rmSync(dirname(marker), { recursive: true, force: true });
      porttop.kill(signal);
      const [code, exitSignal] = (await exited) as [number | null, NodeJS.Signals | null];
      assert.equal(exitSignal, signal, `porttop died of ${signal} (code ${code})`);
      for (const pid of children) assert.equal(await waitForPidGone(pid, 5000), true, `child ${pid} of porttop is gone`);
    });
  }
});

describe('porttop on real Windows (PORTTOP_REQUIRE_WINDOWS=1)', () => {
  test('who finds a listener this test started', async (t) => {
    if (!requireWindows(t)) return;
    const holder = await startHolder<number>(LISTENER);
    try {
      const run = runBin(['who', String(holder.data), '--json']);
      assert.equal(run.code, 0, run.stderr);
      const rows = JSON.parse(run.stdout) as { pid: number; state: string; processName: string }[];
      assert.ok(rows.some((row) => row.pid === holder.pid && row.state === 'LISTEN' && row.processName === NODE_PROCESS_NAME), run.stdout);
    } finally {
      await holder.stop();
    }
  });

  test('range show returns the four ranges', (t) => {
    if (!requireWindows(t)) return;
    const run = runBin(['range', 'show', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const ranges = JSON.parse(run.stdout) as { protocol: string; family: string; start: number; num: number }[];
    assert.deepEqual(ranges.map((range) => `${range.protocol} ${range.family}`).sort(), ['tcp ipv4', 'tcp ipv6', 'udp ipv4', 'udp ipv6']);
    assert.ok(ranges.every((range) => range.start >= 1024 && range.num >= 255));
  });

  test('kill stops a child that listens on a port', async (t) => {
    if (!requireWindows(t)) return;
    const holder = await startHolder<number>(LISTENER);
    try {
      const run = await runBinAsync(['kill', String(holder.data)], process.env);
      assert.equal(run.code, 0, `${run.stdout}${run.stderr}`);
      await holder.exited;
    } finally {
      await holder.stop();
    }
  });
});
