// Picking endpoints and kill targets, grouping by owner, per-process counts and range usage.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sortProcessRows, summarizeProcesses } from '../../src/core/aggregate.js';
import { rangeUsages } from '../../src/core/diagnose/judge.js';
import { tallySnapshot } from '../../src/core/tally.js';
import type { Endpoint, ProcessInfo, Snapshot } from '../../src/core/model.js';
import { protectionReason } from '../../src/core/protect.js';
import { makeRange } from '../../src/core/ranges.js';
import { endpointsOnPorts, filterEndpoints, groupByOwner, killCandidatePids, ownedEndpointJsonEncoder, withProcessNames } from '../../src/core/select.js';
import { verdictOfPercent } from '../../src/core/usage.js';
import { parsePortSpans } from '../../src/core/validate.js';

const tcp = (localPort: number, state: Endpoint['state'], pid: number | null, remotePort: number | null = null): Endpoint => ({
  protocol: 'tcp', family: 'ipv4', localAddress: '127.0.0.1', localPort,
  remoteAddress: remotePort === null ? null : '127.0.0.1', remotePort, state, pid, holders: pid === null ? [] : [pid],
});
const udp = (localPort: number, pid: number | null): Endpoint => ({
  protocol: 'udp', family: 'ipv6', localAddress: '::', localPort, remoteAddress: null, remotePort: null, state: null, pid, holders: pid === null ? [] : [pid],
});
const proc = (pid: number, name: string, handles: number | null = 10): ProcessInfo => ({ pid, name, commandLine: null, startTime: null, handles });

const endpoints: Endpoint[] = [
  tcp(8080, 'LISTEN', 100),
  tcp(8080, 'ESTABLISHED', 100, 40001),
  tcp(40001, 'ESTABLISHED', 200, 8080),
  tcp(40002, 'TIME_WAIT', null, 8080),
  tcp(80, 'LISTEN', 300),
  tcp(40003, 'BOUND', 400),
  tcp(40004, 'CLOSE_WAIT', 100, 9999),
  udp(5353, 500),
  udp(40005, 200),
];
const snapshot: Snapshot = {
  takenAt: '2026-11-26T00:00:00.000Z',
  endpoints,
  processes: new Map([[100, proc(100, 'server')], [200, proc(200, 'client', 3001)], [300, proc(300, 'lsass.exe', 50_000)], [400, proc(400, 'binder')], [500, proc(500, 'mdns')]]),
  warnings: [],
};
const ranges = ['tcp', 'udp'].flatMap((protocol) => ['ipv4', 'ipv6'].map((family) => makeRange(protocol as 'tcp', family as 'ipv4', 40000, 1000)));

describe('selection', () => {
  it('who: exact local-port match, TCP and UDP', () => {
    assert.deepEqual(endpointsOnPorts(endpoints, parsePortSpans(['80'])).map((e) => e.pid), [300]);
    assert.equal(endpointsOnPorts(endpoints, parsePortSpans(['808'])).length, 0);
    assert.equal(endpointsOnPorts(endpoints, parsePortSpans(['8080'])).length, 2);
    assert.deepEqual(endpointsOnPorts(endpoints, parsePortSpans(['5353'])).map((e) => e.protocol), ['udp']);
  });

  it('kill: listeners, bound sockets and UDP only, unless all states', () => {
    const spans = parsePortSpans(['8080', '40001-40005']);
    assert.deepEqual(killCandidatePids(endpoints, spans, false), [100, 400, 200]);
    assert.deepEqual(killCandidatePids(endpointsOnPorts(endpoints, parsePortSpans(['40001'])), parsePortSpans(['40001']), false), []);
    assert.deepEqual(killCandidatePids(endpoints, parsePortSpans(['40001']), true), [200]);
  });

  it('groups by owner with the unowned group last, and adds process names', () => {
    const groups = groupByOwner(endpointsOnPorts(endpoints, parsePortSpans(['40002', '8080'])));
    assert.deepEqual(groups.map((g) => g.holders), [[100], []]);
    const named = withProcessNames(endpoints.slice(0, 4), snapshot);
    assert.deepEqual(named.map((e) => e.processName), ['server', 'server', 'client', null]);
    assert.deepEqual(Object.keys(named[0]!), ['protocol', 'family', 'localAddress', 'localPort', 'remoteAddress', 'remotePort', 'state', 'pid', 'processName', 'holders']);
  });

  it('the JSON encoder writes exactly what JSON.stringify writes of withProcessNames, shared sockets and odd text included', () => {
    const shared: Endpoint = { ...tcp(9000, 'LISTEN', 100), holders: [100, 200] };
    const odd: ProcessInfo = {
      pid: 600, name: 'we\u001b[31mird "name"\n', commandLine: 'node -e "x\u2028y" \\ é', startTime: '2026-11-26T00:00:00.000Z', handles: 3,
      unit: 'a b.service', container: { runtime: 'docker', id: 'f'.repeat(64) }, parentChain: [{ pid: 1, name: 'init' }],
    };
    const all = [...endpoints, shared, tcp(9001, 'LISTEN', 600), tcp(9002, 'LISTEN', 700)];
    const processes = new Map([...snapshot.processes, [600, odd]]);
    const encode = ownedEndpointJsonEncoder({ processes });
    assert.deepEqual(all.map(encode), withProcessNames(all, { processes }).map((endpoint) => JSON.stringify(endpoint)));
  });

  it('list filters combine; a port filter matches local or remote', () => {
    assert.equal(filterEndpoints(endpoints, { port: 8080 }).length, 4);
    assert.equal(filterEndpoints(endpoints, { port: 8080, state: 'ESTABLISHED', pid: 200 }).length, 1);
    assert.equal(filterEndpoints(endpoints, { ports: [{ from: 8080, to: 8080 }] }).length, 4);
    assert.equal(filterEndpoints(endpoints, { ports: [{ from: 40001, to: 40002 }] }).length, 3, 'a range matches local and remote ports');
    assert.equal(filterEndpoints(endpoints, { protocol: 'udp', family: 'ipv6' }).length, 2);
  });
});

describe('per-process rows', () => {
  const rows = summarizeProcesses(snapshot, ranges);
  const byPid = new Map(rows.map((row) => [row.pid, row]));

  it('counts sockets by state and ephemeral ports in the range', () => {
    assert.deepEqual(byPid.get(100), {
      pid: 100, processName: 'server', commandLine: null, sockets: 3, listen: 1, established: 1, timeWait: 0, closeWait: 1, bound: 0, udp: 0,
      ephemeral: 1, handles: 10, handleSuspect: false,
    });
    assert.equal(byPid.get(200)!.ephemeral, 2, 'one TCP and one UDP port in the range');
    assert.equal(byPid.get(400)!.bound, 1);
    assert.equal(byPid.has(-1), false);
  });

  it('marks handle-rule suspects but not exempt processes', () => {
    assert.equal(byPid.get(200)!.handleSuspect, true);
    assert.equal(byPid.get(300)!.handleSuspect, false, 'lsass.exe is exempt');
  });

  it('sorts largest first with ties by PID, or reversed', () => {
    assert.deepEqual(sortProcessRows(rows, 'sockets').map((r) => r.pid), [100, 200, 300, 400, 500]);
    assert.deepEqual(sortProcessRows(rows, 'handles').map((r) => r.pid), [300, 200, 100, 400, 500]);
    assert.deepEqual(sortProcessRows(rows, 'sockets', false).map((r) => r.pid), [300, 400, 500, 200, 100]);
  });

  it('totals by state, UDP apart', () => {
    assert.deepEqual(tallySnapshot(snapshot, ranges).totals, { LISTEN: 2, ESTABLISHED: 2, TIME_WAIT: 1, BOUND: 1, CLOSE_WAIT: 1, UDP: 2 });
  });

  it('range usage counts distinct non-listening local ports per range', () => {
    const usage = rangeUsages(tallySnapshot(snapshot, ranges), []);
    const tcp4 = usage.find((u) => u.protocol === 'tcp' && u.family === 'ipv4')!;
    assert.equal(tcp4.inUse, 4);
    assert.equal(tcp4.percent, 0.4);
    assert.deepEqual(tcp4.byState, { ESTABLISHED: 1, TIME_WAIT: 1, BOUND: 1, CLOSE_WAIT: 1 });
    assert.equal(usage.find((u) => u.protocol === 'udp' && u.family === 'ipv6')!.inUse, 1);
    assert.deepEqual([verdictOfPercent(69.9), verdictOfPercent(70), verdictOfPercent(95)], ['ok', 'warning', 'exhausted']);
  });
});

describe('protected processes', () => {
  const linux = { platform: 'linux', selfPid: 1000, parentPid: 999, allowCritical: false } as const;
  const windows = { ...linux, platform: 'windows' } as const;
  it('never PID 0, init, System, porttop or its parent', () => {
    assert.match(protectionReason(1, 'systemd', linux)!, /init/);
    assert.match(protectionReason(0, 'Idle', windows)!, /PID 0/);
    assert.match(protectionReason(4, 'System', windows)!, /System/);
    assert.match(protectionReason(1000, 'node', linux)!, /porttop itself/);
    assert.match(protectionReason(999, 'bash', linux)!, /parent/);
    assert.equal(protectionReason(1234, 'node', linux), null);
    assert.equal(protectionReason(4, 'whatever', linux), null, 'PID 4 is an ordinary PID on Linux');
  });
  it('Windows critical processes only with the flag', () => {
    assert.match(protectionReason(600, 'lsass.exe', windows)!, /critical.*--allow-critical/);
    assert.match(protectionReason(600, 'CSRSS', windows)!, /critical/);
    assert.equal(protectionReason(600, 'lsass.exe', { ...windows, allowCritical: true }), null);
    assert.equal(protectionReason(600, 'lsass', linux), null);
  });
});
