// A socket whose holder lives outside porttop's PID namespace (here: porttop runs under
// `unshare --pid --mount-proc`, the listener outside it, both in one network namespace). Even root
// reads no process holding it, so who, why, kill and serve say where the holder is, not "run as root" nor
// "TIME_WAIT, nothing to stop".
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { BIN } from '../helpers/cli.js';
import { startHolder, type Holder } from '../helpers/children.js';

const ROOT = process.getuid?.() === 0;
const canUnshare = () => ROOT && spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true']).status === 0;

/** Runs the built bin as root inside a new PID namespace with its own /proc: the listener's process is not in it. */
function binInOwnPidNamespace(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const run = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', process.execPath, BIN, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('a holder outside porttop\'s PID namespace, seen as root', { skip: !canUnshare() && 'needs root and unshare --pid' }, () => {
  let holder: Holder<{ port: number }>;
  before(async () => {
    holder = await startHolder<{ port: number }>(
      `import net from 'node:net'; const server = net.createServer(); server.listen(0, '127.0.0.1', () => ready({ port: server.address().port }));`,
    );
  });
  after(() => holder.stop());

  it('who names no owner and says where it is, without sending root to become root', () => {
    const who = binInOwnPidNamespace(['who', String(holder.data.port)]);
    assert.equal(who.code, 0, who.stderr);
    assert.match(who.stdout, /no owning process/);
    assert.match(who.stdout, /LISTEN: held by no process porttop can read \(it read them all\): its holder runs in another PID namespace \(a container\), or the kernel keeps it/);
    assert.doesNotMatch(who.stdout, /run as root/);
  });

  it('why says the same, and points to the namespaces instead of root', () => {
    const why = binInOwnPidNamespace(['why', String(holder.data.port), '--host', '127.0.0.1']);
    assert.match(why.stdout, /TCP 127\.0\.0\.1:\d+ LISTEN is held by no process porttop can read \(it read them all\): its holder runs in another PID namespace/);
    assert.match(why.stdout, /fix: look for it in containers and other PID namespaces \(lsns -t pid\)/);
    assert.doesNotMatch(why.stdout, /as root to name it/);
  });

  it('kill stops nothing, exit 1, and says the port is held from outside its reach; the listener lives on', () => {
    const kill = binInOwnPidNamespace(['kill', String(holder.data.port)]);
    assert.equal(kill.code, 1, `${kill.stdout}${kill.stderr}`);
    assert.match(kill.stdout, new RegExp(`^port ${holder.data.port}: held by no process porttop can read \\(it read them all\\): its holder runs in another PID namespace \\(a container\\), or the kernel keeps it: nothing porttop can stop`));
    assert.doesNotMatch(kill.stdout + kill.stderr, /TIME_WAIT|run porttop as root/);
    assert.equal(holder.child.exitCode, null, 'the holder is untouched');
  });

  it('serve on that port: exit 2, one line saying the port is held from outside, not "run as root"', () => {
    const serve = binInOwnPidNamespace(['serve', '--listen', `127.0.0.1:${holder.data.port}`]);
    assert.equal(serve.code, 2, serve.stderr);
    assert.equal(serve.stderr.trimEnd().split('\n').length, 1, serve.stderr);
    assert.match(serve.stderr, new RegExp(`port ${holder.data.port} is in use by no process porttop can read \\(it read them all\\): its holder runs in another PID namespace`));
    assert.doesNotMatch(serve.stderr, /run as root/);
  });

  it('the control: outside the namespace porttop names the listener\'s PID', () => {
    const who = spawnSync(process.execPath, [BIN, 'who', String(holder.data.port), '--json'], { encoding: 'utf8' });
    assert.deepEqual(JSON.parse(who.stdout).map((endpoint: { pid: number }) => endpoint.pid), [holder.pid]);
  });
});
