// 30,000 connection rows (TCP and UDP, IPv4 and IPv6) through the whole PowerShell side and back, in
// the warm session: the IP Helper path (table buffers built from the documented layouts, parsed and
// written as JSON by PortTopIpHelper.cs, the envelope, the core model) beside the Get-NetTCPConnection
// path on the same rows (stand-in cmdlets that hand out ready-made row objects, so what is measured is
// everything except the CIM query itself: a real CIM query only adds to the cmdlet path).
// Targets: IP Helper median <= 300 ms, and at least 5x faster than the cmdlet path.
//   node --import tsx bench/ps-tables.bench.ts
import { readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { toSnapshot } from '../src/ps/envelope.js';
import { PowerShellSession } from '../src/ps/session.js';
import { fakePrelude } from '../test/ps/fake.js';
import { tableSourcePrelude, writeTables, type TcpRowSpec, type UdpRowSpec } from '../test/ps/iphelper-tables.js';
import { PWSH } from '../test/ps/pwsh.js';

export const MEDIAN_TARGET_MS = 300;
export const SPEEDUP_TARGET = 5;
const ROWS = { tcp4: 18_000, tcp6: 6_000, udp4: 4_000, udp6: 2_000 } as const;
const NEW_CALLS = 15;
const OLD_CALLS = 5;

export interface PsTablesBenchResult {
  pwsh: string;
  load: string;
  rows: number;
  ipHelperMedianMs: number;
  cmdletsMedianMs: number;
  ipHelperCpuMedianMs: number | null;
  cmdletsCpuMedianMs: number | null;
  speedup: number;
  meetsTargets: boolean;
}

function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** The same rows for both paths; owners are live PIDs (this process, its parent) so process details are read too. */
function syntheticRows(): { tcp4: TcpRowSpec[]; tcp6: TcpRowSpec[]; udp4: UdpRowSpec[]; udp6: UdpRowSpec[] } {
  const owners = [process.pid, process.ppid, 0];
  const states = [5, 5, 5, 11, 8, 2]; // mostly ESTABLISHED, some TIME_WAIT, CLOSE_WAIT, LISTEN
  const owner = (i: number, state: number) => (state === 11 ? 0 : owners[i % owners.length]!);
  return {
    tcp4: Array.from({ length: ROWS.tcp4 }, (_, i) => {
      const state = states[i % states.length]!;
      return { localAddress: '10.0.0.5', localPort: 1024 + (i % 64_000), remoteAddress: `10.1.${(i >> 8) & 255}.${i & 255}`, remotePort: 443, state, pid: owner(i, state) };
    }),
    tcp6: Array.from({ length: ROWS.tcp6 }, (_, i) => {
      const state = states[i % states.length]!;
      return { localAddress: 'fe80::1c2d:3e4f:5a6b:7c8d', localScopeId: 12, localPort: 1024 + i, remoteAddress: `2001:db8::${(i % 65_535).toString(16)}`, remotePort: 8443, state, pid: owner(i, state) };
    }),
    udp4: Array.from({ length: ROWS.udp4 }, (_, i) => ({ localAddress: '0.0.0.0', localPort: 20_000 + i, pid: owners[i % 2]! })),
    udp6: Array.from({ length: ROWS.udp6 }, (_, i) => ({ localAddress: '::', localPort: 40_000 + i, pid: owners[i % 2]! })),
  };
}

/** Get-NetTCPConnection / Get-NetUDPEndpoint rows (NetTCPIP shape) built once, handed out per call. */
function cmdletPrelude(rows: ReturnType<typeof syntheticRows>): string {
  const tcp = [...rows.tcp4, ...rows.tcp6].map((row) => ({ LocalAddress: row.localAddress + (row.localScopeId ? `%${row.localScopeId}` : ''), LocalPort: row.localPort, RemoteAddress: row.remoteAddress, RemotePort: row.remotePort, State: row.state, OwningProcess: row.pid }));
  const udp = [...rows.udp4, ...rows.udp6].map((row) => ({ LocalAddress: row.localAddress, LocalPort: row.localPort, OwningProcess: row.pid }));
  return [
    fakePrelude({ FakeTcp: JSON.stringify(tcp), FakeUdp: JSON.stringify(udp) }),
    // materialize once: the per-call cost left is what the script itself does with the rows
    '$global:BenchTcp = @(Get-NetTCPConnection); $global:BenchUdp = @(Get-NetUDPEndpoint)',
    'function global:Get-NetTCPConnection { [CmdletBinding()] param([uint16[]]$LocalPort, [string]$State) if ($State) { return } $global:BenchTcp }',
    'function global:Get-NetUDPEndpoint { [CmdletBinding()] param([uint16[]]$LocalPort) $global:BenchUdp }',
  ].join('\n');
}

/** CPU time (user + system) PowerShell has used so far, in ms (Linux /proc; null elsewhere). */
function pwshCpuMs(pid: number | null): number | null {
  if (pid === null || process.platform !== 'linux') return null;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

interface Samples {
  wall: number[];
  /** CPU of PowerShell and of this process per call: unlike wall time, not inflated by other load */
  cpu: number[];
}

async function timeCalls(session: PowerShellSession, parameters: Record<string, string>, calls: number, expectRows: number): Promise<Samples> {
  for (let i = 0; i < 2; i++) await session.call('Get-PortTopSnapshot', parameters); // start-up, compile/load, JIT
  const samples: Samples = { wall: [], cpu: [] };
  for (let i = 0; i < calls; i++) {
    const pwshBefore = pwshCpuMs(session.pid);
    const nodeBefore = process.cpuUsage();
    const started = performance.now();
    const snapshot = toSnapshot(await session.call('Get-PortTopSnapshot', parameters), new Date().toISOString());
    samples.wall.push(performance.now() - started);
    const node = process.cpuUsage(nodeBefore);
    const pwshAfter = pwshCpuMs(session.pid);
    if (pwshBefore !== null && pwshAfter !== null) samples.cpu.push(pwshAfter - pwshBefore + (node.user + node.system) / 1000);
    if (snapshot.endpoints.length !== expectRows) throw new Error(`expected ${expectRows} endpoints, got ${snapshot.endpoints.length}: ${snapshot.warnings.join('; ')}`);
  }
  return samples;
}

export async function run(): Promise<PsTablesBenchResult | null> {
  if (PWSH === null) {
    process.stdout.write('ps-tables: skipped, no pwsh found (set PORTTOP_PWSH)\n');
    return null;
  }
  const rows = syntheticRows();
  const total = ROWS.tcp4 + ROWS.tcp6 + ROWS.udp4 + ROWS.udp6;
  const dir = writeTables(rows);
  const load = loadavg().map((value) => value.toFixed(2)).join(' ');
  let ipHelper: Samples;
  let cmdlets: Samples;
  const newSession = new PowerShellSession({ executable: PWSH, prelude: `${fakePrelude()}\n${tableSourcePrelude(dir)}`, timeoutMs: 120_000, startTimeoutMs: 120_000 });
  try {
    ipHelper = await timeCalls(newSession, { Source: 'IpHelper' }, NEW_CALLS, total);
  } finally {
    await newSession.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const oldSession = new PowerShellSession({ executable: PWSH, prelude: cmdletPrelude(rows), timeoutMs: 300_000, startTimeoutMs: 300_000 });
  try {
    cmdlets = await timeCalls(oldSession, { Source: 'Cmdlets' }, OLD_CALLS, total);
  } finally {
    await oldSession.close();
  }
  const ipHelperMedianMs = median(ipHelper.wall);
  const cmdletsMedianMs = median(cmdlets.wall);
  const cpu = (samples: Samples) => (samples.cpu.length ? `, CPU median ${median(samples.cpu).toFixed(0)} ms (PowerShell + node)` : '');
  const speedup = cmdletsMedianMs / ipHelperMedianMs;
  const result: PsTablesBenchResult = {
    pwsh: PWSH,
    load,
    rows: total,
    ipHelperMedianMs,
    cmdletsMedianMs,
    ipHelperCpuMedianMs: ipHelper.cpu.length ? median(ipHelper.cpu) : null,
    cmdletsCpuMedianMs: cmdlets.cpu.length ? median(cmdlets.cpu) : null,
    speedup,
    meetsTargets: ipHelperMedianMs <= MEDIAN_TARGET_MS && speedup >= SPEEDUP_TARGET,
  };
  process.stdout.write(
    [
      `ps-tables: ${total} rows (TCP ${ROWS.tcp4} IPv4 + ${ROWS.tcp6} IPv6, UDP ${ROWS.udp4} + ${ROWS.udp6}) through Get-PortTopSnapshot and toSnapshot, warm session, load average ${load}`,
      `  IP Helper path      median ${ipHelperMedianMs.toFixed(0)} ms  (min ${Math.min(...ipHelper.wall).toFixed(0)}, max ${Math.max(...ipHelper.wall).toFixed(0)}; ${NEW_CALLS} calls${cpu(ipHelper)})`,
      `  cmdlet path         median ${cmdletsMedianMs.toFixed(0)} ms  (min ${Math.min(...cmdlets.wall).toFixed(0)}, max ${Math.max(...cmdlets.wall).toFixed(0)}; ${OLD_CALLS} calls; CIM query not included${cpu(cmdlets)})`,
      `  ratio               ${speedup.toFixed(1)}x faster (target >= ${SPEEDUP_TARGET}x; median target <= ${MEDIAN_TARGET_MS} ms): ${result.meetsTargets ? 'met' : 'NOT met'}`,
      '',
    ].join('\n'),
  );
  return result;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
