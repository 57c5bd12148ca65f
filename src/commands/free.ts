// porttop free [from-to] [--count 1]: ports that can be bound now, one a line (PORT=$(porttop free)).
import type { ArgumentsCamelCase } from 'yargs';
import { freePortsWith } from '../api/free.js';
import { parseCount, parseHostAddress, parseOneProtocol } from '../api/options.js';
import { parsePortSpan } from '../core/validate.js';
import { EXIT } from '../errors.js';
import { printJson, withBackend, type GlobalArgs } from './common.js';
import { defineCommand } from './define.js';

interface FreeArgs extends GlobalArgs {
  range?: string;
  count: string;
  host: string;
  proto: string;
}

export const freeCommand = defineCommand<FreeArgs>({
  command: 'free [range]',
  describe: 'ports that can be bound now (tried), outside the dynamic range unless a range is given',
  positionals: { range: { type: 'string', describe: 'where to look, e.g. 3000-3999 (default 1024-65535 minus the dynamic range)' } },
  options: {
    count: { type: 'string', default: '1', nargs: 1, describe: 'how many ports' },
    host: { type: 'string', default: '127.0.0.1', nargs: 1, describe: 'the address to bind (0.0.0.0, ::, ::1, ...)' },
    proto: { type: 'string', default: 'tcp', nargs: 1, describe: 'tcp or udp' },
  },
  examples: [
    ['PORT=$($0 free 3000-3999) npm run dev', 'a dev server on the first free port from 3000'],
    ['$0 free --count 3 --json', 'three free ports as JSON'],
  ],
  handler: (args) => runFree(args),
});

async function runFree(args: ArgumentsCamelCase<FreeArgs>): Promise<void> {
  const span = args.range === undefined ? undefined : parsePortSpan(args.range);
  const count = parseCount(args.count);
  const host = parseHostAddress(args.host);
  const protocol = parseOneProtocol(args.proto);
  await withBackend(args, async (backend) => {
    const result = await freePortsWith(backend, { span, count, host, protocol });
    if (args.json) printJson(args.runtime, result);
    else {
      for (const port of result.ports) args.runtime.stdout(`${port}\n`);
      for (const warning of result.warnings) args.runtime.stderr(`warning: ${warning}\n`);
    }
    if (result.ports.length < count) {
      // "none found" is a result, not bad input: exit 1 like who's "nothing uses this port"
      args.runtime.exitCode = EXIT.notFound;
      const where = span ? `${span.from}-${span.to}` : '1024-65535 outside the dynamic range';
      if (!args.json) args.runtime.stderr(`porttop: ${result.ports.length === 0 ? 'no free port' : `only ${result.ports.length} free port(s)`} in ${where} on ${host} (${protocol}); asked for ${count}\n`);
    }
  });
}
