// The kill plan and the family for --tree, pure: built snapshots in, candidates, refusals, port outcomes
// and families out.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planFamily } from '../../src/core/family.js';
import { anythingHeld, describePortOutcome, isEndingSignal, planKill, portOutcomes } from '../../src/core/killplan.js';
import type { Endpoint, ProcessInfo, Snapshot } from '../../src/core/model.js';
import { parsePortSpans, parseSignal, rejectFlagValues } from '../../src/core/validate.js';

const endpoint = (port: number, state: Endpoint['state'], holders: number[], remotePort: number | null = null): Endpoint => ({
  protocol: 'tcp', family: 'ipv4', localAddress: '127.0.0.1', localPort: port, remoteAddress: remotePort === null ? null : '127.0.0.1',
  remotePort, state, pid: holders[0] ?? null, holders,
});
const proc = (pid: number, name: string, parentPid: number, extra: Partial<ProcessInfo> = {}): ProcessInfo => ({
  pid, name, commandLine: name, startTime: null, handles: null, parentPid, ...extra,
});
const snapshot = (endpoints: Endpoint[], processes: ProcessInfo[], extra: Partial<Snapshot> = {}): Snapshot => ({
  takenAt: '', endpoints, processes: new Map(processes.map((info) => [info.pid, info])), warnings: [], ...extra,
});
const protection = { platform: 'linux' as const, selfPid: 9000, parentPid: 8999, ancestors: [8999, 8000], allowCritical: false };
const plan = (snap: Snapshot, ports: string[], allStates = false) => planKill(snap, parsePortSpans(ports), { allStates, protection });

describe('planKill', () => {
  it('every holder of a shared listener is a candidate; connections only with --all-states; TIME_WAIT never', () => {
    const snap = snapshot(
      [endpoint(7171, 'LISTEN', [100, 101]), endpoint(7171, 'ESTABLISHED', [100], 50000), endpoint(50000, 'ESTABLISHED', [200], 7171), endpoint(7171, 'TIME_WAIT', [], 50001)],
      [proc(100, 'python3', 50), proc(101, 'python3', 100), proc(200, 'curl', 60)],
    );
    const result = plan(snap, ['7171']);
    assert.deepEqual(result.candidates.map((candidate) => [candidate.pid, candidate.ports]), [[100, [7171]], [101, [7171]]]);
    assert.deepEqual(result.ports, [{ port: 7171, named: true, holders: [100, 101], hidden: 0, outside: 0, connections: 1, unowned: 1 }]);
    assert.deepEqual(plan(snap, ['50000']).candidates, []);
    assert.deepEqual(plan(snap, ['50000'], true).candidates.map((candidate) => candidate.pid), [200]);
  });

  it('single ports are always reported, ranges only where something is; hidden holders count per port', () => {
    const snap = snapshot([endpoint(1950, 'LISTEN', []), endpoint(1951, 'LISTEN', [300])], [proc(300, 'node', 1)], { hiddenOwners: 1 });
    const result = plan(snap, ['1950', '1951', '1952', '2000-2010']);
    assert.deepEqual(result.ports.map((port) => [port.port, port.holders, port.hidden]), [[1950, [], 1], [1951, [300], 0], [1952, [], 0]]);
    assert.ok(anythingHeld(result));
    assert.ok(!anythingHeld(plan(snap, ['1952'])));
  });

  it('a listener or UDP socket no process holds, though every process was read, is counted as held from outside', () => {
    const udp: Endpoint = { ...endpoint(4789, null, []), protocol: 'udp' };
    const snap = snapshot([endpoint(2024, 'LISTEN', []), udp, endpoint(2024, 'TIME_WAIT', [], 50000), endpoint(2024, 'ESTABLISHED', [], 50001)], [], { hiddenOwners: 0 });
    const result = plan(snap, ['2024', '4789'], true);
    assert.deepEqual(result.ports.map((port) => [port.port, port.hidden, port.outside, port.unowned]), [[2024, 0, 1, 2], [4789, 0, 1, 0]]);
    assert.ok(!anythingHeld(result), 'nothing porttop can stop (one look cannot tell it from a process that just exited)');
    assert.deepEqual(result.candidates, []);
    const asUser = plan({ ...snap, hiddenOwners: 2 }, ['2024']);
    assert.deepEqual([asUser.ports[0]!.hidden, asUser.ports[0]!.outside], [1, 0], 'with processes unread, the holder may be one of them');
  });

  it('refuses porttop, its ancestors and PID 1, and warns about a systemd service', () => {
    const snap = snapshot([endpoint(80, 'LISTEN', [1, 8000, 9000, 700])], [proc(1, 'systemd', 0), proc(8000, 'bash', 1), proc(9000, 'node', 8999), proc(700, 'nginx', 1, { unit: 'nginx.service' })]);
    const byPid = new Map(plan(snap, ['80']).candidates.map((candidate) => [candidate.pid, candidate]));
    assert.match(byPid.get(1)!.refusal!, /init/);
    assert.match(byPid.get(8000)!.refusal!, /ancestor of porttop/);
    assert.match(byPid.get(9000)!.refusal!, /porttop itself/);
    assert.equal(byPid.get(700)!.refusal, null);
    assert.match(byPid.get(700)!.warnings[0]!, /systemd unit nginx\.service, which may start it again: systemctl stop nginx\.service/);
  });
});

describe('portOutcomes', () => {
  const before = snapshot([endpoint(3000, 'LISTEN', [4120])], [proc(4120, 'node', 4101), proc(4101, 'nodemon', 3990)]);
  const thePlan = plan(before, ['3000']);
  const spans = parsePortSpans(['3000']);

  it('free, with TIME_WAIT left mentioned; a stopped PID the OS still lists without a process is not a holder', () => {
    const after = snapshot([endpoint(3000, 'TIME_WAIT', [], 40000), endpoint(3000, 'LISTEN', [4120])], []);
    assert.deepEqual(portOutcomes(thePlan, after, spans, false, new Set([4120])), [{ port: 3000, status: 'free', holders: [], timeWait: 1 }]);
  });

  it('held by a restarted child names the supervisor; hidden when only a hidden holder is left', () => {
    const after = snapshot([endpoint(3000, 'LISTEN', [4200])], [proc(4200, 'node', 4101, { parentChain: [{ pid: 4101, name: 'nodemon' }] })]);
    const [outcome] = portOutcomes(thePlan, after, spans, false, new Set([4120]));
    assert.deepEqual(outcome!.holders, [{ pid: 4200, processName: 'node', restartedBy: { pid: 4101, name: 'nodemon' } }]);
    const hidden = snapshot([endpoint(3000, 'LISTEN', [])], [], { hiddenOwners: 1 });
    assert.equal(portOutcomes(thePlan, hidden, spans, false, new Set([4120]))[0]!.status, 'hidden');
  });

  it('after a stop, a listener with no holder while every process was read is its process exiting, not a holder', () => {
    const exiting = snapshot([endpoint(3000, 'LISTEN', [])], [], { hiddenOwners: 0 });
    const [outcome] = portOutcomes(thePlan, exiting, spans, false, new Set([4120]));
    assert.equal(outcome!.status, 'free');
    assert.match(describePortOutcome(outcome!, 'linux'), /^port 3000 is free/);
  });

  it('PID 1 adopting an orphan is not a restarter', () => {
    const orphanPlan = plan(snapshot([endpoint(3000, 'LISTEN', [4120])], [proc(4120, 'node', 1)]), ['3000']);
    const after = snapshot([endpoint(3000, 'LISTEN', [4200])], [proc(4200, 'node', 1)]);
    assert.equal(portOutcomes(orphanPlan, after, spans, false, new Set([4120]))[0]!.holders[0]!.restartedBy, null);
  });
});

describe('planFamily (--tree)', () => {
  // sshd (session leader) -> bash (session leader) -> npm -> nodemon -> node (holder) -> node worker
  const processes = new Map(
    [
      proc(800, 'sshd', 1, { sessionLeader: true }), proc(3990, 'bash', 800, { sessionLeader: true }), proc(4101, 'npm', 3990),
      proc(4110, 'nodemon', 4101), proc(4120, 'node', 4110), proc(4130, 'node', 4120), proc(4140, 'esbuild', 4110),
    ].map((info) => [info.pid, info]),
  );
  const holders = plan(snapshot([endpoint(3000, 'LISTEN', [4120])], [...processes.values()]), ['3000']).candidates;

  it('walks up to the last process below the session leader, then takes every descendant, topmost first', () => {
    const family = planFamily(holders, processes, protection);
    assert.deepEqual(family.order.map((member) => member.pid), [4101, 4110, 4120, 4140, 4130]);
    assert.deepEqual([...family.depth], [[4101, 0], [4110, 1], [4120, 2], [4140, 2], [4130, 3]]);
    assert.deepEqual(family.stoppedAt, { pid: 3990, name: 'bash', reason: 'a session leader (the shell of a terminal)' });
    assert.deepEqual(family.order.find((member) => member.pid === 4120)!.ports, [3000]);
  });

  it('stops below a service manager and below porttop\'s ancestors', () => {
    const managed = new Map([[1, proc(1, 'systemd', 0)], [500, proc(500, 'containerd-shim-runc-v2', 1)], [510, proc(510, 'node', 500)]]);
    const family = planFamily(plan(snapshot([endpoint(80, 'LISTEN', [510])], [...managed.values()]), ['80']).candidates, managed, protection);
    assert.deepEqual(family.order.map((member) => member.pid), [510]);
    assert.equal(family.stoppedAt?.reason, 'a service manager');
    const own = new Map([[8000, proc(8000, 'bash', 1)], [8100, proc(8100, 'node', 8000)]]);
    const mine = planFamily(plan(snapshot([endpoint(80, 'LISTEN', [8100])], [...own.values()]), ['80']).candidates, own, protection);
    assert.deepEqual(mine.order.map((member) => member.pid), [8100]);
  });

  it('Windows: explorer and console shells are the session', () => {
    const windows = { ...protection, platform: 'windows' as const };
    const tree = new Map([[700, proc(700, 'explorer.exe', 600)], [710, proc(710, 'pwsh.exe', 700)], [720, proc(720, 'node.exe', 710)]]);
    const family = planFamily(planKill(snapshot([endpoint(80, 'LISTEN', [720])], [...tree.values()]), parsePortSpans(['80']), { allStates: false, protection: windows }).candidates, tree, windows);
    assert.deepEqual(family.order.map((member) => member.pid), [720]);
  });
});

describe('kill --signal and flags', () => {
  it('numbers like kill(1), names with or without SIG; only TERM, INT, QUIT, ABRT and KILL end a process', () => {
    assert.equal(parseSignal('9'), 'SIGKILL');
    assert.equal(parseSignal('15'), 'SIGTERM');
    assert.equal(parseSignal('hup'), 'SIGHUP');
    assert.equal(parseSignal('SIGWINCH'), 'SIGWINCH');
    assert.throws(() => parseSignal('99'), /invalid --signal '99'/);
    for (const signal of ['SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGCONT', 'SIGSTOP', 'SIGWINCH']) assert.ok(!isEndingSignal(signal), signal);
    for (const signal of ['SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGABRT', 'SIGKILL']) assert.ok(isEndingSignal(signal), signal);
  });

  it('a flag given a value is refused; true/false and values after -- are fine', () => {
    assert.throws(() => rejectFlagValues(['kill', '80', '--force=maybe'], ['force']), /invalid --force 'maybe': --force is a flag and takes no value/);
    assert.doesNotThrow(() => rejectFlagValues(['--force=true', '--dry-run=false'], ['force', 'dry-run']));
    assert.doesNotThrow(() => rejectFlagValues(['--', '--force=maybe'], ['force']));
  });
});

describe('kill over a range with only connections (recorded shape through a scripted backend)', () => {
  it('counts the quiet ports of a range in one line and exits 1', async () => {
    const { FakeBackend, buildSnapshot } = await import('../tui/fakeBackend.js');
    const { runCli } = await import('../helpers/cli.js');
    const backend = new FakeBackend([buildSnapshot([{ pid: 303, name: 'leaky', established: 5 }])]);
    const run = await runCli(['kill', '40000-40010', '40003'], backend);
    assert.equal(run.code, 1, run.stderr);
    assert.equal(run.stdout, 'port 40003: 1 connection uses it; add --all-states to stop their owners too\n4 more ports in the ranges have only connections or TIME_WAIT sockets: nothing to stop (see porttop who)\n');
  });
});
