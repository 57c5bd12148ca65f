// How the bin starts: Node's compile cache in the user's cache folder where Node has one (22.1+),
// output written straight to the descriptor (a closed pipe ends it quietly, a full one still gets
// every byte), and nothing of this changes what a command prints.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { BIN } from '../helpers/cli.js';
import { PIECE, PIECES } from '../fixtures/cli/write-through-runtime.js';

const WRITER = fileURLToPath(new URL('../fixtures/cli/write-through-runtime.ts', import.meta.url));
const EXPECTED_TEXT = Array.from({ length: PIECES }, (_, index) => `${index}:${PIECE}`).join('');

const hasCompileCache = typeof (module as { enableCompileCache?: unknown }).enableCompileCache === 'function';

function filesUnder(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => entry.name);
  } catch {
    return [];
  }
}

describe('bin start-up', { skip: process.platform !== 'linux' && 'reads the Linux cache folder and /proc' }, () => {
  it('stores the compile cache in $XDG_CACHE_HOME/porttop (Node 22.1+), and not with NODE_DISABLE_COMPILE_CACHE', { skip: !hasCompileCache && `Node ${process.version} has no module.enableCompileCache` }, () => {
    const cache = mkdtempSync(join(tmpdir(), 'porttop-cache-'));
    try {
      const off = spawnSync(process.execPath, [BIN, 'who', '1', '--json'], { encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: cache, NODE_DISABLE_COMPILE_CACHE: '1' } });
      assert.ok(off.status === 0 || off.status === 1, off.stderr);
      assert.deepEqual(filesUnder(join(cache, 'porttop')), []);
      const first = spawnSync(process.execPath, [BIN, 'who', '1', '--json'], { encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: cache } });
      assert.ok(first.status === 0 || first.status === 1, first.stderr);
      assert.ok(filesUnder(join(cache, 'porttop', 'node-compile-cache')).length > 0, 'the cache holds compiled code after one run');
      const second = spawnSync(process.execPath, [BIN, 'who', '1', '--json'], { encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: cache } });
      assert.equal(second.stdout, first.stdout, 'a run from the cache answers the same');
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it('an unusable cache folder (under /proc, where Node\'s recursive mkdir never returns) costs only the speed-up', () => {
    const run = spawnSync(process.execPath, [BIN, 'who', '1', '--json'], { encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: '/proc/porttop-cannot-write-here' } });
    assert.ok(run.status === 0 || run.status === 1, run.stderr);
    assert.ok(Array.isArray(JSON.parse(run.stdout)));
  });

  it('a reader that closes the pipe early (porttop list | head -c 1) ends the output quietly, exit 0', () => {
    const pipeline = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${BIN}" list | head -c 1 >/dev/null`], { encoding: 'utf8' });
    assert.equal(pipeline.status, 0, `exit ${pipeline.status}: ${pipeline.stderr}`);
    assert.equal(pipeline.stderr, '');
  });

  it('a slow reader of a full pipe still gets every byte of list --json, which parses', async () => {
    const child = spawn(process.execPath, [BIN, 'list', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    const closed = new Promise<number | null>((resolve) => child.on('close', (exitCode) => resolve(exitCode)));
    // the listener first: a stream nobody listens to is drained and dropped by Node when the child exits
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stdout.pause();
    await new Promise((resolve) => setTimeout(resolve, 300)); // let the pipe fill while nobody reads
    child.stdout.resume();
    const code = await closed;
    assert.equal(code, 0);
    assert.ok(Array.isArray(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
  });

  /** Runs the writer fixture, stdout made non-blocking first when asked (python3 sets O_NONBLOCK, then runs node). */
  async function readWriterSlowly(nonBlocking: boolean): Promise<{ code: number | null; text: string; stderr: string }> {
    const node = [process.execPath, '--import', 'tsx', WRITER, 'write'];
    const argv = nonBlocking ? ['python3', '-c', 'import os, sys; os.set_blocking(1, False); os.execv(sys.argv[1], sys.argv[1:])', ...node] : node;
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const closed = new Promise<number | null>((resolve) => child.on('close', (exitCode) => resolve(exitCode)));
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stdout.pause();
    await new Promise((resolve) => setTimeout(resolve, 1500)); // a full pipe: short writes, then EAGAIN when non-blocking
    child.stdout.resume();
    const code = await closed;
    return { code, text: Buffer.concat(chunks).toString('utf8'), stderr };
  }

  it('3.7 MB of multi-byte text in 64 KiB pieces arrives byte for byte through a full blocking pipe', async () => {
    const run = await readWriterSlowly(false);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.text.length, EXPECTED_TEXT.length);
    assert.ok(run.text === EXPECTED_TEXT, 'the same text, in order');
  });

  it('and through a full non-blocking pipe (a short write, then EAGAIN: the rest goes through the stream)', async () => {
    const run = await readWriterSlowly(true);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.text.length, EXPECTED_TEXT.length);
    assert.ok(run.text === EXPECTED_TEXT, 'the same text, in order');
  });
});
