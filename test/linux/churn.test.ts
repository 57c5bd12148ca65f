// Rows of /proc/net/tcp under real churn: the kernel hands a large table out in chunks, and sockets that
// come and go between two chunks make it list some twice. Every snapshot must list each socket once.
// Runs in a private network namespace (its own /proc/net/tcp, loopback only), with bounded loops.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { OwnedEndpoint } from '../../src/core/select.js';
import { startHolder, type Holder } from '../helpers/children.js';
import { spawnSync } from 'node:child_process';
import { BIN } from '../helpers/cli.js';
import { NetNamespace } from '../helpers/netns.js';

// 3,000 kept connections (6,000 sockets, about 900 KB of table: several chunks) plus 200 that are
// opened and closed over and over, for at most 60 s.
const CHURN = `
import net from 'node:net';
const server = net.createServer((socket) => socket.on('error', () => {}));
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const port = server.address().port;
const open = () => new Promise((ok, fail) => { const c = net.connect(port, '127.0.0.1', () => ok(c)); c.on('error', fail); });
const kept = [];
for (let i = 0; i < 3000; i++) kept.push(await open());
const deadline = Date.now() + 60_000;
let churning = true;
process.on('SIGTERM', () => { churning = false; process.exit(0); });
ready(port);
while (churning && Date.now() < deadline) {
  const batch = await Promise.all(Array.from({ length: 200 }, open));
  for (const socket of batch) socket.destroy();
  await new Promise((ok) => setTimeout(ok, 5));
}
`;

describe('snapshots under churn', { skip: !NetNamespace.available() && 'needs root and ip netns' }, () => {
  let namespace: NetNamespace;
  let churn: Holder<number>;
  before(async () => {
    namespace = NetNamespace.create();
    churn = await startHolder<number>(CHURN, { prefix: namespace.prefix, timeoutMs: 60_000 });
  });
  after(async () => {
    await churn?.stop();
    namespace?.destroy();
  });

  it('list --json names every socket once (by inode, else by 4-tuple and state)', () => {
    for (let round = 0; round < 4; round++) {
      const run = spawnSync(namespace.prefix[0]!, [...namespace.prefix.slice(1), process.execPath, BIN, 'list', '--json'], {
        encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024,
      });
      assert.equal(run.status, 0, run.stderr);
      const rows = JSON.parse(run.stdout) as OwnedEndpoint[];
      assert.ok(rows.length >= 6000, `the kept connections are listed (${rows.length} rows)`);
      const keys = rows.map((row) => `${row.protocol}${row.family} ${row.localAddress}:${row.localPort} ${row.remoteAddress}:${row.remotePort} ${row.state}`);
      const duplicates = keys.length - new Set(keys).size;
      assert.equal(duplicates, 0, `round ${round}: ${duplicates} rows listed twice`);
    }
  });
});
