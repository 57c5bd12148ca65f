// Finding the real pwsh the PowerShell tests run against, and skipping loudly when there is none.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { findPowerShell } from '../../src/ps/executable.js';

export const TEST_SCRIPTS_DIR = fileURLToPath(new URL('./scripts/', import.meta.url));
export const FIXTURES_DIR = fileURLToPath(new URL('../fixtures/windows/', import.meta.url));

/** PORTTOP_PWSH, pwsh on PATH, or the dotnet global tool (where .ci/run installs it); null if none. */
export function testPwsh(): string | null {
  try {
    return findPowerShell();
  } catch {
    const tool = join(homedir(), '.dotnet', 'tools', process.platform === 'win32' ? 'pwsh.exe' : 'pwsh');
    return existsSync(tool) ? tool : null;
  }
}

export const PWSH = testPwsh();
const REQUIRED = process.env.PORTTOP_REQUIRE_PWSH === '1';
export const NO_PWSH_REASON = 'no pwsh found (set PORTTOP_PWSH or put pwsh on PATH; PORTTOP_REQUIRE_PWSH=1 makes this a failure)';

if (PWSH === null && !REQUIRED) process.stderr.write(`NOTICE: PowerShell tests skipped: ${NO_PWSH_REASON}\n`);

/** The pwsh path, or skips the test with a visible reason (fails instead under PORTTOP_REQUIRE_PWSH=1). */
export function requirePwsh(t: TestContext): string | null {
  if (PWSH !== null) return PWSH;
  if (REQUIRED) throw new Error(`PORTTOP_REQUIRE_PWSH=1 but ${NO_PWSH_REASON}`);
  t.skip(NO_PWSH_REASON);
  return null;
}

export const ON_WINDOWS_REQUIRED = process.env.PORTTOP_REQUIRE_WINDOWS === '1';
export const NOT_WINDOWS_REASON = 'needs the real Windows cmdlets (runs on Windows with PORTTOP_REQUIRE_WINDOWS=1)';

/** Windows-only tests: run when PORTTOP_REQUIRE_WINDOWS=1 (and fail if not on Windows), else skip visibly. */
export function requireWindows(t: TestContext): boolean {
  if (ON_WINDOWS_REQUIRED) {
    if (process.platform !== 'win32') throw new Error('PORTTOP_REQUIRE_WINDOWS=1 but this is not Windows');
    return true;
  }
  t.skip(NOT_WINDOWS_REASON);
  return false;
}

/** Resolves true once no process with this PID exists (zombies count as gone), false after the timeout. */
export async function waitForPidGone(pid: number, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!pidAlive(pid)) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (process.platform === 'linux') {
    try {
      const stat = readStat(pid);
      if (stat.state === 'Z') return false;
    } catch {
      return false;
    }
  }
  return true;
}

function readStat(pid: number): { state: string } {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return { state: text.slice(text.lastIndexOf(') ') + 2, text.lastIndexOf(') ') + 3) };
}
