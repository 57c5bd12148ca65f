// porttop why <port> [--host ADDR] [--proto tcp|udp]: can a server bind this port here, and if not, why.
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { parseHostAddress, parseOneProtocol, parseSinglePort } from '../api/options.js';
import { whyBindWith } from '../api/why.js';
import type { WhyReport } from '../core/why.js';
import { EXIT } from '../errors.js';
import { printJson, withBackend, type GlobalArgs } from './common.js';
import { escapeControl } from '../core/terminal.js';

interface WhyArgs extends GlobalArgs {
  port: string;
  host: string;
  proto: string;
}

export const DEFAULT_WHY_HOST = '0.0.0.0';

export const whyCommand: CommandModule<GlobalArgs, WhyArgs> = {
  command: 'why <port>',
  describe: 'can a server bind this port here, and if not, why (and the fix)',
  builder: (yargs) =>
    (yargs as Argv<GlobalArgs>)
      .positional('port', { type: 'string', describe: 'the port (8080 or :8080)', demandOption: true })
      .option('host', { type: 'string', default: DEFAULT_WHY_HOST, describe: 'the address the server would bind (0.0.0.0, ::, 127.0.0.1, ...)' })
      .option('proto', { type: 'string', default: 'tcp', describe: 'tcp or udp' })
      .example('$0 why 8080', 'try binding 0.0.0.0:8080 and explain what stands in the way')
      .example('$0 why :80 --host 127.0.0.1 --json', 'the answer as JSON') as Argv<WhyArgs>,
  handler: (args) => runWhy(args),
};

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
  const where = `${report.proto.toUpperCase()} ${report.host.includes(':') ? `[${report.host}]` : report.host}:${report.port}`;
  const lines = [report.bindable ? `${where} can be bound now` : `${where} cannot be bound`];
  for (const reason of report.reasons) {
    lines.push(`  ${reason.kind}: ${escapeControl(reason.detail)}`);
    if (reason.fix) lines.push(`    fix: ${escapeControl(reason.fix)}`);
  }
  return `${lines.join('\n')}\n`;
}
