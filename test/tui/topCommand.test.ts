import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { BIN, runCli } from '../helpers/cli.js';
import { buildSnapshot, FakeBackend } from './fakeBackend.js';

test('without a terminal, porttop says to use porttop procs in one line and exits 2, opening no backend', async () => {
  let opened = false;
  const run = await runCli([], async () => {
    opened = true;
    return new FakeBackend([buildSnapshot([])]);
  });
  assert.equal(run.code, 2);
  assert.equal(run.stdout, '');
  assert.match(run.stderr, /^porttop: the live view needs a terminal .*porttop procs.*\n$/);
  assert.equal(run.stderr.split('\n').length, 2);
  assert.equal(opened, false);
  assert.equal((await runCli(['top'])).code, 2);
});

test('bad --interval and --sort are named with what is allowed, exit 2', async () => {
  const interval = await runCli(['top', '--interval', '0']);
  assert.equal(interval.code, 2);
  assert.match(interval.stderr, /invalid --interval '0': expected a number of seconds from 0\.1 to 86400/);
  const sort = await runCli(['--sort', 'cpu']);
  assert.equal(sort.code, 2);
  assert.match(sort.stderr, /invalid --sort 'cpu': expected one of sockets, handles, ephemeral, closewait, bound/);
});

test('porttop who --json loads neither ink nor react nor the view', () => {
  const dir = mkdtempSync(join(tmpdir(), 'porttop-trace-'));
  const file = join(dir, 'imports.txt');
  try {
    const hook = fileURLToPath(new URL('./fixtures/trace-imports.mjs', import.meta.url));
    const result = spawnSync(process.execPath, ['--import', hook, BIN, 'who', '1', '--json'], {
      encoding: 'utf8',
      env: { ...process.env, TRACE_IMPORTS_FILE: file },
      timeout: 30_000,
    });
    assert.ok(result.status === 0 || result.status === 1, `who ran (exit ${result.status}): ${result.stderr}`);
    const loaded = readFileSync(file, 'utf8').split('\n');
    assert.ok(loaded.some((url) => url.endsWith('/dist/commands/who.js')), 'the trace saw the command modules load');
    const ui = loaded.filter((url) => /\/node_modules\/(ink|react|@alcalzone)\/|\/dist\/tui\//.test(url));
    assert.deepEqual(ui, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
