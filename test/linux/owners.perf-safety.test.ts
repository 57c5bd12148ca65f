// The fd scan finds every holder of every wanted socket (forked children share listeners), reads each
// holder's identity after its fd table (without /proc/uptime, as here, the long way: identity, fds again, identity), falls back to the threads' fd tables when the leader's is empty,
// and counts every process's fds for the full view.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { scanSocketOwners, uptimeTicks } from '../../src/linux/owners.js';
import { parseProcNet } from '../../src/linux/procnet.js';
import { startHolder } from '../helpers/children.js';

const stat = (pid: number, name: string, state = 'S', threads = 1) =>
  `${pid} (${name}) ${state} 1 ${pid} ${pid} 0 -1 4194304 140 0 0 0 0 0 0 0 20 0 ${threads} 0 ${1000 + pid} 2990080 413\n`;

describe('scanSocketOwners over a crafted /proc tree', { skip: process.platform !== 'linux' && 'needs Linux (symlinks, procfs layout)' }, () => {
  let root: string;

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'porttop-owners-'));
    const fds = (dir: string, targets: string[]) => {
      mkdirSync(join(root, dir, 'fd'), { recursive: true });
      targets.forEach((target, index) => symlinkSync(target, join(root, dir, 'fd', String(index + 3))));
    };
    const proc = (pid: number, targets: string[], name = 'server', state = 'S', threads = 1) => {
      fds(String(pid), targets);
      writeFileSync(join(root, String(pid), 'stat'), stat(pid, name, state, threads));
    };
    proc(5, ['socket:[999]', '/dev/null']);
    proc(10, ['/dev/null', 'socket:[100]', 'socket:[101]', 'pipe:[7]']);
    proc(20, ['socket:[100]', 'socket:[100]']); // a forked child sharing the listener, on two fds
    proc(30, ['socket:[102]', 'anon_inode:[eventpoll]']);
    // the main thread exited (Z, 2 threads): only the thread's table shows the socket
    proc(40, [], 'threaded', 'Z', 2);
    fds('40/task/41', ['socket:[103]', '/dev/null']);
    fds('40/task/42', ['socket:[103]', '/dev/null']);
    mkdirSync(join(root, '50', 'fd'), { recursive: true }); // no stat: exited between readdir and now
    symlinkSync('socket:[100]', join(root, '50', 'fd', '3'));
    // a kernel thread: no fds and no other thread (told apart by listing its threads, not by reading stat)
    mkdirSync(join(root, '60', 'fd'), { recursive: true });
    mkdirSync(join(root, '60', 'task', '60'), { recursive: true });
    mkdirSync(join(root, 'self'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const scan = (wanted: number[]) => scanSocketOwners({ wanted: new Set(wanted), procRoot: root });

  it('keeps every holder of a socket, ascending, each once', async () => {
    const result = await scan([100, 101, 102]);
    assert.deepEqual(new Map(result.holdersByInode), new Map([[100, [10, 20]], [101, [10]], [102, [30]]]));
    assert.deepEqual([...result.identities.keys()].sort((a, b) => a - b), [10, 20, 30]);
    assert.equal(result.identities.get(20)?.name, 'server');
  });

  it('reads the threads\' fd table when the exited leader\'s is empty', async () => {
    const result = await scan([103]);
    assert.deepEqual([...result.holdersByInode], [[103, [40]]]);
    assert.equal(result.fdCounts.get(40), 2, 'the shared table of threads 41 and 42 is counted once');
  });

  it('counts every process\'s fds, wanted or not, reading no identity for that', async () => {
    const result = await scan([]);
    assert.deepEqual(new Map(result.fdCounts), new Map([[5, 2], [10, 4], [20, 2], [30, 2], [40, 2], [50, 1], [60, 0]]));
    assert.equal(result.holdersByInode.size, 0);
    assert.deepEqual(result.changedIdentity, []);
  });

  it('a holder without stat (exited after its fds were read) is left out quietly, as exited', async () => {
    const result = await scan([100]);
    assert.deepEqual([...result.holdersByInode], [[100, [10, 20]]]);
    assert.deepEqual(result.changedIdentity, []);
  });

  it('with /proc/uptime, holders started before the scan are confirmed by one identity read; the answer is the same', async () => {
    writeFileSync(join(root, 'uptime'), '12.34 56.78\n');
    try {
      assert.equal(uptimeTicks(root), 1234);
      const result = await scan([100, 101, 102, 103]);
      assert.deepEqual(new Map(result.holdersByInode), new Map([[100, [10, 20]], [101, [10]], [102, [30]], [103, [40]]]));
      assert.deepEqual(result.changedIdentity, []);
    } finally {
      rmSync(join(root, 'uptime'));
    }
    assert.equal(uptimeTicks(root), null);
  });

  it('a socket nobody holds has no entry', async () => {
    const result = await scan([100, 4242]);
    assert.deepEqual([...result.holdersByInode], [[100, [10, 20]]]);
  });
});

describe('scanSocketOwners on the real /proc', { skip: process.platform !== 'linux' && 'needs Linux /proc' }, () => {
  it("finds a real child's listening socket by its inode", async () => {
    const holder = await startHolder<{ port: number }>(
      `import net from 'node:net'; const server = net.createServer(); server.listen(0, '127.0.0.1', () => ready({ port: server.address().port }));`,
    );
    try {
      const [listener] = parseProcNet(
        { protocol: 'tcp', family: 'ipv4', text: readFileSync('/proc/net/tcp', 'latin1') },
        { localPorts: new Set([holder.data.port]) },
      );
      assert.ok(listener && listener.inode > 0, 'the listener is in /proc/net/tcp');
      const result = await scanSocketOwners({ wanted: new Set([listener.inode]) });
      assert.deepEqual(result.holdersByInode.get(listener.inode), [holder.pid]);
      assert.ok(result.fdCounts.has(holder.pid));
    } finally {
      await holder.stop();
    }
  });
});
