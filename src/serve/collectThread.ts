// The HTTP thread's handle on the collection worker (worker.ts): it applies the posted metric values,
// keeps the health state, and stops the worker cleanly (backend closed) on shutdown.
import { Worker } from 'node:worker_threads';
import type { BackendChoice } from '../backend.js';
import { BackendError } from '../errors.js';
import { healthOf, type Health } from './collector.js';
import type { ExporterMetrics } from './metrics.js';
import type { CollectWorkerData, FromCollectWorker, ToCollectWorker } from './worker.js';

export interface CollectThreadOptions {
  backend: BackendChoice;
  intervalMs: number;
  top: number;
  metrics: ExporterMetrics;
  /** a collection landed or failed: the rendered /metrics is out of date */
  changed(): void;
  /** a failed collection, in words */
  failed(message: string): void;
}

export class CollectThread {
  private readonly worker: Worker;
  private lastGoodAtMs: number | null = null;
  private lastError: string | null = null;
  private readonly stopped: Promise<void>;
  private exited = false;

  constructor(private readonly options: CollectThreadOptions) {
    // under tsx (tests run src/ directly) the worker is the .ts file and inherits tsx's --import;
    // '../serve/' finds it from dist/serve/ and from the bin's bundle in dist/bin/ alike
    const self = new URL(import.meta.url);
    const file = new URL(`../serve/worker${self.pathname.endsWith('.ts') ? '.ts' : '.js'}`, self);
    const workerData: CollectWorkerData = { backend: options.backend, intervalMs: options.intervalMs, top: options.top };
    this.worker = new Worker(file, { workerData });
    this.worker.on('message', (message: FromCollectWorker) => this.receive(message));
    this.stopped = new Promise((resolve, reject) => {
      this.worker.once('exit', () => {
        this.exited = true;
        resolve();
      });
      this.worker.once('error', (error) => {
        this.exited = true;
        this.lastError = error.message;
        reject(new BackendError(`the collection thread failed: ${error.message}`));
      });
    });
    // an early failure (e.g. no backend for this OS) surfaces through health and stop()
    this.stopped.catch(() => {});
  }

  health(nowMs = Date.now()): Health {
    return healthOf(this.lastGoodAtMs, this.lastError, this.options.intervalMs, nowMs);
  }

  /** Settles when the worker ends: resolves after stop(), rejects with a BackendError if it crashed. */
  ended(): Promise<void> {
    return this.stopped;
  }

  /** Ends the collection after the one in progress and closes the backend. */
  async stop(): Promise<void> {
    if (this.exited) return;
    this.worker.postMessage({ type: 'stop' } satisfies ToCollectWorker);
    await this.stopped.catch(() => {});
  }

  private receive(message: FromCollectWorker): void {
    const { metrics } = this.options;
    if (message.type === 'collected') {
      metrics.apply(message.samples, message.eventsSinceStart);
      this.lastGoodAtMs = message.finishedAtMs;
      this.lastError = null;
      this.options.changed();
    } else if (message.type === 'failed') {
      metrics.collectFailed(message.durationSeconds);
      this.lastError = message.message;
      this.options.changed();
      this.options.failed(message.message);
    }
  }
}
