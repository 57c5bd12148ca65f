// porttop list: every endpoint with its owner, with filters.
import type { ArgumentsCamelCase } from 'yargs';
import { filterEndpoints } from '../core/select.js';
import { FAMILY_CHOICES, parseEndpointFilter, PROTO_CHOICES, type ParsedEndpointFilter } from '../core/validate.js';
import { safeText } from '../core/terminal.js';
import { EXIT } from '../errors.js';
import { printEndpointsJson, withBackend, type GlobalArgs } from './common.js';
import { defineCommand } from './define.js';
import { formatLocal, formatProtocol, formatRemote, formatTable } from './format.js';

interface ListArgs extends GlobalArgs {
  proto?: string;
  family?: string;
  state?: string;
  pid?: string;
  port?: string;
}

export const listCommand = defineCommand<ListArgs>({
  command: 'list',
  describe: 'every TCP and UDP endpoint with its owning process',
  options: {
    proto: { type: 'string', describe: PROTO_CHOICES },
    family: { type: 'string', describe: FAMILY_CHOICES },
    state: { type: 'string', describe: 'TCP state, e.g. LISTEN, ESTABLISHED, TIME_WAIT, CLOSE_WAIT, BOUND' },
    pid: { type: 'string', describe: 'only this process' },
    port: { type: 'string', describe: 'local or remote port, or a range (8000-8099)' },
  },
  examples: [
    ['$0 list --state TIME_WAIT', 'every TIME_WAIT socket'],
    ['$0 list --pid 1234 --json', "one process's endpoints as JSON"],
  ],
  handler: (args) => runList(args),
});

async function runList(args: ArgumentsCamelCase<ListArgs>): Promise<void> {
  const filter = parseEndpointFilter(args);
  await withBackend(args, async (backend) => {
    const snapshot = await backend.snapshot();
    const endpoints = filterEndpoints(snapshot.endpoints, filter);
    // exit 1 is "nothing found", as `who` of a free port: a script can test for it
    if (endpoints.length === 0) args.runtime.exitCode = EXIT.notFound;
    if (args.json) {
      printEndpointsJson(args.runtime, endpoints, snapshot);
      return;
    }
    if (endpoints.length === 0) {
      args.runtime.stdout(`no endpoint${describeFilter(filter)}\n`);
      for (const warning of snapshot.warnings) args.runtime.stderr(`note: ${warning}\n`);
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

/** " matches --pid 999999 --state LISTEN", or "" without filters */
function describeFilter(filter: ParsedEndpointFilter): string {
  const flags = [
    filter.protocol && `--proto ${filter.protocol}`,
    filter.family && `--family ${filter.family}`,
    filter.state && `--state ${filter.state}`,
    filter.pid !== undefined && `--pid ${filter.pid}`,
    filter.ports !== undefined && `--port ${filter.ports.map((span) => (span.from === span.to ? `${span.from}` : `${span.from}-${span.to}`)).join(',')}`,
  ].filter(Boolean);
  return flags.length > 0 ? ` matches ${flags.join(' ')}` : ' found';
}
