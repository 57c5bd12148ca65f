// The backend over a crafted procfs tree: processes that vanish mid-scan are skipped, not a crash.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LinuxBackend } from '../../src/linux/backend.js';

const fixture = (name: string) => new URL(`../fixtures/linux/${name}`, import.meta.url);
const STAT_TAIL = 'S 1 1 1 0 -1 4194304 140 0 0 0 0 0 0 0 20 0 1 0 500 2990080 413 0 0 0';

describe('LinuxBackend over a crafted /proc tree', { skip: process.platform !== 'linux' && 'needs Linux (symlinks, procfs layout)' }, () => {
  let root: string;

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'porttop-proc-'));
    mkdirSync(join(root, 'net'));
    copyFileSync(fixture('proc-net-tcp-crafted.txt'), join(root, 'net', 'tcp'));
    writeFileSync(join(root, 'stat'), 'cpu 1 2 3\nbtime 1764130000\n');
    // PID 10 owns the listener (inode 100) and the CLOSE_WAIT socket (inode 102)
    mkdirSync(join(root, '10', 'fd'), { recursive: true });
    symlinkSync('socket:[100]', join(root, '10', 'fd', '3'));
    symlinkSync('/dev/null', join(root, '10', 'fd', '4'));
    symlinkSync('socket:[102]', join(root, '10', 'fd', '5'));
    writeFileSync(join(root, '10', 'stat'), `10 (web (v2)) ${STAT_TAIL}`);
    writeFileSync(join(root, '10', 'cmdline'), 'web\0--port\x008080\0');
    // PID 20 owns the BOUND socket (inode 101) but exits before its stat is read
    mkdirSync(join(root, '20', 'fd'), { recursive: true });
    symlinkSync('socket:[101]', join(root, '20', 'fd', '7'));
    // PID 30 exited before its fd table was read: no fd directory at all
    mkdirSync(join(root, '30'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('assigns owners by inode, skips vanished processes, keeps unowned sockets', async () => {
    const snapshot = await new LinuxBackend({ procRoot: root }).snapshot();
    const owners = snapshot.endpoints.map((e) => [e.state, e.pid]);
    assert.deepEqual(owners, [['LISTEN', 10], ['TIME_WAIT', null], ['BOUND', null], ['CLOSE_WAIT', 10], ['ESTABLISHED', null]]);
    assert.deepEqual([...snapshot.processes.keys()], [10]);
    assert.deepEqual(snapshot.processes.get(10), {
      pid: 10, name: 'web (v2)', commandLine: 'web --port 8080', startTime: '2025-11-26T04:06:45.000Z', handles: 3, parentPid: 1,
      parentChain: [], sessionLeader: false, unit: null, container: null,
    });
    assert.deepEqual(snapshot.warnings, [], 'nothing was unreadable, so nothing is reported hidden');
  });

  it('reads tcp6/udp tables only when present (IPv6 disabled is not an error)', async () => {
    const backend = new LinuxBackend({ procRoot: root });
    const snapshot = await backend.snapshot({ localPorts: new Set([8080]) });
    assert.deepEqual(snapshot.endpoints.map((e) => e.localPort), [8080, 8080]);
  });
});
