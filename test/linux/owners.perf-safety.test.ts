// The fd scan stops once every wanted socket has an owner (what makes `porttop who P` beat ss -p on
// a busy machine), yet finds the same owners (the lowest PID holding a socket) and, for the full
// view, still counts every process's fds.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { scanSocketOwners } from '../../src/linux/owners.js';
import { parseProcNet } from '../../src/linux/procnet.js';
import { startHolder } from '../helpers/children.js';

describe('scanSocketOwners over a crafted /proc tree', { skip: process.platform !== 'linux' && 'needs Linux (symlinks, procfs layout)' }, () => {
  let root: string;

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'porttop-owners-'));
    const fds = (pid: number, targets: string[]) => {
      mkdirSync(join(root, String(pid), 'fd'), { recursive: true });
      targets.forEach((target, index) => symlinkSync(target, join(root, String(pid), 'fd', String(index + 3))));
    };
    fds(5, ['socket:[999]', '/dev/null']);
    fds(10, ['/dev/null', 'socket:[100]', 'socket:[101]', 'pipe:[7]']);
    fds(20, ['socket:[100]']); // a forked child sharing the listener: the lower PID is reported
    fds(30, ['socket:[102]', 'anon_inode:[eventpoll]']);
    mkdirSync(join(root, 'self'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const scan = (wanted: number[], countAllFds: boolean) => scanSocketOwners({ wanted: new Set(wanted), countAllFds, procRoot: root });
  const sortedKeys = (map: Map<number, number>) => [...map.keys()].sort((a, b) => a - b);

  it('stops after the process that held the last wanted socket', async () => {
    const result = await scan([100], false);
    assert.deepEqual([...result.ownerByInode], [[100, 10]]);
    assert.deepEqual(sortedKeys(result.fdCounts), [5, 10], 'PIDs 20 and 30 were not read');
    assert.equal(result.fdCounts.get(10), 4, "the owner's fd count is complete although the scan stopped inside it");
  });

  it('goes on while a wanted socket is still unowned', async () => {
    const result = await scan([100, 102], false);
    assert.deepEqual(new Map(result.ownerByInode), new Map([[100, 10], [102, 30]]));
    assert.deepEqual(sortedKeys(result.fdCounts), [5, 10, 20, 30]);
  });

  it('reads nothing when nothing is wanted, and everything for the full view', async () => {
    assert.deepEqual(sortedKeys((await scan([], false)).fdCounts), []);
    const full = await scan([100, 101], true);
    assert.deepEqual(new Map(full.ownerByInode), new Map([[100, 10], [101, 10]]));
    assert.deepEqual(new Map(full.fdCounts), new Map([[5, 2], [10, 4], [20, 1], [30, 2]]));
  });

  it('a socket nobody holds leaves the scan running to the end, with no owner', async () => {
    const result = await scan([100, 4242], false);
    assert.deepEqual([...result.ownerByInode], [[100, 10]]);
    assert.deepEqual(sortedKeys(result.fdCounts), [5, 10, 20, 30]);
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
        true,
        [],
        new Set([holder.data.port]),
      );
      assert.ok(listener && listener.inode > 0, 'the listener is in /proc/net/tcp');
      const result = await scanSocketOwners({ wanted: new Set([listener.inode]), countAllFds: false });
      assert.equal(result.ownerByInode.get(listener.inode), holder.pid);
      assert.ok(result.fdCounts.has(holder.pid));
    } finally {
      await holder.stop();
    }
  });
});
