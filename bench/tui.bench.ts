// Benchmark of the live view under ~30k sockets: a loopback load in a private network namespace (one
// server child with 15000 accepted connections, three client children with 5000 each: every process
// stays under the 20000 fd limit), and the real App rendered by Ink to a terminal-sized stream, with
// the real /proc backend, at a 1 s interval for 60 s. It measures
//   - CPU time in collection (the backend's snapshot and ranges) and in everything else (analysis,
//     React, Ink layout and diff, timers), as a share of one core;
//   - peak RSS;
//   - the time from a key press to the next frame written;
// and, on the same load in the same run, what a person would otherwise run every second: `ss -tanp`.
//
//   npx tsc -p tsconfig.json && node --import tsx bench/tui.bench.ts [seconds]   (root: it makes a network namespace)
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startHolder, type Holder } from '../test/helpers/children.js';
import { NetNamespace } from '../test/helpers/netns.js';
import { loopbackLoadSource } from '../test/tui/load.js';

export interface TuiBenchResult {
  sockets: number;
  seconds: number;
  refreshes: number;
  collectionCpuPercent: number;
  restCpuPercent: number;
  /** the garbage collector, apart: most of its work is the collection's short-lived garbage */
  gcCpuPercent: number;
  collectionMedianMs: number;
  keyLatencyMedianMs: number;
  keyLatencyMaxMs: number;
  peakRssMb: number;
  /** the same collection and analysis without Ink and React */
  collectOnlyPeakRssMb: number;
  /** analyzeSnapshot (rows, totals, the diagnosis with range usage) once per snapshot */
  analysisMedianMs: number;
  keyPresses: number;
  ssMedianMs: number;
  ssCpuMedianMs: number;
  load: string;
}

const SERVER_CONNECTIONS = 15_000;
const CLIENTS = 3;
const THIS_FILE = fileURLToPath(import.meta.url);

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.floor(sorted.length / 2)]!;
};
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

// ---- the probe: runs inside the namespace, renders the built App (dist/), measures itself ----
// Plain JavaScript run by plain node (no tsx in the process), so CPU and RSS are what ships.

const DIST = new URL('../dist/', import.meta.url).href;

const PROBE_SOURCE = `
import { EventEmitter } from 'node:events';
const [{ createElement }, { render }, { App }, { LinuxBackend }, { analyzeSnapshot }, { keepHeapNearLiveSize }] = await Promise.all([
  import('react'), import('ink'), import(DIST + 'tui/App.js'), import(DIST + 'linux/backend.js'), import(DIST + 'core/view.js'), import(DIST + 'heapTuning.js'),
]);
// as \`porttop top\` runs (src/commands/top.ts); PORTTOP_BENCH_V8_DEFAULTS=1 leaves V8's own heap growth, to compare
if (!process.env.PORTTOP_BENCH_V8_DEFAULTS) keepHeapNearLiveSize();
const median = (values) => { const s = [...values].sort((a, b) => a - b); return s.length ? s[Math.floor(s.length / 2)] : NaN; };

// microseconds of samples per class: collection (a frame in dist/linux/), gc, rest; idle left out
function splitProfile(profile) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const classOf = new Map();
  const classify = (id) => {
    if (classOf.has(id)) return classOf.get(id);
    const frame = nodes.get(id).callFrame;
    let kind;
    if (frame.functionName === '(idle)') kind = 'idle';
    else if (frame.functionName === '(garbage collector)') kind = 'gc';
    else if (frame.url.includes('/dist/linux/')) kind = 'collection';
    else kind = parentOf.has(id) ? classify(parentOf.get(id)) : 'rest';
    if (kind === 'idle' && frame.functionName !== '(idle)') kind = 'rest';
    classOf.set(id, kind);
    return kind;
  };
  const totals = { collection: 0, gc: 0, rest: 0, idle: 0 };
  profile.samples.forEach((id, i) => { totals[classify(id)] += profile.timeDeltas[i] ?? 0; });
  return totals;
}

// a stream that looks like a 120x40 terminal to Ink and tells when it is written to
class TerminalOut extends EventEmitter {
  isTTY = true; columns = 120; rows = 40; onWrite = null;
  write() { this.onWrite?.(); return true; }
}
// stdin as Ink reads it (the shape of ink-testing-library's)
class TerminalIn extends EventEmitter {
  isTTY = true; pending = null;
  press(data) { this.pending = data; this.emit('readable'); }
  read() { const data = this.pending; this.pending = null; return data; }
  setEncoding() {} setRawMode() {} resume() {} pause() {} ref() {} unref() {}
}

// the wall time of each collection, from the call until its promise settles
const spent = { wallMs: [] };
const inner = new LinuxBackend();
const timed = (work) => { const started = performance.now(); return { promise: work(), started }; };
const backend = {
  name: inner.name, platform: inner.platform,
  snapshot: (options) => { const { promise, started } = timed(() => inner.snapshot(options)); return promise.finally(() => spent.wallMs.push(performance.now() - started)); },
  getRanges: () => timed(() => inner.getRanges()).promise,
  setRange: (change) => inner.setRange(change),
  kill: (target, options) => inner.kill(target, options),
  close: () => inner.close(),
};

if (MODE === 'collect') {
  // collection and analysis alone, no Ink: the floor the view stands on
  const started = performance.now();
  const analysisMs = [];
  while (performance.now() - started < SECONDS * 1000) {
    const [snapshot, ranges] = [await backend.snapshot(), await backend.getRanges()];
    const before = performance.now();
    analyzeSnapshot(snapshot, ranges);
    analysisMs.push(performance.now() - before);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  process.stdout.write('PROBE ' + JSON.stringify({ refreshes: spent.wallMs.length, analysisMedianMs: median(analysisMs), peakRssMb: process.resourceUsage().maxRSS / 1024 }) + '\\n');
  process.exit(0);
}

const stdout = new TerminalOut();
const stdin = new TerminalIn();
// V8's sampling profiler splits the CPU: samples whose stack passes through dist/linux/ are the
// collection, the garbage collector is counted apart, the rest is analysis, React and Ink. (The
// collection yields to the event loop, so timing around its call would also catch renders.)
const { Session } = await import('node:inspector/promises');
const profiler = new Session();
profiler.connect();
await profiler.post('Profiler.enable');
await profiler.post('Profiler.setSamplingInterval', { interval: 500 });
await profiler.post('Profiler.start');
const cpuStart = process.cpuUsage();
const wallStart = performance.now();
const instance = render(createElement(App, { backend, hostName: 'bench', intervalSeconds: 1 }), {
  stdout, stdin, stderr: new TerminalOut(), exitOnCtrlC: false, patchConsole: false,
});
// a key every 1.7 s (out of step with the refresh); its latency is the time to the next frame written
const keys = ['\\u001b[B', '\\u001b[B', 's', '\\u001b[A', 'S', 'S', '/', 'n', '\\u001b', '\\u001b[6~', '\\u001b[H'];
const latencies = [];
let pressed = 0;
await new Promise((resolve) => {
  const pressNext = () => {
    if (performance.now() - wallStart > SECONDS * 1000) return resolve();
    const sent = performance.now();
    stdout.onWrite = () => { latencies.push(performance.now() - sent); stdout.onWrite = null; };
    stdin.press(keys[pressed++ % keys.length]);
    setTimeout(pressNext, 1700);
  };
  setTimeout(pressNext, 1700);
});
const cpu = process.cpuUsage(cpuStart);
const wallMs = performance.now() - wallStart;
const { profile } = await profiler.post('Profiler.stop');
instance.unmount();
const total = cpu.user + cpu.system;
const split = splitProfile(profile);
process.stdout.write('PROBE ' + JSON.stringify({
  refreshes: spent.wallMs.length,
  totalCpuPercent: (total / 1000 / wallMs) * 100,
  collectionCpuPercent: (split.collection / 1000 / wallMs) * 100,
  restCpuPercent: (split.rest / 1000 / wallMs) * 100,
  gcCpuPercent: (split.gc / 1000 / wallMs) * 100,
  collectionMedianMs: median(spent.wallMs),
  keyLatencyMedianMs: median(latencies),
  keyLatencyMaxMs: Math.max(...latencies),
  keyPresses: latencies.length,
  peakRssMb: process.resourceUsage().maxRSS / 1024,
  seconds: wallMs / 1000,
}) + '\\n');
process.exit(0);
`;

/** What the view probe reports; the harness adds the load, ss and the collect-only figures. */
type ProbeResult = Pick<
  TuiBenchResult,
  'refreshes' | 'collectionCpuPercent' | 'restCpuPercent' | 'gcCpuPercent' | 'collectionMedianMs' | 'keyLatencyMedianMs' | 'keyLatencyMaxMs' | 'keyPresses' | 'peakRssMb' | 'seconds'
> & { totalCpuPercent: number };

/** PORTTOP_BENCH_CPU_PROF=DIR writes a V8 CPU profile of each probe there (for finding where time goes). */
function profileFlags(mode: string): string[] {
  const dir = process.env.PORTTOP_BENCH_CPU_PROF;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=tui-${mode}.cpuprofile`] : [];
}

/** Runs the probe inside the namespace (from the package directory, so `ink` and `react` resolve). */
async function runProbe<T>(namespace: NetNamespace, mode: 'view' | 'collect', seconds: number): Promise<T> {
  const source = `const DIST = ${JSON.stringify(DIST)}; const MODE = ${JSON.stringify(mode)}; const SECONDS = ${seconds};\n${PROBE_SOURCE}`;
  const child = spawn(namespace.prefix[0]!, [...namespace.prefix.slice(1), process.execPath, ...profileFlags(mode), '--input-type=module', '-e', source], {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    // as `porttop top` runs it: React's production build (src/commands/top.ts sets the same)
    env: { ...process.env, NODE_ENV: 'production' },
  });
  let output = '';
  let errors = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const line = output.split('\n').find((text) => text.startsWith('PROBE '));
  if (!line) throw new Error(`the ${mode} probe failed (exit ${code}): ${errors}`);
  return JSON.parse(line.slice(6)) as T;
}

// ---- the harness: namespace, load, probe, ss ----

function timeSs(namespace: NetNamespace, runs: number): { wallMs: number[]; cpuMs: number[] } {
  const wallMs: number[] = [];
  const cpuMs: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const result = spawnSync('/usr/bin/time', ['-f', 'CPU %U %S', ...namespace.prefix, 'ss', '-tanp'], { encoding: 'utf8', maxBuffer: 1 << 28 });
    wallMs.push(performance.now() - started);
    const match = /CPU ([\d.]+) ([\d.]+)/.exec(result.stderr);
    if (match) cpuMs.push((Number(match[1]) + Number(match[2])) * 1000);
  }
  return { wallMs, cpuMs };
}

export async function run(seconds = 60): Promise<TuiBenchResult> {
  if (!NetNamespace.available()) throw new Error('the TUI benchmark needs root and ip netns (it loads a private network namespace)');
  const namespace = NetNamespace.create();
  const holders: Holder[] = [];
  try {
    const server = await startHolder<{ port: number }>(loopbackLoadSource(0), { prefix: namespace.prefix, timeoutMs: 60_000 });
    holders.push(server);
    for (let client = 0; client < CLIENTS; client++) {
      holders.push(
        await startHolder(loopbackLoadSource(SERVER_CONNECTIONS / CLIENTS, { connectTo: server.data.port }), { prefix: namespace.prefix, timeoutMs: 120_000 }),
      );
    }
    const sockets = Number(namespace.run('sh', ['-c', 'ss -tan | tail -n +2 | wc -l']).stdout.trim());
    const load = spawnSync('uptime', { encoding: 'utf8' }).stdout.trim();

    const measured = await runProbe<ProbeResult>(namespace, 'view', seconds);
    const floor = await runProbe<{ peakRssMb: number; analysisMedianMs: number }>(namespace, 'collect', Math.min(seconds, 20));
    const ss = timeSs(namespace, 10);
    const result: TuiBenchResult = {
      ...measured,
      collectOnlyPeakRssMb: floor.peakRssMb,
      analysisMedianMs: floor.analysisMedianMs,
      sockets,
      ssMedianMs: median(ss.wallMs),
      ssCpuMedianMs: median(ss.cpuMs),
      load,
    };
    print(result);
    return result;
  } finally {
    for (const holder of holders) await holder.stop();
    namespace.destroy();
  }
}

function print(result: TuiBenchResult): void {
  const lines = [
    `porttop live view, ${result.sockets} sockets on loopback, 1 s interval, ${round(result.seconds)} s (${result.refreshes} refreshes)`,
    `  load when measured: ${result.load}`,
    `  collection (backend):        ${round(result.collectionCpuPercent)} % of one core, median ${round(result.collectionMedianMs)} ms per refresh`,
    `  everything else (analysis, React, Ink): ${round(result.restCpuPercent)} % of one core   target < 5 %`,
    `  garbage collector, apart:    ${round(result.gcCpuPercent)} % of one core (mostly the collection's short-lived garbage)`,
    `    of which analysis:         median ${round(result.analysisMedianMs)} ms per snapshot (once per snapshot, never per key)`,
    `  key press to next frame:     median ${round(result.keyLatencyMedianMs)} ms, max ${round(result.keyLatencyMaxMs)} ms over ${result.keyPresses} keys   target < 100 ms`,
    `  peak RSS:                    ${round(result.peakRssMb)} MB   target < 120 MB (collection and analysis alone, no Ink: ${round(result.collectOnlyPeakRssMb)} MB)`,
    `  ss -tanp on the same load:   median ${round(result.ssMedianMs)} ms wall, ${round(result.ssCpuMedianMs)} ms CPU per run`,
    `  ratio, porttop collection / ss -tanp (wall, median): ${round(result.collectionMedianMs / result.ssMedianMs, 2)}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (process.argv[1] === THIS_FILE) await run(Number(process.argv[2] ?? 60));
