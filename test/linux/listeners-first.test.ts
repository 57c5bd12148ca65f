// `wait --listening` and `why` need only listeners: the kernel lists every listening TCP socket before
// all others in /proc/net/tcp and tcp6, so the Linux backend stops reading at the first other row.
// Checked here with real sockets: a listener opened after 40 connections is still found, and the
// premise itself (listeners first) is checked on the raw tables.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { LinuxBackend } from '../../src/linux/backend.js';
import { endOfListeners } from '../../src/linux/tableReader.js';
import { startHolder, type Holder } from '../helpers/children.js';

const CONNECTIONS = 40;

/** 40 loopback connections (IPv4 and IPv6), then a listener of each family opened last. */
const SOURCE = `
import net from 'node:net';
const open = (host) => new Promise((resolve) => { const s = net.createServer((c) => c.on('error', () => {})).listen(0, host, () => resolve(s)); });
const keep = [];
for (const host of ['127.0.0.1', '::1']) {
  const server = await open(host);
  for (let i = 0; i < ${CONNECTIONS / 2}; i++) {
    await new Promise((resolve) => { const c = net.connect(server.address().port, host, () => resolve()); c.on('error', () => {}); keep.push(c); });
  }
}
const late4 = await open('127.0.0.1');
const late6 = await open('::1');
ready({ late4: late4.address().port, late6: late6.address().port });
setInterval(() => {}, 1000);
`;

function stateColumn(row: string): string {
  // "sl: LOCAL:PORT REMOTE:PORT ST ..."
  return row.trim().split(/\s+/)[3] ?? '';
}

describe('listeners first', { skip: process.platform !== 'linux' && 'reads Linux /proc/net' }, () => {
  let holder: Holder<{ late4: number; late6: number }>;
  before(async () => {
    holder = await startHolder(SOURCE);
  });
  after(async () => holder?.stop());

  it('the kernel lists every LISTEN row before any other row (the premise)', () => {
    for (const table of ['tcp', 'tcp6']) {
      const states = readFileSync(`/proc/net/${table}`, 'latin1').split('\n').slice(1).filter(Boolean).map(stateColumn);
      const firstOther = states.findIndex((state) => state !== '0A');
      assert.ok(states.includes('01'), `${table} holds the test's connections`);
      if (firstOther !== -1) assert.equal(states.slice(firstOther).includes('0A'), false, `${table}: a LISTEN row after row ${firstOther}`);
    }
  });

  it('a listenersOnly snapshot finds the late listeners and reads no connection', async () => {
    const backend = new LinuxBackend();
    const ports = new Set([holder.data.late4, holder.data.late6]);
    const only = await backend.snapshot({ listenersOnly: true, localPorts: ports });
    assert.deepEqual(
      only.endpoints.filter((endpoint) => endpoint.protocol === 'tcp').map((endpoint) => [endpoint.localPort, endpoint.state, endpoint.pid]).sort(),
      [...ports].sort().map((port) => [port, 'LISTEN', holder.pid]),
    );
    const listeners = await backend.snapshot({ listenersOnly: true });
    assert.deepEqual([...new Set(listeners.endpoints.filter((endpoint) => endpoint.protocol === 'tcp').map((endpoint) => endpoint.state))], ['LISTEN']);
    const full = await backend.snapshot();
    assert.ok(full.endpoints.filter((endpoint) => endpoint.pid === holder.pid && endpoint.state === 'ESTABLISHED').length >= CONNECTIONS);
  });

  it('endOfListeners stops at the first other row, and waits for a row cut by the end of a read', () => {
    const header = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
    const listen = '   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 100 1 0 100 0 0 10 0\n';
    const established = '   1: 0100007F:1F90 0100007F:9C41 01 00000000:00000000 00:00000000 00000000     0        0 102 1 0 20 0 0 10 -1\n';
    const text = Buffer.from(header + listen + listen + established + listen, 'latin1');
    const firstOther = header.length + 2 * listen.length;
    assert.deepEqual(endOfListeners(text, 0, text.length, 'ipv4'), { done: true, at: firstOther });
    // a read that ends inside the established row: not decided yet, resume at that row
    assert.deepEqual(endOfListeners(text, 0, firstOther + 10, 'ipv4'), { done: false, at: firstOther });
    assert.deepEqual(endOfListeners(text, firstOther, text.length, 'ipv4'), { done: true, at: firstOther });
    const onlyListeners = Buffer.from(header + listen, 'latin1');
    assert.deepEqual(endOfListeners(onlyListeners, 0, onlyListeners.length, 'ipv4'), { done: false, at: onlyListeners.length });
  });
});
