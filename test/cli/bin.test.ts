// The built bin end to end inside a private network namespace: real exit codes and JSON shapes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { NODE_PROCESS_NAME, startHolder, type Holder } from '../helpers/children.js';
import { NetNamespace } from '../helpers/netns.js';
import { runBin } from '../helpers/cli.js';

const canRun = process.platform === 'linux' && NetNamespace.available();

describe('porttop bin end to end', { skip: !canRun && 'needs root and ip netns (unshare --net)' }, () => {
  let ns: NetNamespace;
  let server: Holder;
  const bin = (...args: string[]) => runBin(args, ns.prefix);

  before(async () => {
    ns = NetNamespace.create();
    server = await startHolder(
      `import net from 'node:net'; const s = net.createServer().listen(18080, '127.0.0.1', () => ready()); setInterval(() => {}, 1000);`,
      { prefix: ns.prefix },
    );
  });
  after(async () => {
    await server?.stop();
    ns?.destroy();
  });

  it('who: exit 0 with the documented JSON fields; 80 never matches 8080', () => {
    const run = bin('who', '18080', '--json');
    assert.equal(run.code, 0, run.stderr);
    const rows = JSON.parse(run.stdout) as Array<Record<string, unknown> & { holders: Array<Record<string, unknown>> }>;
    assert.deepEqual(rows.map(({ holders, ...row }) => row), [
      { protocol: 'tcp', family: 'ipv4', localAddress: '127.0.0.1', localPort: 18080, remoteAddress: null, remotePort: null, state: 'LISTEN', pid: server.pid, processName: NODE_PROCESS_NAME },
    ]);
    assert.deepEqual(Object.keys(rows[0]!.holders[0]!), ['pid', 'processName', 'commandLine', 'startTime', 'unit', 'container', 'services', 'parentChain']);
    assert.equal(rows[0]!.holders[0]!.pid, server.pid);
    const prefix = bin('who', '1808', '--json');
    assert.equal(prefix.code, 1);
    assert.deepEqual(JSON.parse(prefix.stdout), []);
    assert.equal(bin('who', '8080').code, 1);
    assert.equal(bin('who', '18000-18100', '--json').code, 0);
  });

  it('who: exit 1 and a plain sentence when nothing uses the port', () => {
    const run = bin('who', '1808');
    assert.equal(run.code, 1);
    assert.equal(run.stdout, 'nothing uses port 1808\n');
  });

  it('exit 2 with one line on stderr for bad input, nothing on stdout', () => {
    for (const args of [['who', '70000'], ['who', 'http'], ['who'], ['frobnicate'], ['who', '80', '--bogus'], ['list', '--state', 'WAITING'], ['procs', '--sort', 'cpu'], ['procs', '--top', '0'], ['kill', '80', '--signal', 'NOPE'], ['list', '--backend', 'bsd']]) {
      const run = bin(...args);
      assert.equal(run.code, 2, `${args.join(' ')} -> ${run.code}: ${run.stderr}`);
      assert.equal(run.stderr.trim().split('\n').length, 1, `one line for ${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, /^porttop: /);
      assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
      assert.equal(run.stdout, '');
    }
  });

  it('list, procs and range show print JSON only', () => {
    const list = JSON.parse(bin('list', '--json').stdout) as Array<{ pid: number | null }>;
    assert.ok(list.some((e) => e.pid === server.pid));
    const procs = JSON.parse(bin('procs', '--json').stdout) as Array<{ pid: number; listen: number }>;
    assert.deepEqual(procs.map((row) => [row.pid, row.listen]), [[server.pid, 1]]);
    const ranges = JSON.parse(bin('range', 'show', '--json').stdout) as unknown[];
    assert.equal(ranges.length, 4);
  });

  it('kill: exit 5 when the holder is hidden from a non-root user, exit 0 as root, then exit 1', async () => {
    const victim = await startHolder(
      `import net from 'node:net'; const s = net.createServer().listen(18081, '127.0.0.1', () => ready()); setInterval(() => {}, 1000);`,
      { prefix: ns.prefix },
    );
    try {
      // nobody cannot even see the owner of a root process's socket: porttop says so instead of "nothing"
      const hidden = runBin(['kill', '18081'], [...ns.prefix, 'setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']);
      assert.equal(hidden.code, 5, hidden.stderr);
      assert.match(hidden.stderr, /^port 18081 is still held by a process hidden from this user: run porttop as root \(sudo\)\n/);
      const who = runBin(['who', '18081'], [...ns.prefix, 'setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']);
      assert.match(who.stdout, /no owning process[\s\S]*owner hidden[\s\S]*note: owners of \d+ sockets hidden: run as root/);
      const run = bin('kill', '18081', '--json');
      assert.equal(run.code, 0, run.stderr);
      const [report] = (JSON.parse(run.stdout) as { processes: Array<Record<string, unknown>> }).processes;
      assert.deepEqual(Object.keys(report!), ['pid', 'processName', 'ports', 'outcome', 'signals', 'message']);
      assert.equal(report!.outcome, 'stopped');
      await victim.exited;
      assert.equal(bin('kill', '18081').code, 1);
    } finally {
      await victim.stop();
    }
  });
});
