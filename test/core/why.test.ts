// The reasons behind a failed (or risky) bind, from facts handed in: overlap rules, order, Windows shapes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addressOverlap, blocksBind } from '../../src/core/bindconflict.js';
import { freePortCandidates } from '../../src/core/freeports.js';
import type { Endpoint, ProcessInfo } from '../../src/core/model.js';
import { makeRange } from '../../src/core/ranges.js';
import { waitState } from '../../src/core/waitfor.js';
import { explainBind, type WhyInput } from '../../src/core/why.js';
import { toExcludedRanges } from '../../src/ps/envelope.js';

const endpoint = (localAddress: string, localPort: number, state: Endpoint['state'], pid: number | null, protocol: Endpoint['protocol'] = 'tcp'): Endpoint => ({
  protocol,
  family: localAddress.includes(':') ? 'ipv6' : 'ipv4',
  localAddress,
  localPort,
  remoteAddress: state === 'LISTEN' || state === 'BOUND' || protocol === 'udp' ? null : '127.0.0.1',
  remotePort: state === 'LISTEN' || state === 'BOUND' || protocol === 'udp' ? null : 50000,
  state: protocol === 'udp' ? null : state,
  pid,
  holders: pid === null ? [] : [pid],
});
const proc = (pid: number, name: string): ProcessInfo => ({ pid, name, commandLine: null, startTime: null, handles: null });

function input(overrides: Partial<WhyInput>): WhyInput {
  return {
    port: 8080,
    host: '0.0.0.0',
    protocol: 'tcp',
    platform: 'linux',
    attempt: { bound: true, code: null, message: null },
    endpoints: [],
    processes: new Map(),
    hiddenOwners: 0,
    ranges: ['tcp', 'udp'].flatMap((protocol) => ['ipv4', 'ipv6'].map((family) => makeRange(protocol as 'tcp', family as 'ipv4', 32768, 28232))),
    excluded: [],
    unprivilegedPortStart: 1024,
    elevated: false,
    bindV6Only: false,
    ...overrides,
  };
}
const inUse = { bound: false, code: 'EADDRINUSE', message: 'listen EADDRINUSE' };

describe('address overlap', () => {
  it('tells the same address, a wildcard and dual-stack apart', () => {
    const target = { host: '127.0.0.1', protocol: 'tcp' as const };
    assert.equal(addressOverlap(endpoint('127.0.0.1', 1, 'LISTEN', 1), target, false), 'same');
    assert.equal(addressOverlap(endpoint('0.0.0.0', 1, 'LISTEN', 1), target, false), 'wildcard');
    assert.equal(addressOverlap(endpoint('::', 1, 'LISTEN', 1), target, false), 'dual-stack');
    assert.equal(addressOverlap(endpoint('::', 1, 'LISTEN', 1), target, true), null, 'bindv6only=1 keeps :: off IPv4');
    assert.equal(addressOverlap(endpoint('127.0.0.2', 1, 'LISTEN', 1), target, false), null);
    assert.equal(addressOverlap(endpoint('::1', 1, 'LISTEN', 1), target, false), null);
    assert.equal(addressOverlap(endpoint('127.0.0.1', 1, null, 1, 'udp'), target, false), null, 'another protocol');
    assert.equal(addressOverlap(endpoint('::ffff:127.0.0.1', 1, 'LISTEN', 1), target, false), 'same');
    assert.equal(addressOverlap(endpoint('0.0.0.0', 1, 'LISTEN', 1), { host: '::', protocol: 'tcp' }, false), 'dual-stack');
  });

  it('TIME_WAIT and closing states do not block a bind; listeners, bound sockets and UDP do', () => {
    assert.equal(blocksBind(endpoint('127.0.0.1', 1, 'TIME_WAIT', null)), false);
    assert.equal(blocksBind(endpoint('127.0.0.1', 1, 'FIN_WAIT_2', null)), false);
    assert.equal(blocksBind(endpoint('127.0.0.1', 1, 'LISTEN', 1)), true);
    assert.equal(blocksBind(endpoint('127.0.0.1', 1, 'BOUND', 1)), true);
    assert.equal(blocksBind(endpoint('127.0.0.1', 1, null, 1, 'udp')), true);
  });
});

describe('explainBind', () => {
  it('a held port names the holder first and the dynamic-range advice after it', () => {
    const report = explainBind(input({
      port: 40000,
      attempt: inUse,
      endpoints: [endpoint('0.0.0.0', 40000, 'LISTEN', 42)],
      processes: new Map([[42, proc(42, 'node')]]),
    }));
    assert.equal(report.bindable, false);
    assert.deepEqual(report.reasons.map((reason) => reason.kind), ['held', 'dynamic-range']);
    assert.match(report.reasons[0]!.detail, /PID 42 node holds TCP 0\.0\.0\.0:40000 LISTEN/);
    assert.match(report.reasons[0]!.fix!, /porttop kill 40000/);
  });

  it('a held port names every holder and its real owner, with the stop at the right level', () => {
    const shared = { ...endpoint('0.0.0.0', 80, 'LISTEN', 10), holders: [10, 11] };
    const report = explainBind(input({
      port: 80,
      attempt: inUse,
      elevated: true,
      endpoints: [shared],
      processes: new Map([[10, { ...proc(10, 'nginx'), unit: 'nginx.service' }], [11, { ...proc(11, 'nginx'), unit: 'nginx.service' }]]),
    }));
    assert.match(report.reasons[0]!.detail, /PID 10 nginx \(systemd service nginx\.service\), PID 11 nginx \(systemd service nginx\.service\) hold TCP 0\.0\.0\.0:80 LISTEN/);
    assert.match(report.reasons[0]!.fix!, /^systemctl stop nginx\.service .*or porttop kill 80$/);
  });

  it('a socket with no holder: "run as root" while processes were unread, another PID namespace or the kernel once all were', () => {
    const orphan = endpoint('0.0.0.0', 2024, 'LISTEN', null);
    const asUser = explainBind(input({ port: 2024, attempt: inUse, endpoints: [orphan], hiddenOwners: 1 })).reasons[0]!;
    assert.match(asUser.detail, /TCP 0\.0\.0\.0:2024 LISTEN is held by a process this user may not see/);
    assert.equal(asUser.fix, 'run porttop why 2024 as root to name it');
    const asRoot = explainBind(input({ port: 2024, attempt: inUse, endpoints: [orphan], elevated: true })).reasons[0]!;
    assert.match(asRoot.detail, /TCP 0\.0\.0\.0:2024 LISTEN is held by no process porttop can read \(it read them all\): its holder runs in another PID namespace \(a container\), or the kernel keeps it/);
    assert.doesNotMatch(asRoot.fix!, /as root/, 'never send root to become root');
    assert.match(asRoot.fix!, /lsns -t pid.*porttop free/);
    const asAdministrator = explainBind(input({ port: 2024, attempt: inUse, endpoints: [orphan], elevated: true, platform: 'windows' })).reasons[0]!;
    assert.match(asAdministrator.detail, /is held by no process Windows names/);
    assert.equal(asAdministrator.fix, 'pick another port: porttop free');
  });

  it('an in-use port with no visible socket says the holder is hidden when owners are hidden', () => {
    const report = explainBind(input({ attempt: inUse, hiddenOwners: 3 }));
    assert.equal(report.reasons[0]!.kind, 'held');
    assert.match(report.reasons[0]!.fix!, /as root/);
  });

  it('privileged only when not elevated and below the limit', () => {
    const denied = { bound: false, code: 'EACCES', message: 'EACCES' };
    assert.deepEqual(explainBind(input({ port: 80, attempt: denied })).reasons.map((reason) => reason.kind), ['privileged']);
    assert.match(explainBind(input({ port: 80, attempt: denied })).reasons[0]!.fix!, /ip_unprivileged_port_start=80/);
    assert.deepEqual(explainBind(input({ port: 80, attempt: denied, elevated: true })).reasons.map((reason) => reason.kind), ['other']);
  });

  it('TIME_WAIT alone: bindable, with when they expire', () => {
    const report = explainBind(input({ endpoints: [endpoint('127.0.0.1', 8080, 'TIME_WAIT', null)] }));
    assert.equal(report.bindable, true);
    assert.equal(report.reasons[0]!.kind, 'time-wait');
    assert.match(report.reasons[0]!.detail, /within 60 s/);
  });

  it('a free port outside the dynamic range has no reasons', () => {
    assert.deepEqual(explainBind(input({})).reasons, []);
  });

  it('a dual-stack [::] listener against an IPv4 bind is an address conflict naming bindv6only', () => {
    const report = explainBind(input({ host: '127.0.0.1', attempt: inUse, endpoints: [endpoint('::', 8080, 'LISTEN', 7)], processes: new Map([[7, proc(7, 'srv')]]) }));
    assert.deepEqual(report.reasons.map((reason) => reason.kind), ['address-conflict']);
    assert.match(report.reasons[0]!.detail, /PID 7 srv .*bindv6only = 0/);
  });
});

describe('recorded shape: Windows excluded port ranges (Get-ExcludedPortRanges data)', () => {
  // as Get-ExcludedPortRanges.ps1 prints them for the netsh table in test/fixtures/windows/netsh-excludedportrange-en.txt
  const recorded = [
    { protocol: 'tcp', family: 'ipv4', start: 5357, end: 5357, administered: false },
    { protocol: 'tcp', family: 'ipv4', start: 8000, end: 8099, administered: false },
    { protocol: 'tcp', family: 'ipv4', start: 50000, end: 50059, administered: true },
  ];
  const windowsInput = (port: number) =>
    input({
      port,
      platform: 'windows',
      attempt: { bound: false, code: 'EACCES', message: 'listen EACCES: permission denied' },
      excluded: toExcludedRanges(recorded),
      ranges: [makeRange('tcp', 'ipv4', 49152, 16384)],
      unprivilegedPortStart: null,
    });

  it('a run-time reservation (Hyper-V/WSL/Docker) suggests restarting winnat and reserving the port', () => {
    const report = explainBind(windowsInput(8080));
    assert.equal(report.reasons[0]!.kind, 'excluded');
    assert.match(report.reasons[0]!.detail, /8000-8099 .*Hyper-V, WSL 2, Docker/);
    assert.match(report.reasons[0]!.fix!, /net stop winnat.*net start winnat/);
    assert.match(report.reasons[0]!.fix!, /netsh int ipv4 add excludedportrange protocol=tcp startport=8080 numberofports=1/);
  });

  it('an administered exclusion says how to delete it, and the dynamic range comes after', () => {
    const report = explainBind(windowsInput(50010));
    assert.deepEqual(report.reasons.map((reason) => reason.kind), ['excluded', 'dynamic-range']);
    assert.match(report.reasons[0]!.fix!, /delete excludedportrange protocol=tcp startport=50000 numberofports=60/);
    assert.match(report.reasons[1]!.fix!, /add excludedportrange/);
  });

  it('free never offers a port of an excluded range', () => {
    const offered = [...freePortCandidates({ protocol: 'tcp', family: 'ipv4', span: { from: 7990, to: 8110 }, dynamic: undefined, excluded: toExcludedRanges(recorded), endpoints: [] })].map((c) => c.port);
    assert.equal(offered.some((port) => port >= 8000 && port <= 8099), false);
    assert.equal(offered.length, 121 - 100);
  });
});

describe('wait conditions', () => {
  const spans = [{ from: 3000, to: 3000 }];
  it('free ignores TIME_WAIT, listening needs a listener on every port', () => {
    assert.equal(waitState([endpoint('127.0.0.1', 3000, 'TIME_WAIT', null)], spans, 'free', ['tcp', 'udp']).met, true);
    assert.equal(waitState([endpoint('127.0.0.1', 3000, 'LISTEN', 1)], spans, 'free', ['tcp', 'udp']).met, false);
    assert.equal(waitState([endpoint('127.0.0.1', 3000, 'LISTEN', 1)], spans, 'free', ['udp']).met, true);
    assert.deepEqual(waitState([endpoint('127.0.0.1', 3000, 'LISTEN', 1)], [{ from: 3000, to: 3001 }], 'listening', ['tcp']).notListening, [3001]);
  });
});
