// `porttop range` in-process on a Windows-shaped backend: show, set and reset with --json field names
// that match the flags, one undo command, and nothing changed on bad input; and on Linux, in private
// namespaces, the words for a range the kernel refuses (EINVAL) or a read-only /proc/sys (EROFS).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { BIN, runCli } from '../helpers/cli.js';
import { processes, snapshotOf, windowsRanges } from '../diagnose/snapshots.js';
import { MemoryBackend } from './memoryBackend.js';

const windows = () => new MemoryBackend({ platform: 'windows', snapshot: snapshotOf([], processes()), ranges: windowsRanges() });

describe('porttop range', () => {
  it('show --json names the size num, as the --num flag does', async () => {
    const run = await runCli(['range', 'show', '--json'], windows());
    assert.deepEqual(JSON.parse(run.stdout)[0], { protocol: 'tcp', family: 'ipv4', start: 49152, num: 16384, end: 65535 });
  });

  it('set --proto tcp --family ipv4 changes that range and prints the one command that undoes it', async () => {
    const backend = windows();
    const run = await runCli(['range', 'set', '--start', '10000', '--num', '1000', '--proto', 'tcp', '--family', 'ipv4', '--json'], backend);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.deepEqual(report.after[0], { protocol: 'tcp', family: 'ipv4', start: 10000, num: 1000, end: 10999 });
    assert.deepEqual(report.undo, ['porttop range set --start 49152 --num 16384 --proto tcp --family ipv4']);
    assert.equal(backend.rangeChanges.length, 1);
  });

  it('a bad --num changes nothing: one line, exit 2', async () => {
    const backend = windows();
    const run = await runCli(['range', 'set', '--start', '10000', '--num', '10'], backend);
    assert.equal(run.code, 2);
    assert.equal(run.stderr, "porttop: invalid --num '10': expected a whole number of ports, at least 255\n");
    assert.equal(backend.rangeChanges.length, 0);
  });

  it('reset goes back to the OS default', async () => {
    const backend = windows();
    const run = await runCli(['range', 'reset', '--dry-run'], backend);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^dry run: nothing changed\n/);
    assert.equal(backend.rangeChanges.length, 0);
  });
});

const rootWithUnshare = process.getuid?.() === 0 && spawnSync('unshare', ['--net', '--mount', 'true']).status === 0;

/** The built bin in a fresh network (and mount) namespace, after a shell preamble run there. */
function binInNamespace(preamble: string, args: string): { code: number | null; stderr: string } {
  const result = spawnSync('unshare', ['--net', '--mount', 'sh', '-c', `${preamble} && "$NODE" "$BIN" ${args}`], {
    encoding: 'utf8',
    env: { ...process.env, NODE: process.execPath, BIN },
    timeout: 60_000,
  });
  return { code: result.status, stderr: result.stderr };
}

describe('porttop range set: what the Linux kernel refuses, in words (private namespaces)', { skip: rootWithUnshare ? false : 'needs root and unshare' }, () => {
  it('EINVAL below ip_unprivileged_port_start says so and how to fix it, exit 2', () => {
    const run = binInNamespace('echo 2000 > /proc/sys/net/ipv4/ip_unprivileged_port_start', 'range set --start 1025 --num 1000');
    assert.equal(run.code, 2);
    assert.equal(
      run.stderr,
      'porttop: the kernel refused the range 1025-2024 (EINVAL): its first port 1025 is below net.ipv4.ip_unprivileged_port_start (2000): start at 2000 or above, or lower that sysctl first\n',
    );
  });

  it('EROFS as root does not say "run as root": /proc/sys is read-only (a container), exit 3', () => {
    const run = binInNamespace('mount --bind /proc/sys /proc/sys && mount -o remount,bind,ro /proc/sys', 'range set --start 10000 --num 1000');
    assert.equal(run.code, 3);
    assert.match(run.stderr, /^porttop: cannot change net\.ipv4\.ip_local_port_range: \/proc\/sys is read-only here \(a container\?\)/);
    assert.doesNotMatch(run.stderr, /run porttop as root/);
  });
});
