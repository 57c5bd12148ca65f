// Plain calls of table-defined commands (who, list, kill) skip yargs (src/cli-fast-path.ts). They must
// hand the handler what yargs would, print the same bytes, to the same stream, with the same exit
// code; the argument forms the fast path does not take must still go to yargs. Both ways run the real
// LinuxBackend over a crafted /proc tree, so their snapshots are identical.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import yargs from 'yargs';
import { parsePlainArgs } from '../../src/cli-fast-path.js';
import { addGlobalOptions } from '../../src/commands/common.js';
import type { TableCommand } from '../../src/commands/define.js';
import { killCommand } from '../../src/commands/kill.js';
import { listCommand } from '../../src/commands/list.js';
import { whoCommand } from '../../src/commands/who.js';
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

const TABLES: TableCommand<never>[] = [whoCommand, listCommand, killCommand] as unknown as TableCommand<never>[];

/** The arguments yargs hands this command's handler (the runtime left out, as parsePlainArgs leaves it). */
async function argsFromYargs(command: TableCommand<never>, args: string[]): Promise<Record<string, unknown>> {
  let seen: Record<string, unknown> = {};
  const capture = { ...command, handler: (parsed: Record<string, unknown>) => void (seen = { ...parsed }) };
  await addGlobalOptions(yargs())
    .scriptName('porttop')
    .command(capture as never)
    .strict()
    .exitProcess(false)
    .fail((message, error) => {
      throw error ?? new Error(message);
    })
    .parseAsync(args);
  return seen;
}

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

describe('the fast path of table-defined commands', { skip: process.platform !== 'linux' && 'compares both paths on the Linux backend' }, () => {
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
    ['list', '--state', 'LISTEN', '--json'],
    ['list', '--proto=udp'],
    ['list', '--pid', '10', '--port', '8080'],
    ['list', '--state', 'SLEEPING'],
    ['kill', '8080', '--dry-run'],
    ['kill', '8080', '--dry-run', '--json', '--signal', 'SIGINT'],
    ['kill', '9999', '--dry-run'],
    ['kill', '8080', '--dry-run', '--timeout', 'soon'],
    ['kill', '8080', '--dry-run', '--force', '--signal', 'KILL'],
    ['kill', '8080', '--dry-run', '--tree', '--json'],
    ['who', '8080', '--backend', 'linux'],
    ['who', '8080', '--backend=windows'],
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
    const fast = CASES.filter((args) => TABLES.some((command) => parsePlainArgs(command.table, args) !== null));
    assert.equal(fast.length, CASES.length - 1, 'every case but --json before the command');
  });

  it('hands the handler exactly what yargs hands it, from the same table', async () => {
    for (const args of CASES) {
      const command = TABLES.find((candidate) => parsePlainArgs(candidate.table, args) !== null);
      if (!command) continue;
      assert.deepEqual(parsePlainArgs(command.table, args), await argsFromYargs(command, args), args.join(' '));
    }
  });

  it('takes only the plain forms; everything else is left to yargs', () => {
    assert.deepEqual(parsePlainArgs(whoCommand.table, ['who', '8080', '--json']), {
      _: ['who'],
      $0: 'porttop',
      json: true,
      backend: 'auto',
      ports: ['8080'],
    });
    for (const args of [
      [],
      ['who'],
      ['who', '--json'],
      ['who', '8080', '--json', '--json'],
      ['who', '8080', '--help'],
      ['who', '8080', '-h'],
      ['who', '-1'],
      ['who', '8080', '--', '1'],
      ['who', '8080', '--signal', 'KILL'],
      ['list', '8080'],
      ['list', '--json=false'],
      ['list', '--no-json'],
      ['list', '--state'],
      ['kill', '8080', '--timeout', '--force'],
      ['kill', '8080', '--signal', '-9'],
      ['kill', '8080', '--force=maybe'],
      ['kill', '8080', '--dryRun'],
      ['procs'],
      ['--json', 'who', '8080'],
      ['--version'],
    ]) {
      for (const command of TABLES) assert.equal(parsePlainArgs(command.table, args), null, JSON.stringify(args));
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
