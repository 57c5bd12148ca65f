// porttop kill <port|from-to>...: stop the processes holding those ports, safely.
import type { ArgumentsCamelCase } from 'yargs';
import type { Backend } from '../backend.js';
import type { Endpoint, KillOptions, KillResult, Snapshot } from '../core/model.js';
import { protectionReason } from '../core/protect.js';
import { endpointsOnPorts, holdsPort, killCandidatePids } from '../core/select.js';
import { parsePortSpans, parseSeconds, parseSignal, portsOfSpans } from '../core/validate.js';
import { EXIT, NotPermittedError } from '../errors.js';
import { printJson, withBackend, type GlobalArgs } from './common.js';
import { defineCommand } from './define.js';
import { formatLocal, formatProtocol } from './format.js';
import { describeSpans } from './who.js';

interface KillArgs extends GlobalArgs {
  ports: string[];
  'all-states': boolean;
  force: boolean;
  signal: string;
  timeout: string;
  'dry-run': boolean;
  'allow-critical': boolean;
}

/** One process porttop was asked to stop, and what happened. The shape of `kill --json`. */
export interface KillReport {
  pid: number;
  processName: string;
  ports: number[];
  outcome: KillResult['outcome'] | 'would-stop';
  signals: string[];
  message: string;
}

export const killCommand = defineCommand<KillArgs>({
  command: 'kill <ports..>',
  describe: 'stop the processes listening on or bound to those ports (SIGTERM, then SIGKILL)',
  positionals: { ports: { type: 'string', array: true, describe: 'ports (8080) or ranges (8000-8099)', demandOption: true } },
  options: {
    'all-states': { type: 'boolean', default: false, describe: 'also stop owners of connections (not just listeners, bound sockets and UDP)' },
    force: { type: 'boolean', default: false, describe: 'SIGKILL at once (Windows: always Stop-Process -Force)' },
    signal: { type: 'string', default: 'SIGTERM', describe: 'first signal to send' },
    timeout: { type: 'string', default: '3', describe: 'seconds to wait before escalating to SIGKILL' },
    'dry-run': { type: 'boolean', default: false, describe: 'only print what would be stopped' },
    'allow-critical': { type: 'boolean', default: false, describe: 'Windows: allow csrss, lsass, services and other critical processes' },
  },
  examples: [
    ['$0 kill 8080', 'stop whatever listens on port 8080'],
    ['$0 kill 3000-3010 --dry-run', 'show what would be stopped'],
  ],
  handler: (args) => runKill(args),
});

async function runKill(args: ArgumentsCamelCase<KillArgs>): Promise<void> {
  const spans = parsePortSpans(args.ports);
  const options: KillOptions = {
    signal: parseSignal(args.signal),
    force: args.force,
    timeoutMs: parseSeconds(args.timeout, '--timeout', 0, 600) * 1000,
    allowCritical: args.allowCritical,
  };
  const { runtime } = args;
  await withBackend(args, async (backend) => {
    const snapshot = await backend.snapshot({ localPorts: portsOfSpans(spans) });
    const onPorts = endpointsOnPorts(snapshot.endpoints, spans);
    const pids = killCandidatePids(onPorts, spans, args.allStates);
    if (pids.length === 0) {
      const hiddenHolders = onPorts.filter((endpoint) => endpoint.pid === null && holdsPort(endpoint));
      if (hiddenHolders.length > 0 && (snapshot.hiddenOwners ?? 0) > 0) {
        throw new NotPermittedError(
          `the process holding ${describeSpans(spans)} is hidden from this user: run porttop as ${backend.platform === 'windows' ? 'Administrator' : 'root (sudo)'}`,
        );
      }
      runtime.exitCode = EXIT.notFound;
      if (args.json) printJson(runtime, []);
      else runtime.stdout(nothingToKill(describeSpans(spans), onPorts));
      return;
    }
    const reports = await Promise.all(pids.map((pid) => stopOne(backend, snapshot, pid, onPorts, options, args.dryRun)));
    if (reports.some((report) => ['refused', 'not-permitted', 'survived'].includes(report.outcome))) {
      runtime.exitCode = EXIT.notPermitted;
    }
    if (args.json) printJson(runtime, reports);
    else for (const report of reports) (isFailure(report) ? runtime.stderr : runtime.stdout)(`${describeReport(report)}\n`);
  });
}

async function stopOne(backend: Backend, snapshot: Snapshot, pid: number, onPorts: readonly Endpoint[], options: KillOptions, dryRun: boolean): Promise<KillReport> {
  const info = snapshot.processes.get(pid);
  const name = info?.name ?? '?';
  const ports = [...new Set(onPorts.filter((endpoint) => endpoint.pid === pid).map((endpoint) => endpoint.localPort))].sort((a, b) => a - b);
  const base = { pid, processName: name, ports };
  const refusal = protectionReason(pid, name, {
    platform: backend.platform,
    selfPid: process.pid,
    parentPid: process.ppid,
    allowCritical: options.allowCritical,
  });
  if (refusal) return { ...base, outcome: 'refused', signals: [], message: `refused: ${refusal}` };
  if (dryRun) {
    const how = options.force ? 'SIGKILL' : `${options.signal}, then SIGKILL after ${options.timeoutMs / 1000} s`;
    return { ...base, outcome: 'would-stop', signals: [], message: `would stop it (${backend.platform === 'windows' ? 'Stop-Process -Force' : how})` };
  }
  const result = await backend.kill({ pid, name, startTime: info?.startTime ?? null }, options);
  return { ...base, outcome: result.outcome, signals: result.signals, message: result.message };
}

function isFailure(report: KillReport): boolean {
  return report.outcome === 'refused' || report.outcome === 'not-permitted' || report.outcome === 'survived';
}

function describeReport(report: KillReport): string {
  const who = `PID ${report.pid} ${report.processName} (port${report.ports.length === 1 ? '' : 's'} ${report.ports.join(', ')})`;
  return `${who}: ${report.message}`;
}

function nothingToKill(subject: string, onPorts: readonly Endpoint[]): string {
  if (onPorts.length === 0) return `nothing holds ${subject}\n`;
  const owned = onPorts.filter((endpoint) => endpoint.pid !== null);
  const lines = [`no process listens on or is bound to ${subject}`];
  if (owned.length > 0) {
    lines.push(`${owned.length} connection(s) use it, e.g. ${formatProtocol(owned[0]!)} ${formatLocal(owned[0]!)} ${owned[0]!.state ?? ''} (PID ${owned[0]!.pid}); add --all-states to stop their owners too`);
  } else {
    lines.push(`${onPorts.length} endpoint(s) on it have no owner (e.g. ${onPorts[0]!.state ?? 'UDP'}): nothing to kill; see porttop who`);
  }
  return `${lines.join('\n')}\n`;
}
