// porttop wait <port|from-to>... [--free | --listening]: until the ports are free or listened on.
import type { ArgumentsCamelCase } from 'yargs';
import { waitForWith, type WaitResult } from '../api/wait.js';
import { parsePortSpans, parseProtocols, parseSeconds, PROTO_CHOICES } from '../core/validate.js';
import { EXIT, UsageError } from '../errors.js';
import { escapeControl } from '../core/terminal.js';
import { printJson, withBackend, type GlobalArgs } from './common.js';
import { defineCommand } from './define.js';
import { formatAddress } from '../core/labels.js';

interface WaitArgs extends GlobalArgs {
  ports: string[];
  free: boolean;
  listening: boolean;
  timeout: string;
  interval: string;
  proto: string;
}

/** Limits of --timeout and --interval, in seconds. */
export const WAIT_LIMITS = { maxTimeout: 86_400, minInterval: 0.01, maxInterval: 60 } as const;

export const waitCommand = defineCommand<WaitArgs>({
  command: 'wait <ports..>',
  describe: 'wait until the ports are free (default) or something listens on them',
  positionals: { ports: { type: 'string', array: true, describe: 'ports (3000, :3000) or ranges (3000-3010)', demandOption: true } },
  options: {
    free: { type: 'boolean', default: false, describe: 'until nothing holds them (TIME_WAIT alone does not count); the default' },
    listening: { type: 'boolean', default: false, describe: 'until something listens on every one of them' },
    timeout: { type: 'string', default: '30', nargs: 1, describe: 'give up after this many seconds (exit 1)' },
    interval: { type: 'string', default: '0.25', nargs: 1, describe: 'seconds between looks' },
    proto: { type: 'string', default: 'all', nargs: 1, describe: PROTO_CHOICES },
  },
  examples: [
    ['$0 wait 3000 --listening && open http://localhost:3000', 'start the browser once the dev server listens'],
    ['$0 wait 8080 --free --timeout 10', 'until the old server has let go of 8080'],
  ],
  handler: (args) => runWait(args),
});

async function runWait(args: ArgumentsCamelCase<WaitArgs>): Promise<void> {
  const spans = parsePortSpans(args.ports);
  if (args.free && args.listening) throw new UsageError('--free and --listening exclude each other: pick one (--free is the default)');
  const timeoutMs = parseSeconds(args.timeout, '--timeout', 0, WAIT_LIMITS.maxTimeout) * 1000;
  const intervalMs = parseSeconds(args.interval, '--interval', WAIT_LIMITS.minInterval, WAIT_LIMITS.maxInterval) * 1000;
  const protocols = parseProtocols(args.proto);
  await withBackend(args, async (backend) => {
    const result = await waitForWith(backend, { spans, until: args.listening ? 'listening' : 'free', protocols, timeoutMs, intervalMs });
    if (args.json) printJson(args.runtime, result);
    else (result.met ? args.runtime.stdout : args.runtime.stderr)(`${formatWait(result, timeoutMs)}\n`);
    if (!result.met) args.runtime.exitCode = EXIT.notFound;
  });
}

export function formatWait(result: WaitResult, timeoutMs: number): string {
  const subject = `${result.ports.length === 1 && !result.ports[0]!.includes('-') ? 'port' : 'ports'} ${result.ports.join(', ')}`;
  const after = `${(result.waitedMs / 1000).toFixed(1)} s`;
  if (result.met) return `${subject} ${result.until === 'free' ? 'free' : 'listened on'} after ${after}`;
  const limit = `${timeoutMs / 1000} s`;
  if (result.until === 'listening') {
    return `timed out after ${limit}: nothing listens on port${result.notListening.length === 1 ? '' : 's'} ${result.notListening.slice(0, 20).join(', ')}${result.notListening.length > 20 ? ', ...' : ''} yet`;
  }
  const holders = result.blocking.slice(0, 10).map((endpoint) => {
    const who = endpoint.pid === null ? 'no visible owner' : `PID ${endpoint.pid} ${escapeControl(endpoint.processName ?? '?')}`;
    return `  ${who}: ${endpoint.protocol.toUpperCase()} ${formatAddress(endpoint.localAddress, endpoint.localPort)}${endpoint.state ? ` ${endpoint.state}` : ''}`;
  });
  const more = result.blocking.length > holders.length ? [`  and ${result.blocking.length - holders.length} more`] : [];
  return [`timed out after ${limit}: ${subject} still held`, ...holders, ...more].join('\n');
}
