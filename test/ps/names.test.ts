// Process names in any language through the real pwsh: real processes named in Cyrillic, CJK and
// with an emoji (node started through symlinks of those names; Linux takes the name from the link),
// reported by Get-PortTopSnapshot.ps1 as pure ASCII JSON (\uXXXX), shown by the CLI, and stopped by
// Stop-PortTopProcess.ps1, whose name check must see the same name (issue 9 items 3 and 11).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SCRIPTS_DIR } from '../../src/ps/session.js';
import { NODE_PROCESS_NAME, startHolder, type Holder } from '../helpers/children.js';
import { BIN } from '../helpers/cli.js';
import { FIXTURES_DIR, requirePwsh } from './pwsh.js';

const NAMES = ['сервер', '東京', '🚀x'];
const LISTENER = `import net from 'node:net'; const s = net.createServer().listen(0, '127.0.0.1', () => ready(s.address().port));`;
const FAKE_MODULES = join(FIXTURES_DIR, 'modules');

let linkDir = '';
const holders: Holder<number>[] = [];

before(async () => {
  if (process.platform !== 'linux') return;
  linkDir = mkdtempSync(join(tmpdir(), 'porttop-names-'));
  for (const name of NAMES) {
    symlinkSync(process.execPath, join(linkDir, name));
    holders.push(await startHolder<number>(LISTENER, { node: join(linkDir, name) }));
  }
});

after(async () => {
  for (const holder of holders) await holder.stop();
  if (linkDir) rmSync(linkDir, { recursive: true, force: true });
});

function rows(): string {
  return JSON.stringify(holders.map((holder) => ({ LocalAddress: '127.0.0.1', LocalPort: holder.data, RemoteAddress: '0.0.0.0', RemotePort: 0, State: 2, OwningProcess: holder.pid })));
}

async function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout: Buffer.concat(out), stderr };
}

// the names come from symlinks to node; Node 24 names its main thread MainThread, so they cannot show
// there (the Windows jobs and the Node 20 run cover them)
describe('non-ASCII process names through the real pwsh (Linux)', { skip: NODE_PROCESS_NAME !== 'node' && 'this Node names its main thread MainThread' }, () => {
  test('Get-PortTopSnapshot.ps1 run on its own prints pure ASCII JSON that decodes to the exact names', async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    if (process.platform !== 'linux') return t.skip('names from symlinks: Linux');
    const ports = holders.map((holder) => holder.data).join(',');
    const result = await run(pwsh, ['-NoProfile', '-NonInteractive', '-Command', `& '${join(SCRIPTS_DIR, 'Get-PortTopSnapshot.ps1')}' -LocalPort ${ports}`], {
      ...process.env,
      PSModulePath: FAKE_MODULES,
      PORTTOP_FAKE_TCP_JSON: rows(),
      TERM: 'dumb',
    });
    assert.equal(result.code, 0, result.stderr);
    const nonAscii = [...result.stdout].filter((byte) => byte > 0x7f);
    assert.deepEqual(nonAscii, [], 'every byte is ASCII');
    const text = result.stdout.toString('ascii').trim();
    assert.match(text, /\\u0441\\u0435\\u0440\\u0432\\u0435\\u0440/, 'Cyrillic as \\uXXXX');
    assert.match(text, /\\ud83d\\ude80x/, 'the emoji as a surrogate pair');
    const envelope = JSON.parse(text) as { data: { processes: { pid: number; name: string }[] } };
    assert.deepEqual(
      envelope.data.processes.map((process) => [process.pid, process.name]).sort(),
      holders.map((holder, index) => [holder.pid, NAMES[index]]).sort(),
    );
  });

  test('porttop who shows each name, and porttop kill stops each process (Stop-PortTopProcess name check passes)', async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    if (process.platform !== 'linux') return t.skip('names from symlinks: Linux');
    const env = { ...process.env, PORTTOP_PWSH: pwsh, PSModulePath: FAKE_MODULES, PORTTOP_FAKE_TCP_JSON: rows() };
    for (const [index, holder] of holders.entries()) {
      const who = await run(process.execPath, [BIN, 'who', String(holder.data), '--backend', 'ps'], env);
      assert.equal(who.code, 0, who.stderr);
      assert.match(who.stdout.toString('utf8'), new RegExp(`PID ${holder.pid}  ${NAMES[index]}  started`));
    }
    const kill = await run(process.execPath, [BIN, 'kill', ...holders.map((holder) => String(holder.data)), '--backend', 'ps'], env);
    const output = kill.stdout.toString('utf8');
    for (const [index, holder] of holders.entries()) {
      assert.match(output, new RegExp(`PID ${holder.pid} ${NAMES[index]} \\(port ${holder.data}\\): stopped`), output + kill.stderr);
      await holder.exited;
    }
  });
});
