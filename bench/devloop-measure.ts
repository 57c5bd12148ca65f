// The timing half of the developer-loop benchmark; runs INSIDE the benchmark's network namespace (so
// /proc/net and ss see its load) and prints one JSON line: milliseconds per run for each measurement.
//
// In-process (one look of `porttop wait`, from the built dist/): the snapshot narrowed to the wanted
// port without owners, as wait does, the same with owners, and the full snapshot it avoids. As processes, round-robin: `ss -Htln sport = :P`,
// what a shell loop (`until ss ... | grep -q .; do sleep 0.25; done`) starts on every look, and the
// whole `porttop why P` and `porttop free` commands.
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

export interface DevloopSpec {
  runs: number;
  port: number;
}
export type DevloopResult = Record<string, number[]>;

const ROOT = fileURLToPath(new URL('..', import.meta.url));

async function main(spec: DevloopSpec): Promise<DevloopResult> {
  const { LinuxBackend } = (await import(`${ROOT}dist/linux/backend.js`)) as typeof import('../src/linux/backend.js');
  const { waitState } = (await import(`${ROOT}dist/core/waitfor.js`)) as typeof import('../src/core/waitfor.js');
  const backend = new LinuxBackend();
  const spans = [{ from: spec.port, to: spec.port }];
  const result: DevloopResult = { pollNarrow: [], pollOwners: [], pollFull: [], ssPoll: [], why: [], free: [] };
  const processes: [string, string[]][] = [
    ['ssPoll', ['ss', '-Htln', `sport = :${spec.port}`]],
    ['why', [process.execPath, `${ROOT}bin/porttop.js`, 'why', String(spec.port), '--host', '127.0.0.1']],
    ['free', [process.execPath, `${ROOT}bin/porttop.js`, 'free']],
  ];
  for (let round = -1; round < spec.runs; round++) {
    const timings: [string, number][] = [];
    let started = performance.now();
    const narrow = await backend.snapshot({ localPorts: new Set([spec.port]), owners: false });
    if (waitState(narrow.endpoints, spans, 'listening', ['tcp']).met !== true) throw new Error('the listener is not seen');
    timings.push(['pollNarrow', performance.now() - started]);
    started = performance.now();
    await backend.snapshot({ localPorts: new Set([spec.port]) });
    timings.push(['pollOwners', performance.now() - started]);
    started = performance.now();
    const full = await backend.snapshot();
    waitState(full.endpoints, spans, 'listening', ['tcp']);
    timings.push(['pollFull', performance.now() - started]);
    for (let i = 0; i < processes.length; i++) {
      const [key, argv] = processes[(i + Math.max(round, 0)) % processes.length]!;
      started = performance.now();
      const run = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
      const elapsed = performance.now() - started;
      const ok = key === 'why' ? run.status === 1 : run.status === 0 && run.stdout.trim() !== '';
      if (!ok) throw new Error(`${argv.join(' ')}: exit ${run.status}, ${run.stderr}`);
      timings.push([key, elapsed]);
    }
    if (round >= 0) for (const [key, ms] of timings) result[key]!.push(ms);
  }
  return result;
}

process.stdout.write(`${JSON.stringify(await main(JSON.parse(process.argv[2]!) as DevloopSpec))}\n`);
