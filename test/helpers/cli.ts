// Running porttop: in-process with captured output (fast, any backend), or as the built bin (real exit codes).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Backend } from '../../src/backend.js';
import { main } from '../../src/cli.js';
import type { Runtime } from '../../src/runtime.js';

export const BIN = fileURLToPath(new URL('../../bin/porttop.js', import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** In-process, like wrangler's runWrangler: the given backend (or the real default) and captured streams. */
export async function runCli(args: readonly string[], backend?: Backend | (() => Promise<Backend>)): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const { openBackend } = await import('../../src/openBackend.js');
  const runtime: Runtime = {
    openBackend: backend === undefined ? openBackend : typeof backend === 'function' ? backend : async () => backend,
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    isInteractive: false,
    exitCode: 0,
  };
  const code = await main(args, runtime);
  return { code, stdout, stderr };
}

/** The built bin as a separate process, optionally inside a prefix such as a network namespace. */
export function runBin(args: readonly string[], prefix: readonly string[] = [], env: NodeJS.ProcessEnv = process.env): CliRun {
  const command = [...prefix, process.execPath, BIN, ...args];
  const result = spawnSync(command[0]!, command.slice(1), { encoding: 'utf8', env, timeout: 60_000 });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}
