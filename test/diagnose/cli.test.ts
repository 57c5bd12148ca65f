// Bad input to diagnose and watch: one line naming the value and what is allowed, exit 2, and nothing
// opened or written. Runs in-process; a backend that must never be opened proves nothing started.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Backend } from '../../src/backend.js';
import { runCli } from '../helpers/cli.js';

const neverOpened = async (): Promise<Backend> => {
  throw new Error('the backend was opened although the input was bad');
};

describe('diagnose and watch refuse bad input before doing anything', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'porttop-diag-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const cases: [string[], RegExp][] = [
    [['diagnose', '--fail-on', 'critical'], /^porttop: invalid --fail-on 'critical': expected warning or exhausted\n$/],
    [['diagnose', '--fail-on', ''], /^porttop: invalid --fail-on '': expected warning or exhausted\n$/],
    [['watch', '--interval', '0'], /^porttop: invalid --interval '0': expected a number of seconds from 0.1 to 86400\n$/],
    [['watch', '--interval', 'fast'], /^porttop: invalid --interval 'fast'/],
    [['watch', '--interval', '-5'], /^porttop: invalid --interval '-5'/],
    [['watch', '--count', '0'], /^porttop: invalid --count '0': expected a whole number, 1 or more\n$/],
    [['watch', '--count', '2.5'], /^porttop: invalid --count '2.5'/],
  ];
  for (const [args, message] of cases) {
    it(args.join(' '), async () => {
      const run = await runCli(args, neverOpened);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, message);
      assert.equal(run.stdout, '');
    });
  }

  for (const name of ['ports.txt', 'ports', 'ports.csv.bak', '.csv', 'ports.json']) {
    it(`watch --out ${name} exits 2 and creates no file`, async () => {
      const path = join(dir, name);
      const run = await runCli(['watch', '--out', path, '--count', '1'], neverOpened);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /invalid --out '.*': expected a file name ending in \.csv or \.ndjson/);
      assert.equal(existsSync(path), false);
    });
  }

  it('watch --out into a missing directory exits 2 before the first sample', async () => {
    const path = join(dir, 'missing', 'ports.csv');
    const run = await runCli(['watch', '--out', path, '--count', '1']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /cannot write --out '.*ports\.csv': ENOENT/);
    assert.equal(run.stdout, '');
  });

  it('watch --out onto a CSV with other columns refuses to mix them', async () => {
    const { writeFileSync, readFileSync } = await import('node:fs');
    const path = join(dir, 'other.csv');
    writeFileSync(path, 'a,b,c\n1,2,3\n');
    const run = await runCli(['watch', '--out', path, '--count', '1']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /already holds CSV with other columns/);
    assert.equal(readFileSync(path, 'utf8'), 'a,b,c\n1,2,3\n');
  });
});
