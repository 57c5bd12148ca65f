// porttop serve: a Prometheus exporter. Collects a snapshot and a diagnosis every --interval seconds and
// serves /metrics, /healthz and / until SIGINT or SIGTERM. The work is in src/serve/.
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import type { Backend } from '../backend.js';
import { OUTSIDE_HOLDER, ownersHidden } from '../core/explain.js';
import { escapeControl } from '../core/terminal.js';
import { parsePositiveInteger, parseSeconds } from '../core/validate.js';
import { BackendError, NotPermittedError, UsageError } from '../errors.js';
import { keepHeapNearLiveSize } from '../heapTuning.js';
import { parseBackendChoice, resolveBackendName } from '../backend.js';
import type { CollectThread } from '../serve/collectThread.js';
import { formatAddress } from '../core/labels.js';
import { DEFAULT_LISTEN, parseListen, type ListenAddress } from '../serve/listen.js';
import { withBackend, type GlobalArgs } from './common.js';

interface ServeArgs extends GlobalArgs {
  listen: string;
  interval: string;
  top: string;
}

export const DEFAULT_SERVE_INTERVAL_SECONDS = 15;
export const MIN_SERVE_INTERVAL_SECONDS = 0.5;
export const MAX_SERVE_INTERVAL_SECONDS = 3600;
export const DEFAULT_TOP = 10;
/** More series than this per metric is what Prometheus' advice calls a cardinality problem. */
export const MAX_TOP = 100;

export const serveCommand: CommandModule<GlobalArgs, ServeArgs> = {
  command: 'serve',
  describe: 'Prometheus exporter: /metrics, /healthz (127.0.0.1:9465 by default)',
  builder: (yargs) =>
    (yargs as Argv<GlobalArgs>)
      .option('listen', { type: 'string', default: DEFAULT_LISTEN, describe: 'HOST:PORT to serve on; 0.0.0.0:9465 or [::]:9465 exposes process names to the network' })
      .option('interval', { type: 'string', default: String(DEFAULT_SERVE_INTERVAL_SECONDS), describe: 'seconds between collections (a scrape never collects)' })
      .option('top', { type: 'string', default: String(DEFAULT_TOP), describe: 'series for this many processes and destinations at most' })
      .example('$0 serve', 'serve http://127.0.0.1:9465/metrics, collecting every 15 s')
      .example('$0 serve --listen 0.0.0.0:9465 --interval 30', 'for a Prometheus on another machine') as Argv<ServeArgs>,
  handler: (args) => runServe(args),
};

async function runServe(args: ArgumentsCamelCase<ServeArgs>): Promise<void> {
  // every input is checked before anything is opened
  const address = parseListen(args.listen);
  const intervalMs = parseSeconds(args.interval, '--interval', MIN_SERVE_INTERVAL_SECONDS, MAX_SERVE_INTERVAL_SECONDS) * 1000;
  const top = parsePositiveInteger(args.top, '--top', MAX_TOP);
  const backendChoice = parseBackendChoice(args.backend);
  resolveBackendName(backendChoice); // no backend for this OS is bad input, said before listening
  const { runtime } = args;
  keepHeapNearLiveSize();
  // loaded here, not with the parser: other commands never load prom-client or the HTTP server
  const [{ healthOf }, { CollectThread }, { createExporterMetrics }, { closeServer, createExporterServer, listen, MetricsText }] = await Promise.all([
    import('../serve/collector.js'),
    import('../serve/collectThread.js'),
    import('../serve/metrics.js'),
    import('../serve/server.js'),
  ]);
  const metrics = createExporterMetrics();
  const metricsText = new MetricsText(metrics.all);
  let collection: CollectThread | null = null;
  const server = createExporterServer({ metrics: metricsText, health: () => collection?.health() ?? healthOf(null, null, intervalMs, Date.now()) });
  const stop = stopRequested();
  try {
    let bound;
    try {
      bound = await listen(server, address.host, address.port);
    } catch (error) {
      throw await explainListenFailure(error as NodeJS.ErrnoException, address, args);
    }
    // the backend lives on the collection thread, so a long collection never delays a scrape
    collection = new CollectThread({
      backend: backendChoice,
      intervalMs,
      top,
      metrics,
      changed: () => metricsText.invalidate(),
      failed: (message) => runtime.stderr(`porttop serve: collection failed, serving the last good one: ${message}\n`),
    });
    runtime.stdout(`porttop serve: http://${formatAddress(address.host, bound.port)}/metrics (collecting every ${intervalMs / 1000} s, top ${top})\n`);
    const crashed = collection.ended().then(() => {
      throw new BackendError('the collection thread ended unexpectedly');
    });
    await Promise.race([stop.promise, crashed]);
  } finally {
    stop.dispose();
    try {
      await collection?.stop();
    } finally {
      await closeServer(server);
    }
  }
}

/** One line: for a busy port, which process holds it, found with porttop's own lookup. */
async function explainListenFailure(error: NodeJS.ErrnoException, address: ListenAddress, args: GlobalArgs): Promise<Error> {
  const where = formatAddress(address.host, address.port);
  if (error.code === 'EADDRINUSE') {
    const who = await withBackend(args, (backend) => listenersOn(backend, address.port)).catch(() => HIDDEN_LISTENER);
    return new UsageError(`cannot listen on ${where}: port ${address.port} is in use by ${who}; choose another --listen`);
  }
  if (error.code === 'EACCES') return new NotPermittedError(`cannot listen on ${where}: ports below 1024 need root (or CAP_NET_BIND_SERVICE); choose a higher --listen port`);
  if (error.code === 'EADDRNOTAVAIL') return new UsageError(`invalid --listen '${where}': no network interface of this machine has that address`);
  return new UsageError(`cannot listen on ${where}: ${error.code ?? error.message}`);
}

const HIDDEN_LISTENER = 'a process porttop cannot see (run as root to name it)';

/** Who listens on the port, in words: every holder, else (as who and kill decide) hidden or outside porttop's reach. */
async function listenersOn(backend: Backend, port: number): Promise<string> {
  const snapshot = await backend.snapshot({ localPorts: new Set([port]) });
  const names = new Set<string>();
  for (const endpoint of snapshot.endpoints) {
    if (endpoint.protocol !== 'tcp' || endpoint.localPort !== port || endpoint.state !== 'LISTEN') continue;
    // every holder of the listening socket (a forked server shares it)
    for (const pid of endpoint.holders) names.add(`PID ${pid} (${escapeControl(snapshot.processes.get(pid)?.name ?? '?')})`);
  }
  if (names.size > 0) return [...names].join(', ');
  return ownersHidden(snapshot) ? HIDDEN_LISTENER : OUTSIDE_HOLDER[backend.platform];
}

/** Resolves on the first SIGINT or SIGTERM; serve then stops cleanly and exits 0. */
function stopRequested() {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  const onSignal = () => resolve();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    promise,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
