// One-shot commands must start fast: `who --json` loads neither ink nor react nor node-powershell.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { BIN } from '../helpers/cli.js';

const RECORDER = fileURLToPath(new URL('../helpers/record-imports.mjs', import.meta.url));

function modulesLoadedBy(args: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'porttop-imports-'));
  const log = join(dir, 'imports.log');
  try {
    const run = spawnSync(process.execPath, ['--import', RECORDER, BIN, ...args], {
      encoding: 'utf8',
      env: { ...process.env, PORTTOP_IMPORT_LOG: log },
    });
    assert.ok(run.status === 0 || run.status === 1, run.stderr);
    return readFileSync(log, 'utf8').trim().split('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('lazy loading', { skip: process.platform !== 'linux' && 'checks the Linux backend path' }, () => {
  it('who --json loads neither ink, react nor node-powershell', () => {
    const modules = modulesLoadedBy(['who', '1', '--json']);
    assert.ok(modules.some((url) => url.includes('/dist/linux/backend.js')), 'the recorder saw the backend load');
    const heavy = modules.filter((url) => /node_modules\/(ink|react|node-powershell|@alcalzone)\//.test(url));
    assert.deepEqual(heavy, []);
  });
});
