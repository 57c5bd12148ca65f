// Which modules the built bin loads: the proof that a one-shot command loads nothing it does not use.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN } from './cli.js';

const RECORDER = fileURLToPath(new URL('./record-imports.mjs', import.meta.url));

/** Every module URL the built bin loads for these arguments (ES modules and CommonJS files). */
export function modulesLoadedBy(args: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'porttop-imports-'));
  const log = join(dir, 'imports.log');
  try {
    const run = spawnSync(process.execPath, ['--import', RECORDER, BIN, ...args], {
      encoding: 'utf8',
      env: { ...process.env, PORTTOP_IMPORT_LOG: log },
      timeout: 30_000,
    });
    assert.ok(run.status === 0 || run.status === 1, run.stderr);
    return readFileSync(log, 'utf8').trim().split('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

