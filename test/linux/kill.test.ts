// porttop kill on real processes: SIGTERM, escalation, refusals, and never a reused PID.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import type { KillJson } from '../../src/commands/kill.js';
import type { KillOptions } from '../../src/core/model.js';
import { LinuxBackend } from '../../src/linux/backend.js';
import { NODE_PROCESS_NAME, startHolder } from '../helpers/children.js';
import { runCli } from '../helpers/cli.js';

const LISTENER = (ignoreTerm: boolean) => `
import net from 'node:net';
${ignoreTerm ? "process.on('SIGTERM', () => console.log('ignored SIGTERM'));" : ''}
const s = net.createServer().listen(0, '127.0.0.1', () => ready(s.address().port));
setInterval(() => {}, 1000);`;

const OPTIONS: KillOptions = { signal: 'SIGTERM', force: false, timeoutMs: 3000, allowCritical: false };

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('porttop kill', { skip: process.platform !== 'linux' && 'needs Linux' }, () => {
  it('stops a real child holding a port with SIGTERM', async () => {
    const child = await startHolder<number>(LISTENER(false));
    try {
      const run = await runCli(['kill', String(child.data), '--json']);
      assert.equal(run.code, 0, run.stderr);
      const json = JSON.parse(run.stdout) as KillJson;
      const [report] = json.processes;
      assert.deepEqual(
        { pid: report!.pid, name: report!.processName, ports: report!.ports, outcome: report!.outcome, signals: report!.signals },
        { pid: child.pid, name: NODE_PROCESS_NAME, ports: [child.data], outcome: 'stopped', signals: ['SIGTERM'] },
      );
      assert.deepEqual(json.ports.map((port) => [port.port, port.found.holders, port.after?.status]), [[child.data, [child.pid], 'free']]);
      await child.exited;
      assert.equal(child.child.signalCode, 'SIGTERM');
    } finally {
      await child.stop();
    }
  });

  it('escalates to SIGKILL when the child ignores SIGTERM', async () => {
    const child = await startHolder<number>(LISTENER(true));
    try {
      const run = await runCli(['kill', String(child.data), '--timeout', '0.3']);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, new RegExp(`PID ${child.pid} ${NODE_PROCESS_NAME} \\(port ${child.data}\\): ignored SIGTERM for 0.3 s; stopped by SIGKILL`));
      assert.match(run.stdout, new RegExp(`^port ${child.data} is free$`, 'm'));
      await child.exited;
      assert.equal(child.child.signalCode, 'SIGKILL');
    } finally {
      await child.stop();
    }
  });

  it('--dry-run stops nothing, --force sends SIGKILL at once', async () => {
    const child = await startHolder<number>(LISTENER(true));
    try {
      const dry = await runCli(['kill', String(child.data), '--dry-run']);
      assert.equal(dry.code, 0);
      assert.match(dry.stdout, /would stop it/);
      assert.ok(alive(child.pid));
      const forced = JSON.parse((await runCli(['kill', String(child.data), '--force', '--json'])).stdout) as KillJson;
      assert.deepEqual(forced.processes[0]!.signals, ['SIGKILL']);
      await child.exited;
      assert.equal(child.child.signalCode, 'SIGKILL');
    } finally {
      await child.stop();
    }
  });

  it('exits 1 when nothing holds the port, and hints at --all-states for mere connections', async () => {
    const server = await startHolder<number>(LISTENER(false));
    const client = await startHolder<number>(
      `import net from 'node:net'; const c = net.connect(${server.data}, '127.0.0.1', () => ready(c.localPort)); setInterval(() => {}, 1000);`,
    );
    try {
      const run = await runCli(['kill', String(client.data)]);
      assert.equal(run.code, 1);
      assert.match(run.stdout, new RegExp(`^port ${client.data}: 1 connection uses it; add --all-states to stop their owners too$`, 'm'));
      assert.ok(alive(client.pid));
      const all = await runCli(['kill', String(client.data), '--all-states']);
      assert.equal(all.code, 0, all.stderr);
      await client.exited;
    } finally {
      await Promise.all([server.stop(), client.stop()]);
    }
  });

  it('refuses to kill porttop itself (exit 3) and stays alive', async () => {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const run = await runCli(['kill', String(port), '--json']);
      assert.equal(run.code, 3);
      const [report] = (JSON.parse(run.stdout) as KillJson).processes;
      assert.equal(report!.pid, process.pid);
      assert.equal(report!.outcome, 'refused');
      assert.match(report!.message, /porttop itself/);
    } finally {
      server.close();
    }
  });

  it('refuses PID 1 at the backend, whatever the caller checked', async () => {
    const result = await new LinuxBackend().kill({ pid: 1, name: 'init', startTime: null }, OPTIONS);
    assert.equal(result.outcome, 'refused');
    assert.deepEqual(result.signals, []);
    assert.match(result.message, /init/);
  });

  it('does not signal a PID whose start time no longer matches the snapshot (PID reused)', async () => {
    const child = await startHolder<number>(LISTENER(false));
    try {
      const backend = new LinuxBackend();
      const stale = await backend.kill({ pid: child.pid, name: NODE_PROCESS_NAME, startTime: '2000-01-01T00:00:00.000Z' }, OPTIONS);
      assert.equal(stale.outcome, 'gone');
      assert.match(stale.message, /exited or PID reused; left alone/);
      const renamed = await backend.kill({ pid: child.pid, name: 'nginx', startTime: null }, OPTIONS);
      assert.equal(renamed.outcome, 'gone');
      assert.deepEqual([...stale.signals, ...renamed.signals], []);
      assert.ok(alive(child.pid), 'the child was left alone');
      // with the right identity it goes
      const current = (await backend.snapshot({ localPorts: new Set([child.data]) })).processes.get(child.pid)!;
      const killed = await backend.kill({ pid: child.pid, name: current.name, startTime: current.startTime }, OPTIONS);
      assert.equal(killed.outcome, 'stopped');
    } finally {
      await child.stop();
    }
  });

  it('says "run as root" when the OS refuses the signal (EPERM)', { skip: process.getuid?.() !== 0 && 'needs root to drop to nobody' }, async () => {
    const child = await startHolder<number>(LISTENER(false));
    try {
      const identity = (await new LinuxBackend().snapshot({ localPorts: new Set([child.data]) })).processes.get(child.pid)!;
      const backendUrl = new URL('../../dist/linux/backend.js', import.meta.url).href;
      const script = `const { LinuxBackend } = await import(${JSON.stringify(backendUrl)});
        const r = await new LinuxBackend().kill(${JSON.stringify({ pid: child.pid, name: identity.name, startTime: identity.startTime })}, ${JSON.stringify(OPTIONS)});
        console.log(JSON.stringify(r));`;
      const run = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--input-type=module', '-e', script], {
        encoding: 'utf8',
        cwd: fileURLToPath(new URL('../..', import.meta.url)),
      });
      assert.equal(run.status, 0, run.stderr);
      const result = JSON.parse(run.stdout) as { outcome: string; message: string };
      assert.equal(result.outcome, 'not-permitted');
      assert.match(result.message, /EPERM.*run porttop as root/);
      assert.ok(alive(child.pid));
    } finally {
      await child.stop();
    }
  });
});
