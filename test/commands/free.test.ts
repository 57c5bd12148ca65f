// porttop free on real sockets: never a held, TIME_WAIT-blocked or (by default) in-range port; the
// ports it gives can be bound by another process.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { FreeResult } from '../../src/api/free.js';
import { LinuxBackend } from '../../src/linux/backend.js';
import { startHolder, type Holder } from '../helpers/children.js';
import { runBin, runCli } from '../helpers/cli.js';
import { NetNamespace } from '../helpers/netns.js';
import { listenSnippet, TIME_WAIT_SNIPPET } from '../helpers/sockets.js';

const linuxOnly = process.platform !== 'linux' && 'reads /proc';
const netnsSkip = linuxOnly || (!NetNamespace.available() && 'needs root and iproute2 for a private network namespace');
const holders: Holder[] = [];
after(async () => Promise.all(holders.map((holder) => holder.stop())));

async function free(args: string[]): Promise<{ code: number; result: FreeResult; stderr: string }> {
  const run = await runCli(['free', ...args, '--json']);
  return { code: run.code, result: JSON.parse(run.stdout) as FreeResult, stderr: run.stderr };
}

describe('free on real sockets', { skip: linuxOnly }, () => {
  it('gives ports outside the dynamic range that a child process can then bind', async () => {
    const [range] = await new LinuxBackend().getRanges();
    const { code, result } = await free(['--count', '3']);
    assert.equal(code, 0);
    assert.equal(result.ports.length, 3);
    for (const port of result.ports) {
      assert.ok(port >= 1024 && (port < range!.start || port > range!.end), `${port} is outside ${range!.start}-${range!.end}`);
      const child = await startHolder(`import { createServer } from 'node:net';
const server = createServer(); server.listen({ port: ${port}, host: '127.0.0.1' }, () => ready());`);
      holders.push(child);
    }
    const plain = await runCli(['free']);
    assert.match(plain.stdout, /^\d+\n$/, 'the first port alone, for PORT=$(porttop free)');
  });

  it('never returns a held port, nor one with only TIME_WAIT on it', async () => {
    const held = await startHolder<{ port: number }>(listenSnippet('0.0.0.0'));
    holders.push(held);
    const tw = await startHolder<{ port: number }>(TIME_WAIT_SNIPPET);
    await tw.stop();
    for (const port of [held.data.port, tw.data.port]) {
      const run = await runCli(['free', `${port}-${port}`]);
      assert.equal(run.code, 1, `port ${port}: ${run.stdout}`);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, new RegExp(`no free port in ${port}-${port} on 127\\.0\\.0\\.1 \\(tcp\\)`));
    }
    // a range around the held port skips it; those ports lie in the dynamic range, so a warning comes along
    const around = await free([`${held.data.port - 2}-${held.data.port + 2}`, '--count', '5']);
    assert.equal(around.result.ports.includes(held.data.port), false);
    assert.match(around.result.warnings[0] ?? '', /inside the dynamic range/);
  });

  it('udp and IPv6 hosts are tried as asked', async () => {
    const { code, result } = await free(['--proto', 'udp', '--host', '::1']);
    assert.equal(code, 0);
    assert.equal(result.proto, 'udp');
    assert.equal(result.host, '::1');
  });

  it('bad input exits 2 with one line', async () => {
    for (const args of [['--count', '0'], ['--count', 'x'], ['--host', 'not-an-address'], ['5000-4000'], ['70000'], ['--proto', 'all']]) {
      const run = await runCli(['free', ...args]);
      assert.equal(run.code, 2, args.join(' '));
      assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    }
  });
});

describe('free in a private network namespace', { skip: netnsSkip }, () => {
  it('skips a widened dynamic range by default and offers it, with a warning, only from a given range', () => {
    const ns = NetNamespace.create();
    try {
      assert.equal(ns.run('sysctl', ['-qw', 'net.ipv4.ip_local_port_range=1100 65000']).status, 0);
      const byDefault = runBin(['free', '--count', '80'], ns.prefix);
      assert.equal(byDefault.code, 0, byDefault.stderr);
      const expected = [...Array.from({ length: 76 }, (_, i) => 1024 + i), 65001, 65002, 65003, 65004];
      assert.deepEqual(byDefault.stdout.trim().split('\n').map(Number), expected, 'jumps from 1099 over the range to 65001');
      assert.equal(byDefault.stderr, '', 'no warning when nothing in range was offered');
      const high = runBin(['free', '1090-1110', '--count', '20'], ns.prefix);
      const ports = high.stdout.trim().split('\n').map(Number);
      assert.equal(ports.length, 20);
      assert.ok(ports.includes(1100));
      assert.match(high.stderr, /warning: 10 ports are inside the dynamic range 1100-65000/);
    } finally {
      ns.destroy();
    }
  });
});
