// The backend's faster table reading (one reused, growing buffer instead of readFileSync) and its
// port filter during parsing must give the same endpoints as reading and filtering the plain way.
// A crafted /proc tree holds tables larger than the buffer's first size.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LinuxBackend } from '../../src/linux/backend.js';
import { parseProcNet, type ProcEndpoint } from '../../src/linux/procnet.js';

const STAT_TAIL = 'S 1 1 1 0 -1 4194304 140 0 0 0 0 0 0 0 20 0 1 0 500 2990080 413 0 0 0';
const HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
const HEADER6 = '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
/** ~150 bytes a line: 6000 lines are 900 KB, several times the backend's first buffer */
const LINES = 6000;

function tcpLine(slot: number, localPort: number, remotePort: number, state: string, inode: number): string {
  const port = (value: number) => value.toString(16).toUpperCase().padStart(4, '0');
  return `${String(slot).padStart(4)}: 0100007F:${port(localPort)} 0100007F:${port(remotePort)} ${state} 00000000:00000000 00:00000000 00000000  1000        0 ${inode} 1 0000000000000000 20 4 30 10 -1`;
}

function tcp6Line(slot: number, localPort: number, inode: number): string {
  const port = localPort.toString(16).toUpperCase().padStart(4, '0');
  return `${String(slot).padStart(4)}: 0000000000000000FFFF00000100007F:${port} 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 ${inode} 1 0000000000000000 100 0 0 10 0`;
}

describe('LinuxBackend table reading over a crafted /proc tree larger than its buffer', { skip: process.platform !== 'linux' && 'needs Linux (symlinks, procfs layout)' }, () => {
  let root: string;
  let tcpText: string;
  let tcp6Text: string;

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'porttop-perf-proc-'));
    mkdirSync(join(root, 'net'));
    const tcp: string[] = [];
    for (let slot = 0; slot < LINES; slot++) {
      // every third line a TIME_WAIT without inode; ports 20000.. so port 20000+k is on line k
      tcp.push(tcpLine(slot, 20000 + slot, 40000 + (slot % 1000), slot % 3 === 0 ? '06' : '01', slot % 3 === 0 ? 0 : 1000 + slot));
    }
    tcpText = HEADER + tcp.join('\n') + '\n';
    writeFileSync(join(root, 'net', 'tcp'), tcpText);
    const tcp6: string[] = [];
    for (let slot = 0; slot < 2000; slot++) tcp6.push(tcp6Line(slot, 30000 + slot, 900000 + slot));
    tcp6Text = HEADER6 + tcp6.join('\n') + '\n';
    writeFileSync(join(root, 'net', 'tcp6'), tcp6Text);
    writeFileSync(join(root, 'net', 'udp'), HEADER); // header only
    // no udp6: IPv6 UDP disabled is not an error
    writeFileSync(join(root, 'stat'), 'cpu 1 2 3\nbtime 1764130000\n');
    mkdirSync(join(root, '10', 'fd'), { recursive: true });
    symlinkSync('socket:[1001]', join(root, '10', 'fd', '3')); // line 1 (port 20001)
    symlinkSync('socket:[900005]', join(root, '10', 'fd', '4')); // tcp6 line 5 (port 30005)
    symlinkSync('/dev/null', join(root, '10', 'fd', '5'));
    writeFileSync(join(root, '10', 'stat'), `10 (srv) ${STAT_TAIL}`);
    writeFileSync(join(root, '10', 'cmdline'), 'srv\0');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const plain = (): ProcEndpoint[] => {
    const endpoints = parseProcNet({ protocol: 'tcp', family: 'ipv4', text: readFileSync(join(root, 'net', 'tcp'), 'latin1') });
    return parseProcNet({ protocol: 'tcp', family: 'ipv6', text: readFileSync(join(root, 'net', 'tcp6'), 'latin1') }, { into: endpoints });
  };

  it('the full snapshot has every line of every table, in file order, with owners joined', async () => {
    const backend = new LinuxBackend({ procRoot: root });
    for (let round = 0; round < 2; round++) {
      // twice: the second snapshot reuses the grown buffer
      const snapshot = await backend.snapshot();
      const expected = plain();
      for (const endpoint of expected) {
        if (endpoint.inode === 1001 || endpoint.inode === 900005) {
          endpoint.pid = 10;
          endpoint.holders = [10];
        }
      }
      assert.equal(snapshot.endpoints.length, LINES + 2000);
      assert.deepEqual(snapshot.endpoints, expected);
      assert.deepEqual([...snapshot.processes.keys()], [10]);
      assert.equal(snapshot.processes.get(10)!.handles, 3);
    }
  });

  it('a one-port snapshot equals the full one filtered to that port, owners included', async () => {
    const backend = new LinuxBackend({ procRoot: root });
    const full = await backend.snapshot();
    for (const ports of [[20001], [30005], [20000, 25999, 30005], [1], [20001, 20002, 31999]]) {
      const wanted = new Set(ports);
      const snapshot = await new LinuxBackend({ procRoot: root }).snapshot({ localPorts: wanted });
      assert.deepEqual(snapshot.endpoints, full.endpoints.filter((endpoint) => wanted.has(endpoint.localPort)), `ports ${ports.join(',')}`);
    }
    const owned = await backend.snapshot({ localPorts: new Set([20001]) });
    assert.equal(owned.endpoints[0]!.pid, 10);
    assert.equal(owned.processes.get(10)!.name, 'srv');
  });

  it('a table that is not there is skipped; one that cannot be read is a backend error', async () => {
    const lonely = mkdtempSync(join(tmpdir(), 'porttop-perf-proc-'));
    try {
      mkdirSync(join(lonely, 'net'));
      writeFileSync(join(lonely, 'net', 'tcp'), HEADER + tcpLine(0, 8080, 0, '0A', 5) + '\n');
      const snapshot = await new LinuxBackend({ procRoot: lonely }).snapshot();
      assert.deepEqual(snapshot.endpoints.map((endpoint) => [endpoint.localPort, endpoint.state]), [[8080, 'LISTEN']]);
      mkdirSync(join(lonely, 'net', 'udp')); // a directory: read fails with EISDIR
      await assert.rejects(new LinuxBackend({ procRoot: lonely }).snapshot(), /cannot read .*net\/udp: EISDIR/);
    } finally {
      rmSync(lonely, { recursive: true, force: true });
    }
  });
});
