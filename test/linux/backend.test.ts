// who, list and procs through the real /proc backend, against real children holding real sockets.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { OwnedEndpoint } from '../../src/core/select.js';
import { LinuxBackend } from '../../src/linux/backend.js';
import { NODE_PROCESS_NAME, startHolder, type Holder } from '../helpers/children.js';
import { runCli } from '../helpers/cli.js';

const LINUX = process.platform === 'linux';

interface ServerPorts {
  tcp4: number;
  tcp6: number;
  udp: number;
}

// One child: TCP on 127.0.0.1 and ::1, UDP on 127.0.0.1, all on OS-chosen ports.
const SERVER = `
import net from 'node:net'; import dgram from 'node:dgram';
const listen = (host) => new Promise((ok) => { const s = net.createServer(() => {}); s.listen(0, host, () => ok(s.address().port)); });
const tcp4 = await listen('127.0.0.1'); const tcp6 = await listen('::1');
const u = dgram.createSocket('udp4'); await new Promise((ok) => u.bind(0, '127.0.0.1', ok));
ready({ tcp4, tcp6, udp: u.address().port });
setInterval(() => {}, 1000);`;

// Another child: three ESTABLISHED connections to the server's IPv4 port.
const CLIENT = (port: number) => `
import net from 'node:net';
const sockets = [];
for (let i = 0; i < 3; i++) sockets.push(await new Promise((ok) => { const c = net.connect(${port}, '127.0.0.1', () => ok(c)); }));
ready(sockets.map((s) => s.localPort));
setInterval(() => {}, 1000);`;

describe('the /proc backend on real sockets', { skip: !LINUX && 'needs Linux /proc' }, () => {
  let server: Holder<ServerPorts>;
  let client: Holder<number[]>;
  let oddName: Holder<number>;
  let linkDir: string;

  before(async () => {
    server = await startHolder<ServerPorts>(SERVER);
    client = await startHolder<number[]>(CLIENT(server.data.tcp4));
    // comm comes from the executable's file name: a symlink to node named with spaces and parentheses
    linkDir = mkdtempSync(join(tmpdir(), 'porttop-'));
    const odd = join(linkDir, 'a b) (c');
    symlinkSync(process.execPath, odd);
    oddName = await startHolder<number>(
      `import net from 'node:net'; const s = net.createServer().listen(0, '127.0.0.1', () => ready(s.address().port)); setInterval(() => {}, 1000);`,
      { node: odd },
    );
  });

  after(async () => {
    await Promise.all([server?.stop(), client?.stop(), oddName?.stop()]);
    rmSync(linkDir, { recursive: true, force: true });
  });

  it('who finds the TCP listener on 127.0.0.1 and its connections, with the owner', async () => {
    const run = await runCli(['who', String(server.data.tcp4), '--json']);
    assert.equal(run.code, 0, run.stderr);
    const endpoints = JSON.parse(run.stdout) as OwnedEndpoint[];
    const listener = endpoints.find((e) => e.state === 'LISTEN')!;
    const { holders, ...rest } = listener;
    assert.deepEqual(rest, {
      protocol: 'tcp', family: 'ipv4', localAddress: '127.0.0.1', localPort: server.data.tcp4, remoteAddress: null,
      remotePort: null, state: 'LISTEN', pid: server.pid, processName: NODE_PROCESS_NAME,
    });
    assert.deepEqual(holders.map((holder) => [holder.pid, holder.processName]), [[server.pid, NODE_PROCESS_NAME]]);
    // the server's side of each accepted connection has the same local port
    const accepted = endpoints.filter((e) => e.state === 'ESTABLISHED');
    assert.equal(accepted.length, 3);
    assert.ok(accepted.every((e) => e.pid === server.pid));
    assert.deepEqual(accepted.map((e) => e.remotePort).sort(), [...client.data].sort());
  });

  it('who finds TCP on ::1 and UDP, and prints them grouped by owner for people', async () => {
    const six = JSON.parse((await runCli(['who', String(server.data.tcp6), '--json'])).stdout) as OwnedEndpoint[];
    assert.deepEqual(six.map((e) => [e.family, e.localAddress, e.state, e.pid]), [['ipv6', '::1', 'LISTEN', server.pid]]);
    const udp = JSON.parse((await runCli(['who', String(server.data.udp), '--json'])).stdout) as OwnedEndpoint[];
    assert.deepEqual(udp.map((e) => [e.protocol, e.state, e.pid]), [['udp', null, server.pid]]);

    const human = await runCli(['who', String(server.data.tcp6), String(server.data.udp)]);
    assert.equal(human.code, 0);
    assert.match(human.stdout, new RegExp(`PID ${server.pid}  ${NODE_PROCESS_NAME}`));
    assert.match(human.stdout, new RegExp(`TCP6 +\\[::1\\]:${server.data.tcp6} +\\*:\\* +LISTEN`));
    assert.match(human.stdout, new RegExp(`UDP +127\\.0\\.0\\.1:${server.data.udp}`));
  });

  it("who finds the client's ESTABLISHED connections by their local ports", async () => {
    const endpoints = JSON.parse((await runCli(['who', ...client.data.map(String), '--json'])).stdout) as OwnedEndpoint[];
    assert.equal(endpoints.length, 3);
    assert.ok(endpoints.every((e) => e.pid === client.pid && e.state === 'ESTABLISHED' && e.remotePort === server.data.tcp4));
  });

  // Node 24 renames its main thread 'MainThread', so a symlinked executable name cannot show there; the Node 20 run covers it
  it('names a process whose name has spaces and parentheses', { skip: NODE_PROCESS_NAME !== 'node' && 'this Node names its main thread MainThread' }, async () => {
    const endpoints = JSON.parse((await runCli(['who', String(oddName.data), '--json'])).stdout) as OwnedEndpoint[];
    assert.equal(endpoints[0]?.pid, oddName.pid);
    assert.equal(endpoints[0]?.processName, 'a b) (c');
  });

  it('list filters by PID, state and protocol', async () => {
    const run = await runCli(['list', '--pid', String(client.pid), '--state', 'established', '--json']);
    const endpoints = JSON.parse(run.stdout) as OwnedEndpoint[];
    assert.deepEqual(endpoints.map((e) => e.localPort).sort(), [...client.data].sort());
    const udp = JSON.parse((await runCli(['list', '--pid', String(server.pid), '--proto', 'udp', '--json'])).stdout) as OwnedEndpoint[];
    assert.deepEqual(udp.map((e) => e.localPort), [server.data.udp]);
    const table = await runCli(['list', '--pid', String(server.pid)]);
    assert.match(table.stdout, /^PROTO +LOCAL +REMOTE +STATE +PID +PROCESS/);
  });

  it('procs counts the children by state, with ephemeral ports and handles', async () => {
    const run = await runCli(['procs', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const rows = JSON.parse(run.stdout) as Array<Record<string, number | string | null>>;
    const serverRow = rows.find((row) => row.pid === server.pid)!;
    assert.deepEqual(
      { sockets: serverRow.sockets, listen: serverRow.listen, established: serverRow.established, udp: serverRow.udp },
      { sockets: 6, listen: 2, established: 3, udp: 1 },
    );
    const clientRow = rows.find((row) => row.pid === client.pid)!;
    assert.equal(clientRow.established, 3);
    assert.equal(clientRow.ephemeral, 3, 'the client connects from three ports of the dynamic range');
    assert.ok(typeof clientRow.handles === 'number' && clientRow.handles >= 3);
    assert.deepEqual(Object.keys(serverRow), ['pid', 'processName', 'commandLine', 'sockets', 'listen', 'established', 'timeWait', 'closeWait', 'bound', 'udp', 'ephemeral', 'handles']);

    const top = JSON.parse((await runCli(['procs', '--json', '--sort', 'sockets', '--top', '1'])).stdout) as unknown[];
    assert.equal(top.length, 1);
  });

  it('snapshot for a few ports still finds owners while stopping the fd scan early', async () => {
    const backend = new LinuxBackend();
    const snapshot = await backend.snapshot({ localPorts: new Set([server.data.tcp4]) });
    assert.ok(snapshot.endpoints.every((e) => e.localPort === server.data.tcp4));
    assert.equal(snapshot.processes.get(server.pid)?.name, NODE_PROCESS_NAME);
    assert.match(snapshot.processes.get(server.pid)!.startTime!, /^\d{4}-\d\d-\d\dT/);
  });
});
