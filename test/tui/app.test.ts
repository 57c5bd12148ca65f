// The live view on a scripted backend, frame by frame as text (colour is stripped, so every state
// colour shows is checked in words or marks): sorting, filtering, selection across refreshes, paging,
// the kill dialog, pause, errors, help, details, resize and quitting.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { createElement } from 'react';
import { cleanup, render } from 'ink-testing-library';
import type { Snapshot } from '../../src/core/model.js';
import { makeRange } from '../../src/core/ranges.js';
import { App, type AppProps } from '../../src/tui/App.js';
import { buildSnapshot, FakeBackend, waitFor, type FakeProcess } from './fakeBackend.js';

afterEach(() => cleanup());

const KEYS = { down: '\u001b[B', up: '\u001b[A', pageDown: '\u001b[6~', pageUp: '\u001b[5~', home: '\u001b[H', end: '\u001b[F', escape: '\u001b', enter: '\r', f9: '\u001b[20~', delete: '\u001b[3~' };

const PROCESSES: FakeProcess[] = [
  { pid: 101, name: 'nginx', established: 5, listen: [8080] },
  { pid: 202, name: 'postgres', established: 20, listen: [5432] },
  { pid: 303, name: 'leaky', established: 10, closeWait: 8, handles: 5000 },
];

function start(script: (Snapshot | Error)[], props: Partial<AppProps> = {}, setup: (backend: FakeBackend) => void = () => {}) {
  const backend = new FakeBackend(script);
  setup(backend);
  const view = render(
    createElement(App, { backend, hostName: 'testhost', intervalSeconds: 60, size: { columns: 100, rows: 24 }, selfPid: 1, parentPid: 2, ...props }),
  );
  const frame = () => view.lastFrame() ?? '';
  const lines = () => frame().split('\n');
  /** PIDs of the table rows, top to bottom */
  const pids = () => lines().flatMap((line) => /^[> ]\s*(\d+) /.exec(line)?.[1] ?? []).map(Number);
  const selected = () => Number(/^>\s*(\d+) /m.exec(frame())?.[1] ?? NaN);
  const press = async (...keys: string[]) => {
    for (const key of keys) {
      view.stdin.write(key);
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  const until = (what: string | RegExp, timeoutMs?: number) =>
    waitFor(() => (typeof what === 'string' ? frame().includes(what) : what.test(frame())), () => `${String(what)} in the frame:\n${frame()}`, timeoutMs);
  /** a refresh now: pause, then resume (resuming collects at once) */
  const refresh = async () => {
    const calls = backend.snapshotCalls;
    await press('p');
    await until('PAUSED');
    await press('p');
    await waitFor(() => backend.snapshotCalls > calls, 'a refresh');
    await until('running');
  };
  return { backend, view, frame, lines, pids, selected, press, until, refresh };
}

test('the header shows host, backend, interval, the range gauge with its level in text, and totals by state', async () => {
  const ui = start([buildSnapshot(PROCESSES, { warnings: ['owners of 12 sockets hidden: run as root to see every process'] })]);
  await ui.until('postgres');
  const frame = ui.frame();
  assert.match(frame, /host testhost {2}backend linux {2}\d\d:\d\d:\d\d {2}every 60s {2}running/);
  assert.match(frame, /TCP 32768-60999 +\[#*\.+\] +43\/28232 +0\.2% OK/);
  assert.match(frame, /TCP6 32768-60999 .* 0\.0% OK/);
  assert.match(frame, /sockets 45 {2}LISTEN 2 {2}EST 35 {2}TIME_WAIT 0 {2}CLOSE_WAIT 8 {2}BOUND 0 {2}UDP 0/);
  assert.match(frame, /warning: owners of 12 sockets hidden/);
});

test('the range level reads WARNING and EXHAUSTED in text, the words of diagnose, when the range fills up', async () => {
  const ranges = (count: number) => [
    { protocol: 'tcp' as const, family: 'ipv4' as const, start: 40000, count, end: 40000 + count - 1 },
    { protocol: 'udp' as const, family: 'ipv4' as const, start: 40000, count: 1000, end: 40999 },
  ];
  const ui = start([buildSnapshot([{ pid: 9, name: 'flood', established: 80 }])], {}, (backend) => (backend.ranges = ranges(100)));
  await ui.until(/TCP 40000-40099 +\[#+\.*\] +80\/100 +80\.0% WARNING/);
  assert.match(ui.frame(), /UDP 40000-40999 .*0\.0% OK/);
  ui.backend.ranges = ranges(82);
  await ui.refresh();
  await ui.until(/TCP 40000-40081 .*97\.6% EXHAUSTED/);
});

test('rows are sorted by sockets, s cycles the sort column, S reverses it, h sorts by handles; the sort column is marked', async () => {
  const ui = start([buildSnapshot(PROCESSES)]);
  await ui.until('postgres');
  assert.deepEqual(ui.pids(), [202, 303, 101]);
  assert.match(ui.frame(), /SOCKETS▼/);
  await ui.press('s'); // handles
  await ui.until('HANDLES▼');
  assert.deepEqual(ui.pids(), [303, 101, 202]);
  await ui.press('s', 's'); // ephemeral, closewait
  await ui.until('CLOSE_WAIT▼');
  assert.equal(ui.pids()[0], 303);
  await ui.press('S');
  await ui.until('CLOSE_WAIT▲');
  assert.equal(ui.pids()[2], 303);
  await ui.press('s', 's', 'h');
  await ui.until('HANDLES▼');
  assert.match(ui.frame(), /leaky .* 5000!/, 'the handle-rule suspect is marked in text');
  assert.match(ui.frame(), /! more than 3000 handles/);
});

test('/ filters by name as you type, by PID, and by :port; Esc clears', async () => {
  const ui = start([buildSnapshot(PROCESSES)]);
  await ui.until('postgres');
  await ui.press('/', 'p', 'o', 's');
  await ui.until('Filter (name, PID or :port): pos_');
  assert.deepEqual(ui.pids(), [202]);
  await ui.press(KEYS.enter);
  await ui.until("1 of 3 processes match 'pos'");
  await ui.press(KEYS.escape);
  await ui.until(/^3 processes/m);
  assert.deepEqual(ui.pids(), [202, 303, 101]);
  await ui.press('/', '3', '0', KEYS.enter);
  await ui.until("match '30'");
  assert.deepEqual(ui.pids(), [303]);
  await ui.press('/', KEYS.escape);
  await ui.until(/^3 processes/m);
  await ui.press('/');
  await ui.view.stdin.write(':8080'); // pasted in one go
  await ui.until("Filter (name, PID or :port): :8080_");
  assert.deepEqual(ui.pids(), [101]);
  await ui.press('\u007f', '\u007f', '\u007f', '\u007f', '\u007f', 'x', 'y', 'z', KEYS.enter);
  await ui.until("no process matches 'xyz'");
});

test('the selection stays on the same PID when a refresh reorders the rows', async () => {
  const later = buildSnapshot([{ pid: 404, name: 'newcomer', established: 50 }, ...PROCESSES]);
  const ui = start([buildSnapshot(PROCESSES), later]);
  await ui.until('postgres');
  await ui.press(KEYS.down, KEYS.down);
  await ui.until(/^>\s*101 nginx/m);
  await ui.refresh();
  await ui.until('newcomer');
  assert.deepEqual(ui.pids(), [404, 202, 303, 101]);
  assert.equal(ui.selected(), 101);
});

test('when the selected process exits, the selection stays at its position', async () => {
  const ui = start([buildSnapshot(PROCESSES), buildSnapshot(PROCESSES.filter((p) => p.pid !== 303))]);
  await ui.until('postgres');
  await ui.press(KEYS.down);
  await ui.until(/^>\s*303 leaky/m);
  await ui.refresh();
  await waitFor(() => !ui.frame().includes('leaky'), 'leaky gone');
  assert.equal(ui.selected(), 101);
});

test('only the rows that fit are drawn; PgDn, PgUp, End and Home page through the rest', async () => {
  const many = Array.from({ length: 60 }, (_, i) => ({ pid: 1000 + i, name: `worker${i}`, established: 100 - i }));
  const ui = start([buildSnapshot(many)]);
  await ui.until('worker0');
  const visible = ui.pids();
  assert.ok(visible.length >= 10 && visible.length < 20, `${visible.length} rows drawn of 60`);
  assert.ok(ui.lines().length <= 23, `the frame (${ui.lines().length} lines) leaves the last terminal row free`);
  await ui.press(KEYS.pageDown);
  await ui.until(new RegExp(`^>\\s*${1000 + visible.length} `, 'm'));
  await ui.press(KEYS.end);
  await ui.until(/^>\s*1059 worker59/m);
  assert.equal(ui.pids().at(-1), 1059);
  await ui.press(KEYS.pageUp);
  await ui.until(new RegExp(`^>\\s*${1059 - visible.length} `, 'm'));
  await ui.press(KEYS.home);
  await ui.until(/^>\s*1000 worker0/m);
  await ui.press('j', 'j', KEYS.up);
  await ui.until(/^>\s*1001 worker1/m);
});

test('k asks before killing; y calls backend.kill with the PID and start time from the snapshot, and the result shows in the dialog', async () => {
  const started = '2024-05-06T07:08:09.000Z';
  const ui = start([buildSnapshot([...PROCESSES.slice(0, 2), { ...PROCESSES[2]!, startTime: started }])]);
  await ui.until('postgres');
  await ui.press(KEYS.down);
  await ui.until(/^>\s*303 leaky/m);
  await ui.press('k');
  await ui.until('Kill process');
  assert.match(ui.frame(), /303 .*leaky/);
  assert.match(ui.frame(), /Stop PID 303 \(SIGTERM, then SIGKILL after 3 s\)\? y = yes, any other key = cancel/);
  await ui.press('j'); // the list is muted: j cancels the dialog, it does not move the selection
  await waitFor(() => !ui.frame().includes('Kill process'), 'the dialog closed');
  assert.equal(ui.backend.kills.length, 0);
  assert.equal(ui.selected(), 303);
  await ui.press(KEYS.f9);
  await ui.until('Kill process');
  await ui.press('y');
  await ui.until(/PID \d+ \S+: stopped by SIGTERM/);
  assert.deepEqual(ui.backend.kills.map((k) => k.target), [{ pid: 303, name: 'leaky', startTime: started }]);
  assert.equal(ui.backend.kills[0]!.options.force, false);
  await ui.press('x');
  await waitFor(() => !ui.frame().includes('Kill process'), 'the dialog closed');
});

test('K asks the same way and then kills with force; Delete opens the dialog too', async () => {
  const ui = start([buildSnapshot(PROCESSES)]);
  await ui.until('postgres');
  await ui.press('K');
  await ui.until('Force kill process');
  assert.match(ui.frame(), /SIGKILL at once/);
  await ui.press('y');
  await ui.until(/PID 202 \S+: stopped/);
  assert.equal(ui.backend.kills[0]!.target.pid, 202);
  assert.equal(ui.backend.kills[0]!.options.force, true);
  await ui.press('n', KEYS.delete);
  await ui.until(/(?<!Force )Kill process/);
});

test('a kill the OS refuses shows its error inside the dialog', async () => {
  const ui = start([buildSnapshot(PROCESSES)]);
  ui.backend.killAnswer = 'not-permitted';
  await ui.until('postgres');
  await ui.press('k', 'y');
  await ui.until('error: not permitted: run as root/Administrator');
  const frame = ui.frame();
  const dialogTop = frame.indexOf('Kill process');
  assert.ok(frame.indexOf('not permitted') > dialogTop && frame.indexOf('╰') > frame.indexOf('not permitted'), 'the error is inside the dialog box');
});

test('a backend that throws during kill shows the message in the dialog, and porttop itself is refused without asking', async () => {
  const ui = start([buildSnapshot(PROCESSES)], { selfPid: 202 });
  await ui.until('postgres');
  await ui.press('k');
  await ui.until('error: refused: that is porttop itself');
  assert.equal(ui.backend.kills.length, 0);
  await ui.press('x', KEYS.down);
  ui.backend.killAnswer = new Error('PowerShell session ended');
  await ui.press('k', 'y');
  await ui.until('error: PowerShell session ended');
});

test('p pauses (the header says so and no refresh happens) and p again resumes', async () => {
  const ui = start([buildSnapshot(PROCESSES)], { intervalSeconds: 0.5 });
  await ui.until('running');
  await ui.press('p');
  await ui.until('PAUSED');
  const calls = ui.backend.snapshotCalls;
  await new Promise((resolve) => setTimeout(resolve, 800)); // longer than the interval: a running loop would have refreshed
  assert.equal(ui.backend.snapshotCalls, calls);
  await ui.press(' ');
  await ui.until('running');
  await waitFor(() => ui.backend.snapshotCalls >= calls + 2, 'refreshes after resuming');
});

test('+ and - step the interval', async () => {
  const ui = start([buildSnapshot(PROCESSES)], { intervalSeconds: 2 });
  await ui.until('every 2s');
  await ui.press('+');
  await ui.until('every 3s');
  await ui.press('-', '-', '-');
  await ui.until('every 0.5s');
});

test('a failed refresh shows in the status line and the view keeps the last good data', async () => {
  const ui = start([buildSnapshot(PROCESSES), new Error('cannot read /proc/net/tcp6: EIO')]);
  await ui.until('postgres');
  await ui.refresh();
  await ui.until(/refresh failed at \d\d:\d\d:\d\d: cannot read \/proc\/net\/tcp6: EIO; showing \d\d:\d\d:\d\d/);
  assert.deepEqual(ui.pids(), [202, 303, 101]);
});

test('? shows the keys from the bindings; any key returns', async () => {
  const ui = start([buildSnapshot(PROCESSES)]);
  await ui.until('postgres');
  await ui.press('?');
  await ui.until('porttop keys');
  assert.match(ui.frame(), /k F9 Del \/ K/);
  assert.match(ui.frame(), /q F10 Ctrl-C/);
  await ui.press('x');
  await ui.until('postgres');
});

test('Enter lists the selected process endpoints, listeners first; Esc closes', async () => {
  const ui = start([buildSnapshot(PROCESSES)]);
  await ui.until('postgres');
  await ui.press(KEYS.enter);
  await ui.until('PID 202 postgres: 21 endpoints');
  const rows = ui.lines().filter((line) => /^TCP +\S+:\d+ /.test(line));
  assert.match(rows[0]!, /^TCP +127\.0\.0\.1:5432 +\*:\* +LISTEN/);
  assert.match(rows[1]!, /^TCP +127\.0\.0\.1:\d+ +127\.0\.0\.1:5432 +ESTABLISHED/);
  await ui.press(KEYS.end);
  await ui.until(/\(\d+-21 of 21\)/);
  await ui.press(KEYS.escape);
  await ui.until(/^3 processes/m);
});

test('resizing the terminal changes how many rows are drawn', async () => {
  const many = Array.from({ length: 60 }, (_, i) => ({ pid: 1000 + i, name: `w${i}`, established: 100 - i }));
  const ui = start([buildSnapshot(many)], { size: undefined });
  await ui.until('w0');
  const before = ui.pids().length;
  Object.defineProperty(ui.view.stdout, 'rows', { value: 40, configurable: true });
  ui.view.stdout.emit('resize');
  await waitFor(() => ui.pids().length === before + 16, `16 more rows after growing from 24 to 40 lines (had ${before})`);
});

test('q quits: the app unmounts and stops reading keys', async () => {
  const ui = start([buildSnapshot(PROCESSES)]);
  await ui.until('postgres');
  assert.ok(ui.view.stdin.listenerCount('readable') > 0);
  await ui.press('q');
  await waitFor(() => ui.view.stdin.listenerCount('readable') === 0, 'stdin released');
});

test("the header carries diagnose's verdict in words: OK on a quiet machine, EXHAUSTED with the culprit when the range is full", async () => {
  const quiet = start([buildSnapshot(PROCESSES)]);
  await quiet.until('postgres');
  assert.match(quiet.frame(), /^OK tcp\/ipv4 35\/28232 ports toward 127\.0\.0\.1:5432 \(0\.1%\) · top PID 202 postgres 20 ports$/m);
  cleanup();

  // a 300-port range with 299 connections to one destination: exhausted by Linux's per-destination rule
  const full = start([buildSnapshot([{ pid: 777, name: 'hog', established: 299 }])], {}, (backend) => {
    backend.ranges = [makeRange('tcp', 'ipv4', 40000, 300)];
  });
  await full.until('hog');
  assert.match(full.frame(), /^EXHAUSTED tcp\/ipv4 299\/300 ports toward 127\.0\.0\.1:5432 \(99\.7%\) · top PID 777 hog 299 ports$/m);
});

test('the key line fits 80 columns and keeps q quit; the detail pane and the kill dialog show their own keys', async () => {
  const ui = start([buildSnapshot(PROCESSES)], { size: { columns: 80, rows: 24 } });
  await ui.until('postgres');
  const keyLine = () => ui.lines().filter((line) => line.trim() !== '').at(-1)!;
  assert.match(keyLine(), /^\? help {2}\/ filter .* q quit$/);
  assert.ok(keyLine().length <= 80);
  await ui.press(KEYS.enter);
  await ui.until('PID 202 postgres');
  assert.equal(keyLine(), 'Esc back  Up/Down PgUp/PgDn scroll  q quit');
  await ui.press(KEYS.escape, 'k');
  await ui.until('y = yes');
  assert.equal(keyLine(), 'y yes, kill  any other key cancel');
});

test('a COMMAND column tells apart processes of one name, in the width NAME does not need', async () => {
  const ui = start([buildSnapshot([{ pid: 11, name: 'node', established: 3 }, { pid: 12, name: 'node', established: 2 }])], { size: { columns: 100, rows: 24 } });
  await ui.until('node');
  assert.match(ui.frame(), /PID NAME +SOCKETS▼ .* HANDLES COMMAND/);
  assert.match(ui.frame(), /11 node +3 .* node --serve/);
  assert.match(ui.frame(), /12 node +2 .* node --serve/);
});

for (const [columns, rows, mode] of [[80, 24, 'full'], [60, 15, 'compact'], [40, 10, 'one line']] as const) {
  test(`at ${columns}x${rows} the header is ${mode} and the whole frame fits the terminal`, async () => {
    const fourRanges = (backend: FakeBackend) =>
      (backend.ranges = [makeRange('tcp', 'ipv4', 32768, 28232), makeRange('tcp', 'ipv6', 32768, 28232), makeRange('udp', 'ipv4', 32768, 28232), makeRange('udp', 'ipv6', 32768, 28232)]);
    const ui = start([buildSnapshot(PROCESSES)], { size: { columns, rows } }, fourRanges);
    await ui.until('postgres');
    const lines = ui.frame().split('\n');
    assert.ok(lines.length <= rows - 1, `${lines.length} lines for ${rows} rows:\n${ui.frame()}`);
    assert.ok(lines.every((line) => line.length <= columns), ui.frame());
    const gauges = lines.filter((line) => /^(TCP|UDP)6? \d+-\d+ +\[/.test(line)).length;
    const compact = lines.filter((line) => /^TCP 0\.2% OK {2}TCP6 0\.0% OK/.test(line)).length;
    if (mode === 'full') assert.equal(gauges, 4);
    if (mode === 'compact') assert.deepEqual([gauges, compact], [0, 1]);
    if (mode === 'one line') {
      assert.deepEqual([gauges, compact], [0, 0]);
      assert.match(lines[0]!, /^OK porttop {2}host testhost/);
    }
    assert.match(lines.at(-1)!, /q quit$/);
  });
}
