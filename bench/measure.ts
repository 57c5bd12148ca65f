// The timing half of the Linux collection benchmark. It runs INSIDE the benchmark's network namespace
// (started through `ip netns exec`), so every command it starts sees the benchmark's sockets and none
// of the machine's, without paying `ip netns exec` per run. It prints one JSON line (MeasureResult).
//
// Whole commands are timed round-robin (every command once per round, the order rotating), so a busy
// moment on this shared machine hits every command alike. Then LinuxBackend.snapshot() is timed
// in-process, from the built dist/ (what `porttop` runs), without Node start-up, yargs or JSON.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

export interface MeasureSpec {
  runs: number;
  /** the listener started before the load: the usual case, a long-running server */
  portFirst: number;
  /** the listener started after the load: the worst case for stopping the fd scan early */
  portLast: number;
  /** another built checkout of porttop (e.g. an older commit) to time beside this one, same load */
  baselineRoot?: string;
  /** a Node 24 binary (scripts/node24.sh): porttop is timed on it beside the running Node */
  node24?: string;
}

export interface CommandSpec {
  key: string;
  label: string;
  argv: string[];
  /** exit statuses that mean it worked (lsof says 1 when it finds nothing) */
  okStatuses: number[];
}

export interface CommandTimes {
  key: string;
  label: string;
  ms: number[];
  /** CPU time (user + system) of the command, ms: on a shared machine less disturbed than wall time */
  cpuMs: number[];
  failures: string[];
  /** peak resident set size in KiB over a few runs (from /usr/bin/time), null when not measured */
  maxRssKiB: number | null;
}

export interface MeasureResult {
  sockets: { total: number; owned: number; timeWait: number };
  commands: CommandTimes[];
  inProcess: { fullMs: number[]; onePortMs: number[]; endpoints: number; owned: number };
  checks: string[];
  /** every process's fds (not only the namespace's): what an owner scan has to read */
  machineFds: { processes: number; fds: number };
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = `${ROOT}bin/porttop.cjs`;
const TIME = '/usr/bin/time';
const RSS_RUNS = 3;

export function commandsFor(spec: MeasureSpec): CommandSpec[] {
  const node = process.execPath;
  const major = process.versions.node.split('.')[0];
  return [
    { key: 'node', label: `node -e 0 (start-up floor, Node ${major})`, argv: [node, '-e', '0'], okStatuses: [0] },
    { key: 'tables', label: 'cat /proc/net/tcp /proc/net/tcp6 (kernel floor)', argv: ['cat', '/proc/net/tcp', '/proc/net/tcp6'], okStatuses: [0] },
    { key: 'list', label: `porttop list --json (Node ${major})`, argv: [node, BIN, 'list', '--json'], okStatuses: [0] },
    { key: 'ss-all', label: 'ss -tanp', argv: ['ss', '-tanp'], okStatuses: [0] },
    { key: 'lsof', label: 'lsof -nP -iTCP', argv: ['lsof', '-nP', '-iTCP'], okStatuses: [0, 1] },
    { key: 'who', label: `porttop who P (Node ${major})`, argv: [node, BIN, 'who', String(spec.portFirst)], okStatuses: [0] },
    { key: 'ss-port', label: "ss -ltnp 'sport = :P'", argv: ['ss', '-ltnp', `sport = :${spec.portFirst}`], okStatuses: [0] },
    { key: 'who-last', label: `porttop who P, owner started last (Node ${major})`, argv: [node, BIN, 'who', String(spec.portLast)], okStatuses: [0] },
    { key: 'ss-port-last', label: "ss -ltnp 'sport = :P' (same port)", argv: ['ss', '-ltnp', `sport = :${spec.portLast}`], okStatuses: [0] },
    ...node24Commands(spec),
    ...baselineCommands(spec),
  ];
}

/** The same porttop commands on Node 24, the current LTS (with its compile cache, as a user gets it). */
function node24Commands(spec: MeasureSpec): CommandSpec[] {
  if (!spec.node24) return [];
  const node = spec.node24;
  return [
    { key: 'node24', label: 'node -e 0 (start-up floor, Node 24)', argv: [node, '-e', '0'], okStatuses: [0] },
    { key: 'list24', label: 'porttop list --json (Node 24)', argv: [node, BIN, 'list', '--json'], okStatuses: [0] },
    { key: 'who24', label: 'porttop who P (Node 24)', argv: [node, BIN, 'who', String(spec.portFirst)], okStatuses: [0] },
    { key: 'who-last24', label: 'porttop who P, owner started last (Node 24)', argv: [node, BIN, 'who', String(spec.portLast)], okStatuses: [0] },
  ];
}

function baselineCommands(spec: MeasureSpec): CommandSpec[] {
  if (!spec.baselineRoot) return [];
  // an older checkout may predate the CommonJS bin
  const bin = existsSync(`${spec.baselineRoot}/bin/porttop.cjs`) ? `${spec.baselineRoot}/bin/porttop.cjs` : `${spec.baselineRoot}/bin/porttop.js`;
  return [
    { key: 'base-list', label: 'baseline: porttop list --json', argv: [process.execPath, bin, 'list', '--json'], okStatuses: [0] },
    { key: 'base-who', label: 'baseline: porttop who P', argv: [process.execPath, bin, 'who', String(spec.portFirst)], okStatuses: [0] },
  ];
}

function available(command: string): boolean {
  if (command.startsWith('/')) return existsSync(command);
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Runs the command under bash, which reports its wall time ($EPOCHREALTIME, microseconds, without
 * bash's own start-up) and its CPU time (`times`, the children's user and system time, milliseconds)
 * on fd 3.
 */
const TIMER = 'start=$EPOCHREALTIME; "$@" >/dev/null; status=$?; end=$EPOCHREALTIME; echo "$start $end" >&3; times >&3; exit $status';

function timeOnce(command: CommandSpec): { ms: number; cpuMs: number; failure: string | null } {
  const started = performance.now();
  const result = spawnSync('bash', ['-c', TIMER, 'bash', ...command.argv], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'], maxBuffer: 16 << 20 });
  const report = String(result.output?.[3] ?? '');
  const clock = /^(\d+)[.,](\d+) (\d+)[.,](\d+)$/m.exec(report);
  const ms = clock ? (Number(`${clock[3]}.${clock[4]}`) - Number(`${clock[1]}.${clock[2]}`)) * 1000 : performance.now() - started;
  // `times` prints the shell's own times, then its children's: "0m0.012s 0m0.004s"
  const children = [...report.matchAll(/(\d+)m([\d.]+)s (\d+)m([\d.]+)s/g)][1];
  const cpuMs = children ? (Number(children[1]) * 60 + Number(children[2]) + Number(children[3]) * 60 + Number(children[4])) * 1000 : Number.NaN;
  if (result.error) return { ms, cpuMs, failure: String(result.error) };
  if (!command.okStatuses.includes(result.status ?? -1)) {
    return { ms, cpuMs, failure: `exit ${result.status ?? result.signal}: ${String(result.stderr).trim().split('\n')[0] ?? ''}` };
  }
  return { ms, cpuMs, failure: null };
}

function peakRss(command: CommandSpec): number | null {
  if (!existsSync(TIME)) return null;
  let peak = 0;
  for (let run = 0; run < RSS_RUNS; run++) {
    // %M: maximum resident set size in KiB; printed last on stderr
    const result = spawnSync(TIME, ['-f', 'RSS_KIB=%M', ...command.argv], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
    const match = /RSS_KIB=(\d+)/.exec(result.stderr ?? '');
    if (!match) return null;
    peak = Math.max(peak, Number(match[1]));
  }
  return peak;
}

function capture(argv: string[]): string {
  const result = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', maxBuffer: 256 << 20 });
  return result.stdout ?? '';
}

function countSockets(): MeasureResult['sockets'] {
  const lines = capture(['ss', '-tanpH']).split('\n').filter((line) => line.length > 0);
  return {
    total: lines.length,
    owned: lines.filter((line) => line.includes('users:')).length,
    timeWait: lines.filter((line) => line.startsWith('TIME-WAIT')).length,
  };
}

function countMachineFds(): MeasureResult['machineFds'] {
  let processes = 0;
  let fds = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      fds += readdirSync(`/proc/${entry}/fd`).length;
      processes++;
    } catch {
      // exited meanwhile
    }
  }
  return { processes, fds };
}

/** Does porttop agree with ss on this load? (It should; a benchmark of a wrong answer is worthless.) */
function sanityChecks(spec: MeasureSpec, sockets: MeasureResult['sockets']): string[] {
  const problems: string[] = [];
  const listed = JSON.parse(capture([process.execPath, BIN, 'list', '--json', '--proto', 'tcp'])) as { pid: number | null; state: string }[];
  const owned = listed.filter((endpoint) => endpoint.pid !== null).length;
  // TIME_WAIT sockets expire meanwhile, so compare what has an owner: that does not change
  if (owned !== sockets.owned) problems.push(`porttop saw ${owned} owned TCP sockets, ss -tanp ${sockets.owned}`);
  for (const node of [process.execPath, ...(spec.node24 ? [spec.node24] : [])]) {
    for (const port of [spec.portFirst, spec.portLast]) {
      const who = JSON.parse(capture([node, BIN, 'who', String(port), '--json'])) as { pid: number | null }[];
      const ssPid = /pid=(\d+)/.exec(capture(['ss', '-ltnpH', `sport = :${port}`]))?.[1];
      if (who.length !== 1 || String(who[0]!.pid) !== ssPid) {
        problems.push(`porttop who ${port} on ${node} gave ${JSON.stringify(who)}, ss -ltnp says pid ${ssPid ?? 'none'}`);
      }
    }
  }
  return problems;
}

async function timeInProcess(spec: MeasureSpec): Promise<MeasureResult['inProcess']> {
  const distBackend = new URL('../dist/linux/backend.js', import.meta.url).href;
  const { LinuxBackend } = (await import(distBackend)) as typeof import('../src/linux/backend.js');
  const backend = new LinuxBackend();
  const first = await backend.snapshot(); // warm-up, and the counts
  const fullMs: number[] = [];
  const onePortMs: number[] = [];
  const onePort = new Set([spec.portFirst]);
  for (let run = 0; run < spec.runs; run++) {
    let started = performance.now();
    await backend.snapshot();
    fullMs.push(performance.now() - started);
    started = performance.now();
    await backend.snapshot({ localPorts: onePort });
    onePortMs.push(performance.now() - started);
  }
  return {
    fullMs,
    onePortMs,
    endpoints: first.endpoints.length,
    owned: first.endpoints.filter((endpoint) => endpoint.pid !== null).length,
  };
}

export async function measure(spec: MeasureSpec): Promise<MeasureResult> {
  const sockets = countSockets();
  const machineFds = countMachineFds();
  const commands = commandsFor(spec).filter((command) => available(command.argv[0]!));
  const times: CommandTimes[] = commands.map((command) => ({ key: command.key, label: command.label, ms: [], cpuMs: [], failures: [], maxRssKiB: null }));
  for (let round = -1; round < spec.runs; round++) {
    // round -1 warms the page cache (and the compile cache) and is not counted
    for (let turn = 0; turn < commands.length; turn++) {
      const index = (turn + Math.max(round, 0)) % commands.length;
      const { ms, cpuMs, failure } = timeOnce(commands[index]!);
      if (round < 0) continue;
      times[index]!.ms.push(ms);
      times[index]!.cpuMs.push(cpuMs);
      if (failure) times[index]!.failures.push(failure);
    }
  }
  for (const [index, command] of commands.entries()) {
    if (!['tables', 'node', 'node24'].includes(command.key)) times[index]!.maxRssKiB = peakRss(command);
  }
  const checks = sanityChecks(spec, sockets);
  const inProcess = await timeInProcess(spec);
  return { sockets, commands: times, inProcess, checks, machineFds };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const spec = JSON.parse(process.argv[2] ?? '{}') as MeasureSpec;
  const result = await measure(spec);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
