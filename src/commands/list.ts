// porttop list: every endpoint with its owner, with filters.
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { isTcpState, type Family, type Protocol } from '../core/model.js';
import { filterEndpoints, type EndpointFilter } from '../core/select.js';
import { parseFamilies, parsePid, parsePortSpan, parseProtocols } from '../core/validate.js';
import { UsageError } from '../errors.js';
import { printJson, withBackend, type GlobalArgs } from './common.js';
import { withProcessNames } from '../core/select.js';
import { safeText } from '../core/terminal.js';
import { formatLocal, formatProtocol, formatRemote, formatTable } from './format.js';

interface ListArgs extends GlobalArgs {
  proto?: string;
  family?: string;
  state?: string;
  pid?: string;
  port?: string;
}

export const listCommand: CommandModule<GlobalArgs, ListArgs> = {
  command: 'list',
  describe: 'every TCP and UDP endpoint with its owning process',
  builder: (yargs) =>
    (yargs as Argv<GlobalArgs>)
      .option('proto', { type: 'string', describe: 'tcp or udp' })
      .option('family', { type: 'string', describe: 'ipv4 or ipv6' })
      .option('state', { type: 'string', describe: 'TCP state, e.g. LISTEN, ESTABLISHED, TIME_WAIT, CLOSE_WAIT, BOUND' })
      .option('pid', { type: 'string', describe: 'only this process' })
      .option('port', { type: 'string', describe: 'local or remote port, or a range (8000-8099)' })
      .example('$0 list --state TIME_WAIT', 'every TIME_WAIT socket')
      .example('$0 list --pid 1234 --json', "one process's endpoints as JSON") as Argv<ListArgs>,
  handler: (args) => runList(args),
};

export function parseListFilter(args: Pick<ListArgs, 'proto' | 'family' | 'state' | 'pid' | 'port'>): EndpointFilter {
  const filter: EndpointFilter = {};
  if (args.proto !== undefined) filter.protocol = onlyOne(parseProtocols(args.proto), '--proto', args.proto);
  if (args.family !== undefined) filter.family = onlyOne(parseFamilies(args.family), '--family', args.family);
  if (args.state !== undefined) {
    const state = String(args.state).trim().toUpperCase().replace(/-/g, '_');
    const canonical = state === 'LISTENING' ? 'LISTEN' : state;
    if (!isTcpState(canonical)) {
      throw new UsageError(
        `invalid --state '${args.state}': expected one of LISTEN, SYN_SENT, SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT, CLOSED, DELETE_TCB, BOUND`,
      );
    }
    filter.state = canonical;
  }
  if (args.pid !== undefined) filter.pid = parsePid(args.pid);
  if (args.port !== undefined) filter.ports = [parsePortSpan(args.port)];
  return filter;
}

function onlyOne<T extends Protocol | Family>(values: T[], flag: string, given: string): T {
  if (values.length !== 1) throw new UsageError(`invalid ${flag} '${given}': pick one, or leave ${flag} out for all`);
  return values[0]!;
}

async function runList(args: ArgumentsCamelCase<ListArgs>): Promise<void> {
  const filter = parseListFilter(args);
  await withBackend(args, async (backend) => {
    const snapshot = await backend.snapshot();
    const endpoints = filterEndpoints(snapshot.endpoints, filter);
    if (args.json) {
      printJson(args.runtime, withProcessNames(endpoints, snapshot));
      return;
    }
    const rows = endpoints.map((endpoint) => [
      formatProtocol(endpoint),
      formatLocal(endpoint),
      formatRemote(endpoint),
      endpoint.state ?? '',
      // a shared socket names every holder: 4120,4121
      endpoint.holders.length === 0 ? null : endpoint.holders.join(','),
      endpoint.holders.length === 0 ? null : [...new Set(endpoint.holders.map((pid) => safeText(snapshot.processes.get(pid)?.name ?? '?')))].join(','),
    ]);
    args.runtime.stdout(formatTable(['PROTO', 'LOCAL', 'REMOTE', 'STATE', 'PID', 'PROCESS'], rows, new Set([4])));
    for (const warning of snapshot.warnings) args.runtime.stderr(`note: ${warning}\n`);
  });
}
