// Sessions whose Windows-only commands are the replacements in test/fixtures/windows/fake-windows.ps1.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { base64Literal } from '../../src/ps/command.js';
import { PowerShellSession } from '../../src/ps/session.js';
import { FIXTURES_DIR } from './pwsh.js';

export function fixture(name: string): string {
  return readFileSync(join(FIXTURES_DIR, name), 'utf8');
}

/** Globals for fake-windows.ps1: each value is text (passed base64-encoded) or a raw PowerShell expression. */
export type FakeGlobals = Record<string, string | { expression: string }>;

export function fakePrelude(globals: FakeGlobals = {}): string {
  const assignments = Object.entries(globals).map(([name, value]) =>
    `$global:${name} = ${typeof value === 'string' ? base64Literal(value) : value.expression}`,
  );
  return `${assignments.join('\n')}\n${fixture('fake-windows.ps1')}`;
}

export function fakeSession(executable: string, globals: FakeGlobals = {}): PowerShellSession {
  return new PowerShellSession({ executable, prelude: fakePrelude(globals), timeoutMs: 60_000 });
}

/**
 * A wrapper that runs pwsh in a new user namespace: the same files, but an unprivileged user id
 * (65534) without capabilities, so PowerShell is really not elevated even when the tests run as root.
 */
export function unprivilegedPwsh(pwsh: string): { path: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'porttop-unpriv-'));
  const path = join(dir, 'pwsh-unprivileged');
  writeFileSync(path, `#!/bin/sh\nexec unshare --user ${JSON.stringify(pwsh)} "$@"\n`);
  chmodSync(path, 0o755);
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
