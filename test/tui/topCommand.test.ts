import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { modulesLoadedBy } from '../helpers/modules.js';
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
  const loaded = modulesLoadedBy(['who', '1', '--json']);
  assert.ok(loaded.some((url) => url.endsWith('/dist/bin/commands/who.cjs')), 'the trace saw the who bundle load');
  const ui = loaded.filter((url) => /\/node_modules\/(ink|react|@alcalzone)\/|\/dist\/tui\//.test(url));
  assert.deepEqual(ui, []);
});
