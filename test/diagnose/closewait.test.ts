// A real CLOSE_WAIT leak in a private namespace: a server that never closes accepted sockets after its
// clients closed theirs. diagnose must name the server and say what CLOSE_WAIT means.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { NODE_PROCESS_NAME, startHolder, type Holder } from '../helpers/children.js';
import { runBin } from '../helpers/cli.js';
import { NetNamespace } from '../helpers/netns.js';
import { closingClientSource, listenerSource } from './sources.js';
import { waitFor } from './wait.js';

const CLIENTS = 60;
const skip = NetNamespace.available() ? false : 'needs root and iproute2 (ip netns) for a private network namespace';

describe('diagnose on a real CLOSE_WAIT leak', { skip }, () => {
  let ns: NetNamespace;
  let server: Holder;
  let clients: Holder;

  before(async () => {
    ns = NetNamespace.create();
    server = await startHolder(listenerSource({ closeNever: true }), { prefix: ns.prefix });
    clients = await startHolder(closingClientSource(CLIENTS), { prefix: ns.prefix });
    // the server has seen every peer close (its 'end' events) before we look
    await waitFor('the server to see every client close', () => server.lines.some((line) => line === `ENDED ${CLIENTS}`));
  });

  after(async () => {
    await clients?.stop();
    await server?.stop();
    ns?.destroy();
  });

  it('--json names the server with its CLOSE_WAIT count and explains the leak', () => {
    const run = runBin(['diagnose', '--json'], ns.prefix);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    const leaking = report.culprits.find((c: { pid: number }) => c.pid === server.pid);
    assert.ok(leaking, JSON.stringify(report.culprits));
    assert.equal(leaking.closeWait, CLIENTS);
    assert.equal(leaking.ephemeralPorts, 0, 'its sockets sit on the listening port');
    assert.ok(!report.culprits.some((c: { pid: number }) => c.pid === clients.pid), 'the clients let go of their sockets');
    const leakAdvice = report.advice.find((line: string) => line.startsWith(`PID ${server.pid} (${NODE_PROCESS_NAME}): CLOSE_WAIT leak`));
    assert.ok(leakAdvice, report.advice.join('\n'));
    assert.match(leakAdvice, new RegExp(`${CLIENTS} connections were closed by their peers but the application never closed its side`));
    assert.ok(report.evidence.some((line: string) => line === `PID ${server.pid} (${NODE_PROCESS_NAME}) holds ${CLIENTS} sockets in CLOSE_WAIT: their peers closed, it did not`));
    // the clients' halves wait in FIN_WAIT_2 for the close that never comes, on ports of the range
    assert.ok(report.evidence.some((line: string) => /FIN_WAIT_2 \(closed here, waiting for the peer to close its side\)/.test(line)), report.evidence.join('\n'));
    assert.equal(report.verdict, 'ok', 'CLOSE_WAIT alone does not prove exhaustion');
  });

  it('the human report lists the server with its CLOSE_WAIT count', () => {
    const run = runBin(['diagnose'], ns.prefix);
    assert.match(run.stdout, new RegExp(`^\\s+${server.pid}\\s+${NODE_PROCESS_NAME}\\s+0\\s+0\\s+0\\s+${CLIENTS}\\s`, 'm'));
    assert.match(run.stdout, /CLOSE_WAIT leak/);
  });
});
