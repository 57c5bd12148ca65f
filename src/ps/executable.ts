// Which PowerShell to run: PORTTOP_PWSH, else pwsh on PATH, else Windows PowerShell (powershell.exe).
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { BackendError } from '../errors.js';

export interface ExecutableSearch {
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  /** true when the path is a file this process may execute */
  isExecutable(path: string): boolean;
}

export const NOT_FOUND_MESSAGE = 'PowerShell not found (looked for pwsh, powershell)';

export function defaultSearch(): ExecutableSearch {
  return { env: process.env, platform: process.platform, isExecutable };
}

/** The PowerShell executable to start, or a BackendError (exit 4) saying what was looked for. */
export function findPowerShell(search: ExecutableSearch = defaultSearch()): string {
  const override = search.env.PORTTOP_PWSH?.trim();
  if (override) {
    if (search.isExecutable(override)) return override;
    throw new BackendError(`${NOT_FOUND_MESSAGE}: PORTTOP_PWSH=${override} is not an executable file`);
  }
  const windows = search.platform === 'win32';
  const names = windows ? ['pwsh.exe', 'powershell.exe'] : ['pwsh', 'powershell'];
  const dirs = (search.env.PATH ?? search.env.Path ?? '').split(windows ? ';' : delimiter).filter(Boolean);
  for (const name of names) {
    for (const dir of dirs) {
      const candidate = join(dir.replace(/^"(.*)"$/, '$1'), name);
      if (search.isExecutable(candidate)) return candidate;
    }
  }
  if (windows) {
    // Windows PowerShell 5.1 ships with every Windows since 10 / Server 2016, even when PATH was trimmed
    const systemRoot = search.env.SystemRoot ?? search.env.SYSTEMROOT ?? 'C:\\Windows';
    const builtIn = `${systemRoot}\\System32\\WindowsPowerShell\\v1.0\\powershell.exe`;
    if (search.isExecutable(builtIn)) return builtIn;
  }
  throw new BackendError(`${NOT_FOUND_MESSAGE}: install PowerShell 7 (pwsh) or set PORTTOP_PWSH=<path to pwsh>`);
}

function isExecutable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    if (process.platform !== 'win32') accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
