// porttop wait on real processes: ends within an interval of the holder's exit, names the holder at the
// timeout, sees a delayed server start, and does not wait for TIME_WAIT.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { WaitResult } from '../../src/api/wait.js';
import { LinuxBackend } from '../../src/linux/backend.js';
import { NODE_PROCESS_NAME, startHolder, type Holder } from '../helpers/children.js';
import { runCli } from '../helpers/cli.js';
import { listenSnippet, releasedPort, TIME_WAIT_SNIPPET } from '../helpers/sockets.js';

const linuxOnly = process.platform !== 'linux' && 'reads /proc';
const holders: Holder[] = [];
after(async () => Promise.all(holders.map((holder) => holder.stop())));

/** Slack for a loaded machine on top of one interval: scheduling, one /proc read, process exit. */
const SLACK_MS = 750;

describe('wait on real sockets', { skip: linuxOnly }, () => {
  it('--free ends within one interval after the holder exits', async () => {
    const holder = await startHolder<{ port: number }>(listenSnippet('127.0.0.1'));
    holders.push(holder);
    const intervalMs = 250;
    let finishedAt = 0;
    const waiting = runCli(['wait', String(holder.data.port), '--free', '--interval', String(intervalMs / 1000), '--timeout', '30']).then((run) => {
      finishedAt = performance.now();
      return run;
    });
    await new Promise((resolve) => setTimeout(resolve, 600));
    assert.equal(finishedAt, 0, 'still waiting while the holder runs');
    await holder.stop();
    const exitedAt = performance.now();
    const run = await waiting;
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`port ${holder.data.port} free after`));
    assert.ok(finishedAt - exitedAt <= intervalMs + SLACK_MS, `ended ${Math.round(finishedAt - exitedAt)} ms after the exit`);
  });

  it('exits 1 at the timeout, naming the holder', async () => {
    const holder = await startHolder<{ port: number }>(listenSnippet('127.0.0.1'));
    holders.push(holder);
    const started = performance.now();
    const run = await runCli(['wait', `:${holder.data.port}`, '--timeout', '0.5', '--interval', '0.1']);
    assert.equal(run.code, 1);
    assert.ok(performance.now() - started >= 500);
    assert.match(run.stderr, new RegExp(`timed out after 0.5 s: port ${holder.data.port} still held\\n  PID ${holder.pid} ${NODE_PROCESS_NAME}: TCP 127\\.0\\.0\\.1:${holder.data.port} LISTEN`));
    const json = JSON.parse((await runCli(['wait', String(holder.data.port), '--timeout', '0', '--json'])).stdout) as WaitResult;
    assert.equal(json.met, false);
    assert.equal(json.blocking[0]!.pid, holder.pid);
  });

  it('--listening ends when a delayed server starts', async () => {
    const port = await releasedPort();
    const delayMs = 800;
    const waiting = runCli(['wait', String(port), '--listening', '--interval', '0.1', '--timeout', '30', '--json']);
    const started = performance.now();
    const server = await startHolder(`import { createServer } from 'node:net';
setTimeout(() => { const server = createServer(); server.listen({ port: ${port}, host: '127.0.0.1' }, () => ready()); }, ${delayMs});`);
    holders.push(server);
    const run = await waiting;
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as WaitResult;
    assert.equal(result.met, true);
    assert.ok(performance.now() - started >= delayMs - 50, 'did not end before the server listened');
  });

  it('--listening times out saying nothing listens yet', async () => {
    const port = await releasedPort();
    const run = await runCli(['wait', String(port), '--listening', '--timeout', '0.3']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, new RegExp(`nothing listens on port ${port} yet`));
  });

  it('TIME_WAIT alone does not keep a port from being free', async () => {
    const child = await startHolder<{ port: number }>(TIME_WAIT_SNIPPET);
    await child.stop();
    const run = await runCli(['wait', String(child.data.port), '--timeout', '0', '--json']);
    assert.equal(run.code, 0, run.stdout);
  });

  it("each look skips the owner scan: the Linux backend's owners: false gives sockets without owners", async () => {
    const holder = await startHolder<{ port: number }>(listenSnippet('127.0.0.1'));
    holders.push(holder);
    const backend = new LinuxBackend();
    const look = await backend.snapshot({ localPorts: new Set([holder.data.port]), owners: false });
    assert.deepEqual(look.endpoints.map((endpoint) => [endpoint.localPort, endpoint.state, endpoint.pid]), [[holder.data.port, 'LISTEN', null]]);
    assert.equal(look.processes.size, 0);
    const named = await backend.snapshot({ localPorts: new Set([holder.data.port]) });
    assert.equal(named.endpoints[0]!.pid, holder.pid);
  });

  it('bad input exits 2 with one line', async () => {
    for (const args of [['x'], ['0'], ['3000', '--timeout', '-1'], ['3000', '--interval', '0'], ['3000', '--free', '--listening'], ['3000', '--proto', 'icmp']]) {
      const run = await runCli(['wait', ...args]);
      assert.equal(run.code, 2, args.join(' '));
      assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    }
  });
});
