// Real TIME_WAIT churn in a private namespace: a child opens and closes connections quickly, closing
// first so TIME_WAIT lands on its side, and keeps one connection open as a live churner would.
// diagnose must report the pile, its destination and the inferred owner.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { NODE_PROCESS_NAME, startHolder, type Holder } from '../helpers/children.js';
import { runBin } from '../helpers/cli.js';
import { NetNamespace } from '../helpers/netns.js';
import { churningClientSource, LISTEN_PORT, listenerSource } from './sources.js';

const CONNECTIONS = 1000;
const skip = NetNamespace.available() ? false : 'needs root and iproute2 (ip netns) for a private network namespace';

describe('diagnose on real TIME_WAIT churn', { skip }, () => {
  let ns: NetNamespace;
  let server: Holder;
  let churner: Holder<{ closed: number; keptPort: number }>;

  before(async () => {
    ns = NetNamespace.create();
    server = await startHolder(listenerSource(), { prefix: ns.prefix });
    churner = await startHolder(churningClientSource(CONNECTIONS), { prefix: ns.prefix, timeoutMs: 40_000 });
  });

  after(async () => {
    await churner?.stop();
    await server?.stop();
    ns?.destroy();
  });

  it('reports the TIME_WAIT pile toward the listener and infers the churning child as its owner', () => {
    assert.equal(churner.data.closed, CONNECTIONS);
    // the kernel's own count, as a cross-check (TIME_WAIT lasts 60 s, far longer than this test)
    const ss = spawnSync('ip', ['netns', 'exec', ns.name, 'ss', '-Htan', 'state', 'time-wait'], { encoding: 'utf8' });
    const kernelTimeWait = ss.stdout.split('\n').filter(Boolean).length;
    assert.ok(kernelTimeWait >= CONNECTIONS * 0.9, `ss counts ${kernelTimeWait}`);

    const run = runBin(['diagnose', '--json'], ns.prefix);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    const [pile] = report.timeWaitPiles;
    assert.equal(pile.remoteAddress, '127.0.0.1');
    assert.equal(pile.remotePort, LISTEN_PORT);
    assert.ok(Math.abs(pile.sockets - kernelTimeWait) <= 20, `diagnose ${pile.sockets}, ss ${kernelTimeWait}`);
    assert.equal(pile.ownerPid, churner.pid);
    assert.match(pile.ownerReason, /inferred/);

    const culprit = report.culprits[0];
    assert.equal(culprit.pid, churner.pid);
    assert.equal(culprit.established, 1);
    assert.equal(culprit.inferredTimeWait, pile.sockets);
    assert.equal(culprit.timeWait, pile.sockets);
    assert.equal(culprit.ephemeralPorts, pile.sockets + 1);
    assert.ok(!report.culprits.some((c: { pid: number; timeWait: number }) => c.pid === server.pid && c.timeWait > 0), 'the server closed second: no TIME_WAIT on its side');

    const evidence = report.evidence.join('\n');
    assert.match(evidence, new RegExp(`${pile.sockets} sockets in TIME_WAIT toward 127\\.0\\.0\\.1:${LISTEN_PORT}.*likely owner PID ${churner.pid} \\(${NODE_PROCESS_NAME}\\).*inferred`));
    assert.match(report.advice[0], new RegExp(`^PID ${churner.pid} \\(${NODE_PROCESS_NAME}\\): TIME_WAIT churn.*Reuse connections`));
    assert.equal(report.verdict, 'ok', `${pile.sockets} of 28232 ports is no exhaustion`);
  });

  it('the human report marks the inferred TIME_WAIT count', () => {
    const run = runBin(['diagnose'], ns.prefix);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`^\\s+${churner.pid}\\s+${NODE_PROCESS_NAME}\\s+\\d+\\s+1\\s+~\\d+`, 'm'));
    assert.match(run.stdout, /TIME_WAIT churn/);
  });
});
