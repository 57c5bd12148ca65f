// `porttop kill` proves the stop: it looks at the asked ports again and the exit code says whether they
// are free. Real processes: forked listeners, a respawning supervisor (--tree), porttop's own ancestors,
// non-ending signals, an unprivileged user next to root's listener.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it, after } from 'node:test';
import type { KillJson } from '../../src/commands/kill.js';
import { NODE_PROCESS_NAME, startHolder } from '../helpers/children.js';
import { BIN, runBin, runCli } from '../helpers/cli.js';
import { forkedListener, startPython, type GroupChild } from '../helpers/group.js';

const LINUX = process.platform === 'linux';
const ROOT = process.getuid?.() === 0;
const NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

// wrapper (a session leader, as a terminal's shell) -> supervisor -> listener; the supervisor starts the
// listener again whenever it ends (at most 20 times), on the same port
const RESPAWNING = `
import socket, os, time, json
probe = socket.socket(); probe.bind(("127.0.0.1", 0)); port = probe.getsockname()[1]; probe.close()
r, w = os.pipe()
supervisor = os.fork()
if supervisor == 0:
    for i in range(20):
        child = os.fork()
        if child == 0:
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", port)); s.listen(); os.write(w, b"x"); time.sleep(120); os._exit(0)
        os.waitpid(child, 0)
    os._exit(0)
os.read(r, 1)
print("READY " + json.dumps({"port": port, "supervisor": supervisor}), flush=True)
time.sleep(120)
`;

describe('a proven stop', { skip: !LINUX && 'needs Linux' }, () => {
  const started: GroupChild[] = [];
  after(async () => {
    await Promise.all(started.map((child) => child.stop()));
  });

  it('stops both processes of a forked listener and says the port is free (exit 0)', async () => {
    const child = await startPython<{ port: number; pids: number[] }>(forkedListener(2));
    started.push(child);
    const run = await runCli(['kill', String(child.data.port)]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    for (const pid of child.data.pids) assert.match(run.stdout, new RegExp(`^PID ${pid} python3 \\(port ${child.data.port}\\): stopped by SIGTERM$`, 'm'));
    assert.match(run.stdout, new RegExp(`^port ${child.data.port} is free$`, 'm'));
    for (const pid of child.data.pids) assert.ok(!alive(pid) || spawnSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).stdout.trim().startsWith('Z'));
  });

  it('kill P Q says per port what was found; a free Q does not spoil exit 0', async () => {
    const child = await startPython<{ port: number; pids: number[] }>(forkedListener(1));
    started.push(child);
    const free = await startHolder<number>(`import net from 'node:net'; const s = net.createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => ready(p)); });`);
    const run = await runCli(['kill', String(child.data.port), String(free.data)]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, new RegExp(`^port ${child.data.port} is free$`, 'm'));
    assert.match(run.stdout, new RegExp(`^port ${free.data}: nothing holds it$`, 'm'));
    const none = await runCli(['kill', String(free.data), '--json']);
    assert.equal(none.code, 1);
    assert.deepEqual((JSON.parse(none.stdout) as KillJson).ports.map((port) => [port.port, port.found.holders]), [[free.data, []]]);
  });

  it('names the supervisor that restarted the holder (exit 5); --tree --dry-run shows the family; --tree stops it (exit 0)', async () => {
    const wrapper = await startPython<{ port: number; supervisor: number }>(RESPAWNING);
    started.push(wrapper);
    const { port, supervisor } = wrapper.data;
    const plain = await runCli(['kill', String(port), '--json']);
    assert.equal(plain.code, 5, plain.stdout + plain.stderr);
    const json = JSON.parse(plain.stdout) as KillJson;
    assert.equal(json.processes[0]!.outcome, 'stopped');
    const [after] = json.ports;
    assert.equal(after!.after?.status, 'held');
    const respawned = after!.after!.holders[0]!;
    assert.notEqual(respawned.pid, json.processes[0]!.pid);
    assert.deepEqual(respawned.restartedBy, { pid: supervisor, name: 'python3' });
    const text = await runCli(['kill', String(port)]);
    assert.equal(text.code, 5);
    assert.match(text.stderr, new RegExp(`^port ${port} is still held by PID \\d+ python3 \\(restarted by PID ${supervisor} python3: stop that, or use --tree\\)$`, 'm'));

    const dry = await runCli(['kill', String(port), '--tree', '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, new RegExp(`--tree would stop this family, topmost first:\\n  PID ${supervisor} python3.*\\n    └ PID \\d+ python3`));
    assert.match(dry.stdout, new RegExp(`above it: PID ${wrapper.pid} python3, a session leader`));
    assert.ok(alive(supervisor), '--dry-run stopped nothing');

    const tree = await runCli(['kill', String(port), '--tree', '--json']);
    assert.equal(tree.code, 0, tree.stdout + tree.stderr);
    const stopped = JSON.parse(tree.stdout) as KillJson;
    assert.equal(stopped.processes[0]!.pid, supervisor, 'the supervisor goes first');
    assert.equal(stopped.ports[0]!.after?.status, 'free');
    assert.ok(alive(wrapper.pid), 'the session leader above the family is left alone');
  });

  it('a connection left in TIME_WAIT on the port does not count as held, and is mentioned', async () => {
    const server = await startHolder<number>(`import net from 'node:net'; const s = net.createServer((c) => c.on('error', () => {})).listen(0, '127.0.0.1', () => ready(s.address().port)); setInterval(() => {}, 1000);`);
    const { connect } = await import('node:net');
    const client = connect(server.data, '127.0.0.1');
    client.on('end', () => client.end());
    client.on('error', () => {});
    await new Promise((resolve) => client.once('connect', resolve));
    try {
      const run = await runCli(['kill', String(server.data)]);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.match(run.stdout, new RegExp(`^port ${server.data} is free \\(1 TIME_WAIT socket left: they hold no listener and go by themselves\\)$`, 'm'));
    } finally {
      client.destroy();
      await server.stop();
    }
  });

  it("refuses every ancestor of porttop: a listener that runs `sh -c 'porttop kill PORT'` on its own port", async () => {
    const source = `
import socket, subprocess, json, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
run = subprocess.run(["sh", "-c", ${JSON.stringify(`"${process.execPath}" "${BIN}" kill "$0" --json; exit $?`)}, str(s.getsockname()[1])], capture_output=True, text=True)
print("READY " + json.dumps({"code": run.returncode, "out": run.stdout, "err": run.stderr}), flush=True)
`;
    const child = await startPython<{ code: number; out: string; err: string }>(source);
    started.push(child);
    assert.equal(child.data.code, 3, child.data.out + child.data.err);
    const [report] = (JSON.parse(child.data.out) as KillJson).processes;
    assert.equal(report!.pid, child.pid);
    assert.equal(report!.outcome, 'refused');
    assert.match(report!.message, /ancestor of porttop/);
  });

  it('--signal HUP is sent once, never escalated nor called ignored; numeric 15 and 9 are accepted', async () => {
    const source = `
import socket, signal, json, time, os
signal.signal(signal.SIGHUP, lambda *a: print("got HUP", flush=True))
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
print("READY " + json.dumps({"port": s.getsockname()[1], "pids": [os.getpid()]}), flush=True)
while True: time.sleep(1)
`;
    const child = await startPython<{ port: number }>(source);
    started.push(child);
    const hup = await runCli(['kill', String(child.data.port), '--signal', 'HUP', '--timeout', '0.2', '--json']);
    assert.equal(hup.code, 0, hup.stdout + hup.stderr);
    const [report] = (JSON.parse(hup.stdout) as KillJson).processes;
    assert.deepEqual([report!.outcome, report!.signals], ['signalled', ['SIGHUP']]);
    assert.doesNotMatch(report!.message, /ignored/);
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.ok(alive(child.pid), 'still running after HUP and the timeout: no SIGKILL followed');
    const text = await runCli(['kill', String(child.data.port), '--signal', '10', '--dry-run']);
    assert.match(text.stdout, /would stop it \(SIGUSR1 once\)/);
    const fifteen = await runCli(['kill', String(child.data.port), '--signal', '15', '--json']);
    assert.equal(fifteen.code, 0, fifteen.stdout + fifteen.stderr);
    assert.deepEqual((JSON.parse(fifteen.stdout) as KillJson).processes[0]!.signals, ['SIGTERM']);
  });

  it('bad flags exit 2 with one line: a missing value, a value on a flag, an unknown signal', async () => {
    for (const args of [['kill', '80', '--timeout', '--force'], ['kill', '80', '--force=maybe'], ['kill', '80', '--signal', '99'], ['kill', '80', '--tree=yes'], ['kill', '80', '--signal'], ['kill', '80', '--force', '--signal', 'HUP'], ['kill', '80', '--bogus']]) {
      const run = await runCli(args);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    }
  });

  it('an unprivileged user asking for two ports: its own is stopped, root\'s is reported as hidden (exit 5)', { skip: !ROOT && 'needs root to drop to nobody' }, async () => {
    const rootListener = await startHolder<number>(`import net from 'node:net'; const s = net.createServer().listen(0, '127.0.0.1', () => ready(s.address().port)); setInterval(() => {}, 1000);`);
    const userListener = await startHolder<number>(
      `import net from 'node:net'; const s = net.createServer().listen(0, '127.0.0.1', () => ready(s.address().port)); setInterval(() => {}, 1000);`,
      { prefix: NOBODY },
    );
    try {
      const run = runBin(['kill', String(rootListener.data), String(userListener.data)], NOBODY);
      assert.equal(run.code, 5, run.stdout + run.stderr);
      assert.match(run.stdout, new RegExp(`^PID ${userListener.pid} ${NODE_PROCESS_NAME} \\(port ${userListener.data}\\): stopped by SIGTERM$`, 'm'));
      assert.match(run.stdout, new RegExp(`^port ${userListener.data} is free$`, 'm'));
      assert.match(run.stderr, new RegExp(`^port ${rootListener.data} is still held by a process hidden from this user: run porttop as root \\(sudo\\)$`, 'm'));
      assert.ok(alive(rootListener.pid));
      await userListener.exited;
    } finally {
      await Promise.all([rootListener.stop(), userListener.stop()]);
    }
  });
});
