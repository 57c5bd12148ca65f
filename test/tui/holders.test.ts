// The live view and every holder: the detail pane shows parents, owner and the other holders of a
// shared socket; the kill dialog lists every process it will stop with its command line and says
// whether the port is free afterwards; `k` on a Windows service host shows the refusal and Stop-Service.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { createElement } from 'react';
import { cleanup, render } from 'ink-testing-library';
import type { Endpoint, ProcessInfo, Snapshot } from '../../src/core/model.js';
import { App } from '../../src/tui/App.js';
import { FakeBackend, waitFor } from './fakeBackend.js';

afterEach(() => cleanup());

const listener = (port: number, holders: number[]): Endpoint => ({
  protocol: 'tcp', family: 'ipv4', localAddress: '127.0.0.1', localPort: port, remoteAddress: null, remotePort: null, state: 'LISTEN', pid: holders[0] ?? null, holders,
});
const proc = (pid: number, name: string, extra: Partial<ProcessInfo> = {}): ProcessInfo => ({
  pid, name, commandLine: `${name} --serve`, startTime: '2024-01-01T00:00:00.000Z', handles: 10, ...extra,
});
const snapshot = (endpoints: Endpoint[], processes: ProcessInfo[]): Snapshot => ({
  takenAt: new Date().toISOString(), endpoints, processes: new Map(processes.map((info) => [info.pid, info])), warnings: [],
});

const SERVER = proc(4120, 'node', { commandLine: 'node server.js --port 3000', parentPid: 4101, parentChain: [{ pid: 4101, name: 'npm' }, { pid: 3990, name: 'bash' }], unit: 'dev.service' });
const WORKER = proc(4121, 'node', { commandLine: 'node worker.js', parentPid: 4120 });
const SHARED = snapshot([listener(3000, [4120, 4121])], [SERVER, WORKER]);
const AFTER = snapshot([], []);

function start(script: Snapshot[], platform: 'linux' | 'windows' = 'linux') {
  const backend = new FakeBackend(script);
  if (platform === 'windows') Object.defineProperty(backend, 'platform', { value: 'windows' });
  const view = render(createElement(App, { backend, hostName: 'testhost', intervalSeconds: 60, size: { columns: 120, rows: 30 }, selfPid: 1, parentPid: 2 }));
  const frame = () => view.lastFrame() ?? '';
  const press = async (...keys: string[]) => {
    for (const key of keys) {
      view.stdin.write(key);
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  const until = (what: string | RegExp) => waitFor(() => (typeof what === 'string' ? frame().includes(what) : what.test(frame())), () => `${String(what)} in the frame:\n${frame()}`);
  return { backend, frame, press, until };
}

test('the detail pane shows the parent chain, the real owner and who else holds the socket', async () => {
  const ui = start([SHARED]);
  await ui.until('4120');
  await ui.press('\r');
  await ui.until('parents: npm (4101) <- bash (3990)');
  assert.match(ui.frame(), /owner: systemd service dev\.service \(stop: systemctl stop dev\.service\)/);
  assert.match(ui.frame(), /127\.0\.0\.1:3000 .*LISTEN\s+shared with 4121 node/);
});

test('the kill dialog lists every holder with its command line, stops both, and says the port is free', async () => {
  const ui = start([SHARED, AFTER]);
  await ui.until('4120');
  await ui.press('k');
  await ui.until('Kill processes (2 share the port)');
  assert.match(ui.frame(), /4120 │ node +│ 3000 +│ node server\.js --port 3000/);
  assert.match(ui.frame(), /4121 │ node +│ 3000 +│ node worker\.js/);
  assert.match(ui.frame(), /Stop PID 4120, 4121 \(SIGTERM, then SIGKILL after 3 s\)\?/);
  await ui.press('y');
  await ui.until('port 3000 is free');
  assert.deepEqual(ui.backend.kills.map((kill) => kill.target.pid).sort(), [4120, 4121]);
  assert.match(ui.frame(), /PID 4121: stopped by SIGTERM/);
});

test('the kill dialog says so when the port is still held afterwards', async () => {
  const ui = start([SHARED, snapshot([listener(3000, [4300])], [proc(4300, 'node', { parentPid: 4101 })])]);
  await ui.until('4120');
  await ui.press('k', 'y');
  await ui.until('port 3000 is still held by PID 4300 node');
});

test('recorded shape: k on a Windows service host shows the refusal and the Stop-Service command', async () => {
  const svchost = proc(1320, 'svchost', { services: [{ name: 'TermService', displayName: 'Remote Desktop Services', state: 'Running', acceptStop: true }] });
  const ui = start([snapshot([listener(3389, [1320])], [svchost])], 'windows');
  await ui.until('svchost');
  await ui.press('k');
  await ui.until('error: refused');
  assert.match(ui.frame().replace(/\s*│\s*/g, ' ').replace(/\s+/g, ' '), /TermService \(every Remote Desktop session drops, your own too\): use Stop-Service TermService instead/);
  assert.equal(ui.backend.kills.length, 0);
});

test('a process named with escape codes is drawn escaped in the table, the detail pane and the kill dialog', async () => {
  const evil = proc(4500, '\x1b]0;owned\x07\x1b[2J', { commandLine: 'evil \x1b[31m\nsecond line' });
  const ui = start([snapshot([listener(4444, [4500])], [evil])]);
  // the table's NAME column (at most 16 wide, beside COMMAND) shows the escaped name's start
  await ui.until('\\x1b]0;owned');
  assert.ok(!ui.frame().includes('\x1b]0;owned'), 'no raw OSC sequence reaches the terminal');
  await ui.press('\r');
  await ui.until('evil \\x1b[31m\\x0asecond line');
  await ui.press('\x1b');
  await waitFor(() => !ui.frame().includes('Esc closes'), 'the detail pane closed');
  await ui.press('k');
  await ui.until('Kill process');
  assert.ok(ui.frame().includes('\\x1b]0;owned'), ui.frame());
  assert.ok(!ui.frame().includes('\x1b[2J'), 'no raw clear-screen in the dialog');
});
