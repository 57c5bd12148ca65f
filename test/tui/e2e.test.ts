// The built porttop in a real pseudo-terminal (tmux), against a real loopback load inside a private
// network namespace: the load is at the top by sockets, `/name` narrows the table to it, `k` `y`
// kills it and it disappears, `q` exits 0. Readiness is polled from the screen, never slept for.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { NODE_PROCESS_NAME, startHolder, waitForExit, type Holder } from '../helpers/children.js';
import { BIN } from '../helpers/cli.js';
import { NetNamespace } from '../helpers/netns.js';
import { TMUX, TmuxScreen } from '../helpers/tmux.js';
import { loopbackLoadSource } from './load.js';

const missing = !NetNamespace.available()
  ? 'needs root and ip netns for a private network namespace'
  : !existsSync(TMUX)
    ? `needs tmux at ${TMUX} (apt-get install -y tmux)`
    : null;

/** PIDs of the table rows as the screen shows them, top to bottom. */
function tablePids(screen: string): number[] {
  const lines = screen.split('\n');
  const header = lines.findIndex((line) => /^\s+PID NAME/.test(line));
  if (header < 0) return [];
  const pids: number[] = [];
  for (const line of lines.slice(header + 1)) {
    const match = /^[> ]\s*(\d+) /.exec(line);
    if (!match) break;
    pids.push(Number(match[1]));
  }
  return pids;
}

// the load is named through a symlink to node; Node 24 names its main thread MainThread, so the name
// filter cannot find it there (the Node 20 run covers it)
test('porttop in a real terminal: the load is on top, /name narrows to it, k y kills it, q exits 0', { skip: missing ?? (NODE_PROCESS_NAME !== 'node' && 'this Node names its main thread MainThread'), timeout: 90_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'porttop-e2e-'));
  const namespace = NetNamespace.create();
  const holders: Holder[] = [];
  const screen = new TmuxScreen('top');
  try {
    // a node named porttop-load (through a symlink), so /proc/<pid>/stat names it and the filter can find it
    const loadNode = join(dir, 'porttop-load');
    symlinkSync(process.execPath, loadNode);
    const load = await startHolder(loopbackLoadSource(40), { prefix: namespace.prefix, node: loadNode });
    holders.push(load);
    const small = await startHolder(loopbackLoadSource(2), { prefix: namespace.prefix });
    holders.push(small);

    const codeFile = join(dir, 'exit-code');
    const inner = `${process.execPath} ${BIN} --interval 0.5; echo $? > ${codeFile}`;
    screen.start(`ip netns exec ${namespace.name} sh -c '${inner}'`, 120, 30);

    let shown = await screen.waitFor((text) => tablePids(text).length >= 2, 'both loads in the table');
    assert.deepEqual(tablePids(shown).slice(0, 2), [load.pid, small.pid], 'sorted by sockets, the big load first');
    assert.match(shown, /SOCKETS▼/);
    assert.match(shown, new RegExp(`^>\\s*${load.pid} porttop-load\\s+81 `, 'm'), '40 connections, both ends, and the listener');

    screen.keys('/');
    await screen.waitFor((text) => text.includes('Filter (name, PID or :port): _'), 'the filter prompt');
    screen.type('porttop-load');
    screen.keys('Enter');
    shown = await screen.waitFor((text) => text.includes("1 of 2 processes match 'porttop-load'"), 'the filtered table');
    assert.deepEqual(tablePids(shown), [load.pid]);

    screen.keys('k');
    shown = await screen.waitFor((text) => text.includes('y = yes, any other key = cancel'), 'the kill dialog');
    assert.match(shown, new RegExp(`│ ${load.pid} │ porttop-load │ \\d+`), 'the dialog names PID, name and port');
    screen.keys('y');
    await screen.waitFor((text) => /PID \d+ \S+: stopped by SIGTERM/.test(text), 'the kill result in the dialog');
    await waitForExit(load.child, 5000);
    screen.keys('Escape');
    shown = await screen.waitFor((text) => text.includes("no process matches 'porttop-load'"), 'the load gone from the view');
    assert.deepEqual(tablePids(shown), []);

    screen.keys('q');
    await screen.waitFor(() => existsSync(codeFile) && readFileSync(codeFile, 'utf8').trim() !== '', 'porttop to exit');
    assert.equal(readFileSync(codeFile, 'utf8').trim(), '0');
  } finally {
    screen.close();
    for (const holder of holders) await holder.stop();
    namespace.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});
