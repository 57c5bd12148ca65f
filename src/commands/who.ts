// porttop who <port|from-to>...: which process uses or blocks each port.
import type { ArgumentsCamelCase } from 'yargs';
import type { Backend } from '../backend.js';
import { explainUnowned, ownersHidden } from '../core/explain.js';
import type { Endpoint, ExcludedRange, ProcessInfo, Snapshot } from '../core/model.js';
import { classifyOwner } from '../core/owner.js';
import { safeText } from '../core/terminal.js';
import { endpointsOnPorts, groupByOwner } from '../core/select.js';
import { parsePortSpans, portsOfSpans, type PortSpan } from '../core/validate.js';
import { EXIT } from '../errors.js';
import type { Runtime } from '../runtime.js';
import { printEndpointsJson, withBackend, type GlobalArgs } from './common.js';
import { defineCommand } from './define.js';
import { describeSpans, formatLocal, formatProtocol, formatRemote, formatTable } from './format.js';

interface WhoArgs extends GlobalArgs {
  ports: string[];
}

export const whoCommand = defineCommand<WhoArgs>({
  command: 'who <ports..>',
  describe: 'which process uses or blocks each port (TCP and UDP, IPv4 and IPv6)',
  positionals: { ports: { type: 'string', array: true, describe: 'ports (8080) or ranges (8000-8099)', demandOption: true } },
  examples: [
    ['$0 who 8080', 'who listens on, or is connected from, local port 8080'],
    ['$0 who 8000-8099 --json', 'every endpoint on those ports as JSON'],
  ],
  handler: (args) => runWho(args),
});

async function runWho(args: ArgumentsCamelCase<WhoArgs>): Promise<void> {
  const spans = parsePortSpans(args.ports);
  await withBackend(args, async (backend) => {
    const snapshot = await backend.snapshot({ localPorts: portsOfSpans(spans) });
    const endpoints = endpointsOnPorts(snapshot.endpoints, spans);
    const excluded = endpoints.length === 0 ? await excludedRangesHolding(backend, spans) : [];
    if (args.json) printEndpointsJson(args.runtime, endpoints, snapshot);
    else printWho(args.runtime, spans, { ...snapshot, endpoints }, backend.platform, excluded);
    if (endpoints.length === 0) args.runtime.exitCode = EXIT.notFound;
  });
}

/** Windows reserves port ranges (Hyper-V, WSL, Docker): a bind there fails while no process owns it. */
async function excludedRangesHolding(backend: Backend, spans: readonly PortSpan[]): Promise<ExcludedRange[]> {
  if (!backend.excludedRanges) return [];
  const ranges = await backend.excludedRanges();
  return ranges.filter((range) => spans.some((span) => span.from <= range.end && span.to >= range.start));
}

function printWho(runtime: Runtime, spans: readonly PortSpan[], snapshot: Snapshot, platform: 'linux' | 'windows', excluded: readonly ExcludedRange[]): void {
  const subject = describeSpans(spans);
  if (snapshot.endpoints.length === 0) {
    for (const range of excluded) {
      runtime.stdout(
        `${subject} lies in an excluded range (${range.start}-${range.end}, ${range.protocol} ${range.family}, reserved e.g. by Hyper-V, WSL or Docker); no process owns it\n`,
      );
    }
    if (excluded.length === 0) runtime.stdout(`nothing uses ${subject}\n`);
    for (const warning of snapshot.warnings) runtime.stdout(`note: ${warning}\n`);
    return;
  }
  const blocks: string[] = [];
  for (const group of groupByOwner(snapshot.endpoints)) {
    const rows = group.endpoints.map((endpoint) => [
      formatProtocol(endpoint),
      formatLocal(endpoint),
      formatRemote(endpoint),
      endpoint.state ?? '',
    ]);
    const table = indent(formatTable(['PROTO', 'LOCAL', 'REMOTE', 'STATE'], rows));
    if (group.holders.length === 0) {
      const reasons = [...new Set(group.endpoints.map((endpoint) => `${endpoint.state ?? 'UDP'}: ${explainUnowned(endpoint, platform, ownersHidden(snapshot))}`))];
      blocks.push(`no owning process\n${table}${reasons.map((reason) => `  ${reason}\n`).join('')}`);
      continue;
    }
    const shared = group.holders.length > 1 ? `held by ${group.holders.length} processes (the socket is shared: stopping one leaves the port taken)\n` : '';
    const holders = group.holders.map((pid) => describeHolder(pid, snapshot.processes.get(pid), platform, group.endpoints[0]!)).join('');
    blocks.push(`${shared}${holders}${table}`);
  }
  runtime.stdout(`${subject}:\n\n${blocks.join('\n')}`);
  for (const warning of snapshot.warnings) runtime.stdout(`\nnote: ${warning}\n`);
}

/** A holder's title line, command line, real owner and parent chain; process text escaped for the terminal. */
export function describeHolder(pid: number, info: ProcessInfo | undefined, platform: 'linux' | 'windows', endpoint: Endpoint | null): string {
  const lines = [`PID ${pid}  ${safeText(info?.name ?? '?')}${info?.startTime ? `  started ${info.startTime}` : ''}`];
  if (info?.commandLine) lines.push(`  ${oneLine(safeText(info.commandLine), COMMAND_LINE_MAX)}`);
  const chain = info?.parentChain ?? [];
  if (chain.length > 0) lines.push(`  parents: ${chain.map((parent) => `${safeText(parent.name)} (${parent.pid})`).join(' <- ')}`);
  const owner = classifyOwner(info ?? (pid === 4 ? { pid, name: 'System', commandLine: null, startTime: null, handles: null } : undefined), endpoint, platform);
  if (owner) {
    lines.push(`  owner: ${safeText(owner.description)}`);
    if (owner.stop) lines.push(`  stop it with: ${safeText(owner.stop)}`);
  } else if (info?.unit) {
    lines.push(`  unit: ${safeText(info.unit)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Long or multi-line command lines (node -e '...') would bury the table. */
const COMMAND_LINE_MAX = 160;

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function indent(text: string): string {
  return text.replace(/^(?=.)/gm, '  ');
}
