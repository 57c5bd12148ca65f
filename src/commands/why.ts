// porttop why <port> [--host ADDR] [--proto tcp|udp]: can a server bind this port here, and if not, why.
import type { ArgumentsCamelCase } from 'yargs';
import { parseHostAddress, parseOneProtocol, parseSinglePort } from '../api/options.js';
import { whyBindWith } from '../api/why.js';
import type { WhyReport } from '../core/why.js';
import { EXIT } from '../errors.js';
import { printJson, withBackend, type GlobalArgs } from './common.js';
import { defineCommand } from './define.js';
import { formatAddress } from '../core/labels.js';
import { escapeControl } from '../core/terminal.js';

interface WhyArgs extends GlobalArgs {
  port: string;
  host: string;
  proto: string;
}

export const DEFAULT_WHY_HOST = '0.0.0.0';

export const whyCommand = defineCommand<WhyArgs>({
  command: 'why <port>',
  describe: 'can a server bind this port here, and if not, why (and the fix)',
  positionals: { port: { type: 'string', describe: 'the port (8080 or :8080)', demandOption: true } },
  options: {
    host: { type: 'string', default: DEFAULT_WHY_HOST, nargs: 1, describe: 'the address the server would bind (0.0.0.0, ::, 127.0.0.1, ...)' },
    proto: { type: 'string', default: 'tcp', nargs: 1, describe: 'tcp or udp' },
  },
  examples: [
    ['$0 why 8080', 'try binding 0.0.0.0:8080 and explain what stands in the way'],
    ['$0 why :80 --host 127.0.0.1 --json', 'the answer as JSON'],
  ],
  handler: (args) => runWhy(args),
});

async function runWhy(args: ArgumentsCamelCase<WhyArgs>): Promise<void> {
  const port = parseSinglePort(args.port);
  const host = parseHostAddress(args.host);
  const protocol = parseOneProtocol(args.proto);
  await withBackend(args, async (backend) => {
    const report = await whyBindWith(backend, { port, host, protocol });
    if (args.json) printJson(args.runtime, report);
    else args.runtime.stdout(formatWhy(report));
    if (!report.bindable) args.runtime.exitCode = EXIT.notFound;
  });
}

export function formatWhy(report: WhyReport): string {
  const where = `${report.proto.toUpperCase()} ${formatAddress(report.host, report.port)}`;
  const lines = [report.bindable ? `${where} can be bound now` : `${where} cannot be bound`];
  for (const reason of report.reasons) {
    lines.push(`  ${reason.kind}: ${escapeControl(reason.detail)}`);
    if (reason.fix) lines.push(`    fix: ${escapeControl(reason.fix)}`);
  }
  return `${lines.join('\n')}\n`;
}
