// How the bin starts: Node's compile cache in the user's cache folder where Node has one (22.1+),
// output written straight to the descriptor (a closed pipe ends it quietly, a full one still gets
// every byte), and nothing of this changes what a command prints.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BIN } from '../helpers/cli.js';

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
});
