import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SnapshotAnalysis } from '../../src/core/view.js';
import { RefreshLoop } from '../../src/tui/refreshLoop.js';
import { buildSnapshot, FakeBackend, waitFor } from './fakeBackend.js';

function recorder() {
  const data: SnapshotAnalysis[] = [];
  const errors: string[] = [];
  return { data, errors, listener: { data: (a: SnapshotAnalysis) => void data.push(a), error: (m: string) => void errors.push(m) } };
}

/** A started loop whose first collection hangs until release() (a slow backend). */
function gatedLoop(intervalMs: number) {
  const backend = new FakeBackend([buildSnapshot([{ pid: 10, name: 'a', established: 1 }])]);
  let open!: () => void;
  backend.gate = new Promise((resolve) => (open = resolve));
  const { data, listener } = recorder();
  const loop = new RefreshLoop(backend, intervalMs, false, listener);
  loop.start();
  const release = () => {
    open();
    backend.gate = null;
  };
  return { backend, data, loop, release };
}

test('a collection slower than the interval is never overlapped by the next one', async () => {
  const { backend, data, loop, release } = gatedLoop(5);
  await new Promise((resolve) => setTimeout(resolve, 60)); // a dozen intervals pass while the first collection hangs
  assert.equal(backend.snapshotCalls, 1);
  assert.equal(data.length, 0, 'nothing delivered while the first collection hangs');
  release();
  await waitFor(() => data.length >= 3, 'three refreshes');
  loop.stop();
  assert.equal(backend.maxConcurrent, 1);
});

test('a failed refresh is reported and the loop goes on to the next good one', async () => {
  const good = buildSnapshot([{ pid: 10, name: 'a', established: 1 }]);
  const backend = new FakeBackend([good, new Error('cannot read /proc/net/tcp: EACCES'), good]);
  const { data, errors, listener } = recorder();
  const loop = new RefreshLoop(backend, 5, false, listener);
  loop.start();
  await waitFor(() => data.length >= 2, 'a good refresh after the failure');
  loop.stop();
  assert.deepEqual(errors, ['cannot read /proc/net/tcp: EACCES']);
});

test('paused, the loop collects once to have something to show and then waits; resuming collects at once', async () => {
  const backend = new FakeBackend([buildSnapshot([])]);
  const { data, listener } = recorder();
  const loop = new RefreshLoop(backend, 5, true, listener);
  loop.start();
  await waitFor(() => data.length === 1, 'the first snapshot');
  await new Promise((resolve) => setTimeout(resolve, 40));
  assert.equal(backend.snapshotCalls, 1);
  loop.setIntervalMs(60_000);
  loop.setPaused(false);
  await waitFor(() => data.length === 2, 'the refresh on resume');
  loop.stop();
});

test('refreshNow during a collection runs one more right after it (a kill must not show stale data)', async () => {
  const { backend, data, loop, release } = gatedLoop(60_000);
  const fresh = loop.refreshNow();
  release();
  await fresh;
  assert.equal(data.length, 2);
  assert.equal(backend.maxConcurrent, 1);
  loop.stop();
});

test('after stop nothing is delivered, even from a collection that was running', async () => {
  const { backend, data, loop, release } = gatedLoop(5);
  loop.stop();
  release();
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.equal(data.length, 0);
  assert.equal(backend.snapshotCalls, 1);
});
