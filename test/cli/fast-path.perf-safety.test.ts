// Plain `who <ports..> [--json]` and `list [--json]` calls skip yargs (src/cli-fast-path.ts). They must
// print the same bytes, to the same stream, with the same exit code as through yargs; the argument
// forms the fast path does not know must still go to yargs. Both ways run the real LinuxBackend over
// a crafted /proc tree, so their snapshots are identical.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseFastPath } from '../../src/cli-fast-path.js';
import { main } from '../../src/cli.js';
import { LinuxBackend } from '../../src/linux/backend.js';
import type { Runtime } from '../../src/runtime.js';
import { BIN } from '../helpers/cli.js';

const STAT_TAIL = 'S 1 1 1 0 -1 4194304 140 0 0 0 0 0 0 0 20 0 1 0 500 2990080 413 0 0 0';
const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 100 1 0000000004bd4a5d 100 0 0 10 0
   1: 0100007F:9C40 0100007F:1F90 06 00000000:00000000 03:000016E3 00000000     0        0 0 3 00000000c61e95a5
   2: 0100007F:1F90 0100007F:9C41 01 00000000:00000000 00:00000000 00000000     0        0 102 1 0000000097711058 20 0 0 10 -1
   3: 0100007F:9C41 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 103 1 0000000097711058 20 0 0 10 -1
`;
const UDP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
 7039: 0000000000000000FFFF00000100007F:0035 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 104 2 0000000000000000 0
`;

function capturing(procRoot: string): Runtime & { out: string; err: string } {
  const runtime = {
    out: '',
    err: '',
    openBackend: async () => new LinuxBackend({ procRoot }),
    stdout: (text: string) => void (runtime.out += text),
    stderr: (text: string) => void (runtime.err += text),
    isInteractive: false,
    exitCode: 0,
  };
  return runtime;
}

describe('the who/list fast path', { skip: process.platform !== 'linux' && 'compares both paths on the Linux backend' }, () => {
  let root: string;

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'porttop-fast-'));
    mkdirSync(join(root, 'net'));
    writeFileSync(join(root, 'net', 'tcp'), TCP);
    writeFileSync(join(root, 'net', 'udp6'), UDP6);
    writeFileSync(join(root, 'stat'), 'cpu 1 2 3\nbtime 1764130000\n');
    const process = (pid: number, name: string, cmdline: string, inodes: number[]) => {
      mkdirSync(join(root, String(pid), 'fd'), { recursive: true });
      inodes.forEach((inode, fd) => symlinkSync(`socket:[${inode}]`, join(root, String(pid), 'fd', String(fd + 3))));
      writeFileSync(join(root, String(pid), 'stat'), `${pid} (${name}) ${STAT_TAIL}`);
      writeFileSync(join(root, String(pid), 'cmdline'), cmdline);
    };
    process(10, 'web (v2)', 'web\0--port\x008080\0', [100, 102]);
    process(20, 'client', 'client\0', [103]);
    process(30, 'dns', 'dns\0', [104]);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const CASES: string[][] = [
    ['who', '8080'],
    ['who', '8080', '--json'],
    ['who', '--json', '8080'],
    ['who', '8080', '53'],
    ['who', '53', '--json'],
    ['who', '40000-40001', '--json'],
    ['who', '1-100'],
    ['who', '9999'],
    ['who', '9999', '--json'],
    ['who', '08080'],
    ['who', '0'],
    ['who', '65536'],
    ['who', '80-70'],
    ['who', '1-2-3'],
    ['who', '8080-'],
    ['list'],
    ['list', '--json'],
    ['--json', 'list'],
  ];

  for (const args of CASES) {
    it(`porttop ${args.join(' ')}: same output and exit code as through yargs`, async () => {
      const fast = capturing(root);
      const viaYargs = capturing(root);
      const fastCode = await main(args, fast);
      const yargsCode = await main(args, viaYargs, { fastPath: false });
      assert.equal(fast.out, viaYargs.out);
      assert.equal(fast.err, viaYargs.err);
      assert.equal(fastCode, yargsCode);
    });
  }

  it('the cases above include found, not found and bad input, and really took the fast path', async () => {
    const codes = new Set<number>();
    for (const args of CASES) codes.add(await main(args, capturing(root)));
    assert.deepEqual([...codes].sort(), [0, 1, 2]);
    assert.ok(CASES.filter((args) => parseFastPath(args) !== null).length >= 15);
  });

  it('takes only the plain forms; everything else is left to yargs', () => {
    assert.deepEqual(parseFastPath(['who', '8080', '--json']), { command: 'who', ports: ['8080'], json: true });
    assert.deepEqual(parseFastPath(['who', '80', '443-444']), { command: 'who', ports: ['80', '443-444'], json: false });
    assert.deepEqual(parseFastPath(['list']), { command: 'list', ports: [], json: false });
    for (const args of [
      [],
      ['who'],
      ['who', '--json'],
      ['who', '8080', '--json', '--json'],
      ['who', '8080', '--backend', 'linux'],
      ['who', '8080', '--help'],
      ['who', 'http'],
      ['who', '-1'],
      ['who', '8080', '--', '1'],
      ['list', '--state', 'LISTEN'],
      ['list', '8080'],
      ['list', '--json=false'],
      ['procs'],
      ['kill', '8080'],
      ['--json', 'who', '8080'],
      ['--version'],
    ]) {
      assert.equal(parseFastPath(args), null, JSON.stringify(args));
    }
  });

  it('the built bin answers who --json without loading yargs at all', () => {
    // a resolve hook that refuses yargs: the fast path must not need it, --version must (the control)
    const refuseYargs = `import { register } from 'node:module'; register('data:text/javascript,' + encodeURIComponent('export async function resolve(s, c, n) { if (s === "yargs") throw new Error("yargs was loaded"); return n(s, c); }'));`;
    const hook = `data:text/javascript,${encodeURIComponent(refuseYargs)}`;
    const who = spawnSync(process.execPath, ['--import', hook, BIN, 'who', '1', '--json'], { encoding: 'utf8' });
    assert.ok(who.status === 0 || who.status === 1, who.stderr);
    assert.doesNotMatch(who.stderr, /yargs was loaded/);
    assert.ok(Array.isArray(JSON.parse(who.stdout)));
    const control = spawnSync(process.execPath, ['--import', hook, BIN, '--version'], { encoding: 'utf8' });
    assert.match(control.stderr, /yargs was loaded/);
  });
});
