// Benchmark: the cost of one look of `porttop wait` against the shell loop users write instead
// (`until ss -Htln 'sport = :P' | grep -q .; do sleep 0.25; done`: one ss process per look), and
// the whole `porttop why` / `porttop free` commands, on the same loopback load (bench/load.ts) in a
// private network namespace, in the same run. Prints medians, ratios and the machine's load.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { NetNamespace } from '../test/helpers/netns.js';
import type { DevloopResult, DevloopSpec } from './devloop-measure.js';
import { median } from './linux-collect.bench.js';
import { Load } from './load.js';

/** Sockets in the namespace (each held connection is two). */
export const DEVLOOP_SOCKETS = 10_000;
export const DEVLOOP_RUNS = 15;
const ROOT = fileURLToPath(new URL('..', import.meta.url));

export async function run(): Promise<DevloopResult | null> {
  console.log('\n== Developer loop: a look of porttop wait vs an ss process per look; why and free ==');
  const missing = process.platform !== 'linux'
    ? 'Linux only'
    : !NetNamespace.available()
      ? 'needs root and iproute2 (ip netns)'
      : spawnSync('sh', ['-c', 'command -v ss']).status !== 0
        ? 'ss is not installed (apt-get install iproute2)'
        : !existsSync(`${ROOT}dist/cli.js`)
          ? 'porttop is not built (npx tsc -p tsconfig.json)'
          : null;
  if (missing) {
    console.log(`skipped: ${missing}`);
    return null;
  }
  const namespace = NetNamespace.create();
  const load = new Load(namespace.prefix);
  try {
    const port = await load.startListener();
    await load.growTo(DEVLOOP_SOCKETS / 2);
    const before = machineLoad();
    const spec: DevloopSpec = { runs: Number(process.env.PORTTOP_BENCH_RUNS) || DEVLOOP_RUNS, port };
    const result = await measureInside(namespace, spec);
    console.log(`${DEVLOOP_SOCKETS} loopback TCP sockets in the namespace; ${spec.runs} runs after a warm-up; ${before} before, ${machineLoad()} after`);
    const row = (label: string, key: string) => `  ${label.padEnd(62)} ${median(result[key]!).toFixed(1).padStart(7)} ms`;
    console.log(row('one look of porttop wait (port P only, no owners; in-process)', 'pollNarrow'));
    console.log(row('the same look with owners (the fd scan wait skips)', 'pollOwners'));
    console.log(row('the same look over a full snapshot with owners', 'pollFull'));
    console.log(row("ss -Htln 'sport = :P' (a shell loop's look, one process)", 'ssPoll'));
    console.log(row('porttop why P (whole command: bind, snapshot, ranges)', 'why'));
    console.log(row('porttop free (whole command: snapshot, binds)', 'free'));
    const ratio = median(result.ssPoll!) / median(result.pollNarrow!);
    console.log(`  ss per look / porttop wait per look: ${ratio.toFixed(1)}x; with owners / without: ${(median(result.pollOwners!) / median(result.pollNarrow!)).toFixed(1)}x`);
    return result;
  } finally {
    await load.stop();
    namespace.destroy();
  }
}

function machineLoad(): string {
  const [one, five] = loadavg();
  return `load ${one!.toFixed(2)} (1 min) ${five!.toFixed(2)} (5 min)`;
}

async function measureInside(namespace: NetNamespace, spec: DevloopSpec): Promise<DevloopResult> {
  const argv = [...namespace.prefix, process.execPath, '--import', 'tsx', `${ROOT}bench/devloop-measure.ts`, JSON.stringify(spec)];
  const child = spawn(argv[0]!, argv.slice(1), { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`bench/devloop-measure.ts failed (exit ${code})`);
  return JSON.parse(stdout) as DevloopResult;
}
