// The live data of the view: a RefreshLoop owned by the component, its latest analysis, the last
// error, and a short history of range usage for the sparklines.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Backend } from '../backend.js';
import { rangeKey } from '../core/labels.js';
import type { SnapshotAnalysis } from '../core/view.js';
import { RefreshLoop } from './refreshLoop.js';

/** How many samples the sparklines remember. */
export const HISTORY_LENGTH = 30;

/** Percent in use per range ("tcp/ipv4"), one entry per refresh. */
export type UsageHistory = ReadonlyMap<string, readonly number[]>;

export interface SnapshotState {
  analysis: SnapshotAnalysis | null;
  /** the last refresh failed: what went wrong and when; cleared by the next good refresh */
  error: { message: string; at: Date } | null;
  history: UsageHistory;
  /** collect now (after a kill), or right after the running collection */
  refreshNow(): Promise<void>;
}

export function appendHistory(history: UsageHistory, analysis: SnapshotAnalysis, length = HISTORY_LENGTH): UsageHistory {
  const next = new Map<string, readonly number[]>();
  for (const usage of analysis.usage) {
    const key = rangeKey(usage);
    next.set(key, [...(history.get(key) ?? []), usage.percent].slice(-length));
  }
  return next;
}

export function useSnapshot(backend: Backend, intervalSeconds: number, paused: boolean): SnapshotState {
  const [analysis, setAnalysis] = useState<SnapshotAnalysis | null>(null);
  const [error, setError] = useState<SnapshotState['error']>(null);
  const [history, setHistory] = useState<UsageHistory>(new Map());
  const loopRef = useRef<RefreshLoop | null>(null);
  const settings = useRef({ intervalSeconds, paused });
  settings.current = { intervalSeconds, paused };

  useEffect(() => {
    const loop = new RefreshLoop(backend, settings.current.intervalSeconds * 1000, settings.current.paused, {
      data: (next) => {
        setAnalysis(next);
        setError(null);
        setHistory((previous) => appendHistory(previous, next));
      },
      error: (message, at) => setError({ message, at }),
    });
    loopRef.current = loop;
    loop.start();
    return () => loop.stop();
  }, [backend]);

  useEffect(() => loopRef.current?.setIntervalMs(intervalSeconds * 1000), [intervalSeconds]);
  useEffect(() => loopRef.current?.setPaused(paused), [paused]);

  const refreshNow = useCallback(() => loopRef.current?.refreshNow() ?? Promise.resolve(), []);
  return { analysis, error, history, refreshNow };
}
