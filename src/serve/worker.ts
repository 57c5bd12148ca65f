// The collection side of `porttop serve`, on its own thread: it owns the backend, collects every
// interval, computes the metric values and posts them (a few hundred numbers) to the HTTP thread. A
// 30 000-socket snapshot and its diagnosis take hundreds of milliseconds of synchronous work on a busy
// machine; here they never hold up a scrape.
import { parentPort, workerData } from 'node:worker_threads';
import type { BackendChoice } from '../backend.js';
import { openBackend } from '../openBackend.js';
import { processRuntime } from '../runtime.js';
import { Collector } from './collector.js';
import { seriesOf, type MetricSample } from './metrics.js';

export interface CollectWorkerData {
  backend: BackendChoice;
  intervalMs: number;
  top: number;
}

export type FromCollectWorker =
  | { type: 'collected'; samples: MetricSample[]; eventsSinceStart: Record<string, number> | null; finishedAtMs: number }
  | { type: 'failed'; message: string; durationSeconds: number }
  | { type: 'stopped' };

export type ToCollectWorker = { type: 'stop' };

const port = parentPort!;
const { backend: choice, intervalMs, top } = workerData as CollectWorkerData;
const post = (message: FromCollectWorker) => port.postMessage(message);

const backend = await openBackend(choice);
const collector = new Collector(backend, processRuntime(), intervalMs, {
  collected: async (collection) => {
    const samples = await seriesOf(collection, top);
    post({ type: 'collected', samples, eventsSinceStart: collection.eventsSinceStart, finishedAtMs: collection.finishedAtMs });
  },
  failed: (error, durationSeconds) => post({ type: 'failed', message: error instanceof Error ? error.message : String(error), durationSeconds }),
});

port.on('message', (message: ToCollectWorker) => {
  if (message.type !== 'stop') return;
  void (async () => {
    await collector.stop();
    await backend.close(); // ends the PowerShell session on Windows
    post({ type: 'stopped' });
    port.close();
  })();
});
collector.start();
