// Benchmark: the pure diagnosis of a 30k-socket snapshot built in memory (no I/O), target < 50 ms, so
// the terminal view can run it on every refresh. Reference on the same load, in the same run: what an
// administrator types to find the piles by hand, `awk | sort | uniq -c | sort -rn` over `ss -tan`-shaped
// text of the same sockets (it only groups by state and destination; diagnose does all of its work).
// Run: node --import tsx bench/diagnose.bench.ts [sockets]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { diagnose } from '../src/core/diagnose/index.js';
import type { Endpoint } from '../src/core/model.js';
import { busySnapshot, linuxRanges } from '../test/diagnose/snapshots.js';

export const TARGET_MS = 50;

export interface DiagnoseBenchResult {
  sockets: number;
  runs: number;
  diagnoseMedianMs: number;
  pipelineMedianMs: number | null;
  /** pipeline median / diagnose median */
  ratio: number | null;
  load: number[];
  withinTarget: boolean;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

function ssLine(endpoint: Endpoint): string {
  const peer = endpoint.remoteAddress === null ? '*:*' : `${endpoint.remoteAddress}:${endpoint.remotePort}`;
  const state = endpoint.state === 'TIME_WAIT' ? 'TIME-WAIT' : endpoint.state === 'BOUND' ? 'UNCONN' : (endpoint.state ?? 'UNCONN');
  return `${state.padEnd(10)} 0      0      ${endpoint.localAddress}:${endpoint.localPort}   ${peer}`;
}

export async function run(sockets = 30_000, runs = 60): Promise<DiagnoseBenchResult> {
  const snapshot = busySnapshot(sockets);
  const ranges = linuxRanges(32768, 28232);
  const input = { snapshot, ranges, events: null, platform: 'linux' as const };
  for (let i = 0; i < 10; i++) diagnose(input); // warm up the JIT
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    diagnose(input);
    times.push(performance.now() - started);
  }
  const diagnoseMedianMs = round(median(times));

  let pipelineMedianMs: number | null = null;
  const dir = mkdtempSync(join(tmpdir(), 'porttop-bench-'));
  try {
    const file = join(dir, 'ss.txt');
    writeFileSync(file, `State      Recv-Q Send-Q Local Address:Port  Peer Address:Port\n${snapshot.endpoints.map(ssLine).join('\n')}\n`);
    const script = `awk 'NR>1 {print $1, $5}' "${file}" | sort | uniq -c | sort -rn | head -20`;
    const pipeline: number[] = [];
    for (let i = 0; i < Math.min(runs, 10); i++) {
      const started = performance.now();
      const result = spawnSync('sh', ['-c', script], { encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`pipeline failed: ${result.stderr}`);
      pipeline.push(performance.now() - started);
    }
    pipelineMedianMs = round(median(pipeline));
  } catch {
    pipelineMedianMs = null; // no sh/awk: the figure stands alone
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    sockets: snapshot.endpoints.length,
    runs,
    diagnoseMedianMs,
    pipelineMedianMs,
    ratio: pipelineMedianMs === null ? null : round(pipelineMedianMs / diagnoseMedianMs),
    load: loadavg().map((value) => round(value)),
    withinTarget: diagnoseMedianMs < TARGET_MS,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const sockets = Number(process.argv[2] ?? 30_000);
  const result = await run(sockets);
  console.log(`diagnose of ${result.sockets} sockets (pure core, in memory): median ${result.diagnoseMedianMs} ms over ${result.runs} runs (target < ${TARGET_MS} ms: ${result.withinTarget ? 'met' : 'MISSED'})`);
  if (result.pipelineMedianMs !== null) {
    console.log(`awk | sort | uniq -c | sort -rn over the same sockets as ss text: median ${result.pipelineMedianMs} ms (${result.ratio}x the diagnosis)`);
  }
  console.log(`load average: ${result.load.join(' ')}`);
}
