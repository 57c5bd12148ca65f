// Every holder of a socket, on real processes: forked listeners, SO_REUSEPORT, a socket kept by a thread
// after the main thread exited; who, list --json and procs show them all.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { OwnedEndpoint } from '../../src/core/select.js';
import { LinuxBackend } from '../../src/linux/backend.js';
import { startGroup, startPython, forkedListener, type GroupChild } from '../helpers/group.js';
import { runCli } from '../helpers/cli.js';

const LINUX = process.platform === 'linux';
const THREAD_HOLDER_C = fileURLToPath(new URL('../fixtures/linux/thread-holder.c', import.meta.url));

interface Forked {
  port: number;
  pids: number[];
}

describe('every holder of a socket', { skip: !LINUX && 'needs Linux /proc' }, () => {
  const started: GroupChild[] = [];
  after(async () => {
    await Promise.all(started.map((child) => child.stop()));
  });

  it('a listener forked into two and three processes has every PID as holder, ascending', async () => {
    for (const count of [2, 3]) {
      const child = await startPython<Forked>(forkedListener(count));
      started.push(child);
      const snapshot = await new LinuxBackend().snapshot({ localPorts: new Set([child.data.port]) });
      const listeners = snapshot.endpoints.filter((endpoint) => endpoint.localPort === child.data.port && endpoint.state === 'LISTEN');
      assert.equal(listeners.length, 1);
      assert.deepEqual(listeners[0]!.holders, [...child.data.pids].sort((a, b) => a - b));
      assert.equal(listeners[0]!.pid, Math.min(...child.data.pids));
      for (const pid of child.data.pids) assert.equal(snapshot.processes.get(pid)?.name, 'python3');
    }
  });

  it('who --json carries each holder with command line and start time; who text names both', async () => {
    const child = await startPython<Forked>(forkedListener(2));
    started.push(child);
    const run = await runCli(['who', String(child.data.port), '--json']);
    assert.equal(run.code, 0, run.stderr);
    const [row] = JSON.parse(run.stdout) as OwnedEndpoint[];
    assert.deepEqual(row!.holders.map((holder) => holder.pid), [...child.data.pids].sort((a, b) => a - b));
    for (const holder of row!.holders) {
      assert.equal(holder.processName, 'python3');
      assert.match(holder.commandLine ?? '', /python3 -u -c/);
      assert.match(holder.startTime ?? '', /^\d{4}-\d\d-\d\dT/);
    }
    const text = await runCli(['who', String(child.data.port)]);
    assert.match(text.stdout, /held by 2 processes/);
    for (const pid of child.data.pids) assert.match(text.stdout, new RegExp(`PID ${pid}  python3`));
  });

  it('procs counts a shared listener for each holder; list --pid finds the second holder too', async () => {
    const child = await startPython<Forked>(forkedListener(2));
    started.push(child);
    const procs = JSON.parse((await runCli(['procs', '--json'])).stdout) as { pid: number; listen: number }[];
    for (const pid of child.data.pids) assert.equal(procs.find((row) => row.pid === pid)?.listen, 1, `PID ${pid} in procs`);
    const second = Math.max(...child.data.pids);
    const listed = JSON.parse((await runCli(['list', '--pid', String(second), '--json'])).stdout) as OwnedEndpoint[];
    assert.ok(listed.some((row) => row.localPort === child.data.port && row.holders.some((holder) => holder.pid === second)));
  });

  it('SO_REUSEPORT: two processes with their own socket on one port are both found', async () => {
    const source = (port: number) => `
import socket, json, time, os
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1); s.bind(("127.0.0.1", ${port})); s.listen()
print("READY " + json.dumps({"port": s.getsockname()[1], "pids": [os.getpid()]}), flush=True)
time.sleep(120)`;
    const first = await startPython<Forked>(source(0));
    started.push(first);
    const second = await startPython<Forked>(source(first.data.port));
    started.push(second);
    const rows = (JSON.parse((await runCli(['who', String(first.data.port), '--json'])).stdout) as OwnedEndpoint[]).filter((row) => row.state === 'LISTEN');
    assert.deepEqual(rows.map((row) => row.pid).sort(), [first.pid, second.pid].sort());
    const kill = await runCli(['kill', String(first.data.port), '--json']);
    assert.equal(kill.code, 0, kill.stdout + kill.stderr);
    await Promise.all([first.exited, second.exited]);
  });

  describe('a socket kept by a thread after the main thread exited', () => {
    let dir: string;
    let binary: string;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'porttop-thread-'));
      binary = join(dir, 'thread-holder');
      execFileSync('gcc', ['-pthread', '-o', binary, THREAD_HOLDER_C]);
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('is found through /proc/PID/task/TID/fd, and kill stops it', async () => {
      const child = await startGroup<{ port: number }>(binary, []);
      started.push(child);
      const run = await runCli(['who', String(child.data.port), '--json']);
      assert.equal(run.code, 0, run.stderr);
      const [row] = JSON.parse(run.stdout) as OwnedEndpoint[];
      assert.equal(row!.pid, child.pid);
      assert.equal(row!.holders[0]!.processName, 'thread-holder');
      const kill = await runCli(['kill', String(child.data.port), '--json']);
      assert.equal(kill.code, 0, kill.stdout + kill.stderr);
      await child.exited;
    });
  });
});
