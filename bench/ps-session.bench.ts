// The same small script through porttop's warm PowerShell session vs a fresh `pwsh -NoProfile` per
// call (what a script that shells out to PowerShell each time pays), in one run on the same machine.
// Targets: warm median under 10 ms, and at least 30x faster than a fresh pwsh per call.
//   node --import tsx bench/ps-session.bench.ts
import { execFile } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { PowerShellSession } from '../src/ps/session.js';
import { PWSH, TEST_SCRIPTS_DIR } from '../test/ps/pwsh.js';

const execFileAsync = promisify(execFile);

export const WARM_TARGET_MS = 10;
export const SPEEDUP_TARGET = 30;
const WARM_CALLS = 300;
const FRESH_CALLS = 12;
const SCRIPT = 'Echo-PortTopText';

export interface PsSessionBenchResult {
  pwsh: string;
  load: string;
  warmMedianMs: number;
  warmP90Ms: number;
  freshMedianMs: number;
  speedup: number;
  meetsTargets: boolean;
}

function quantile(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export async function run(): Promise<PsSessionBenchResult | null> {
  if (PWSH === null) {
    process.stdout.write('ps-session: skipped, no pwsh found (set PORTTOP_PWSH)\n');
    return null;
  }
  const load = loadavg().map((value) => value.toFixed(2)).join(' ');
  const session = new PowerShellSession({ executable: PWSH, scriptsDir: TEST_SCRIPTS_DIR });
  const warm: number[] = [];
  try {
    for (let i = 0; i < 20; i++) await session.call(SCRIPT, { Text: 'warm-up', Number: i }); // start + JIT
    for (let i = 0; i < WARM_CALLS; i++) {
      const started = performance.now();
      await session.call(SCRIPT, { Text: 'port 8080', Number: i });
      warm.push(performance.now() - started);
    }
  } finally {
    await session.close();
  }

  const fresh: number[] = [];
  const scriptPath = join(TEST_SCRIPTS_DIR, `${SCRIPT}.ps1`);
  for (let i = 0; i < FRESH_CALLS; i++) {
    const started = performance.now();
    const { stdout } = await execFileAsync(PWSH, ['-NoProfile', '-NonInteractive', '-Command', `& '${scriptPath}' -Text 'port 8080' -Number ${i}`], {
      env: { ...process.env, TERM: 'dumb', POWERSHELL_UPDATECHECK: 'Off', POWERSHELL_TELEMETRY_OPTOUT: '1' },
    });
    fresh.push(performance.now() - started);
    if (!stdout.includes('"ok":true')) throw new Error(`fresh pwsh gave no envelope: ${stdout}`);
  }

  const warmMedianMs = quantile(warm, 0.5);
  const freshMedianMs = quantile(fresh, 0.5);
  const result: PsSessionBenchResult = {
    pwsh: PWSH,
    load,
    warmMedianMs,
    warmP90Ms: quantile(warm, 0.9),
    freshMedianMs,
    speedup: freshMedianMs / warmMedianMs,
    meetsTargets: warmMedianMs < WARM_TARGET_MS && freshMedianMs / warmMedianMs >= SPEEDUP_TARGET,
  };
  process.stdout.write(
    [
      `ps-session: ${SCRIPT}.ps1, load average ${load}`,
      `  warm session      median ${warmMedianMs.toFixed(2)} ms  p90 ${result.warmP90Ms.toFixed(2)} ms  (${WARM_CALLS} calls)`,
      `  fresh pwsh/call   median ${freshMedianMs.toFixed(0)} ms  (${FRESH_CALLS} calls, pwsh -NoProfile -NonInteractive -Command)`,
      `  ratio             ${result.speedup.toFixed(0)}x faster warm (target >= ${SPEEDUP_TARGET}x; warm target < ${WARM_TARGET_MS} ms): ${result.meetsTargets ? 'met' : 'NOT met'}`,
      '',
    ].join('\n'),
  );
  return result;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
