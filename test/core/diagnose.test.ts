// The pure diagnosis on snapshots built in memory: Linux and Windows shapes, thresholds, TIME_WAIT
// inference, culprit ranking, evidence and advice. No I/O.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BOUND_NOTABLE,
  CLOSE_WAIT_NOTABLE,
  diagnose,
  PREFERRED_LOWEST_START,
  suggestRange,
  TIME_WAIT_NOTABLE,
  verdictDetails,
  type DiagnoseInput,
  type Diagnosis,
} from '../../src/core/diagnose/index.js';
import { VERDICT_LABELS, verdictReaches } from '../../src/core/labels.js';
import { makeRange } from '../../src/core/ranges.js';
import type { ExhaustionEvents } from '../../src/core/model.js';
import { EXHAUSTED_PERCENT, verdictOfPercent, WARNING_PERCENT } from '../../src/core/usage.js';
import { parseRangeValues } from '../../src/core/validate.js';
import { connections, linuxRanges, processes, snapshotOf, tcp, udp, windowsRanges } from '../diagnose/snapshots.js';

const LISTENER: [string, number] = ['127.0.0.1', 5000];

function linux(endpoints: ReturnType<typeof tcp>[], procs = processes([10, 'client'], [20, 'server']), start = 40000, count = 300): DiagnoseInput {
  return { snapshot: snapshotOf(endpoints, procs), ranges: linuxRanges(start, count), events: null, platform: 'linux' };
}

/** The command inside backticks of an advice line. */
function commandIn(line: string): string | undefined {
  return /`(porttop range set [^`]+)`/.exec(line)?.[1];
}

function parseSetCommand(command: string) {
  const start = /--start (\S+)/.exec(command)?.[1];
  const num = /--num (\S+)/.exec(command)?.[1];
  return parseRangeValues(start, num);
}

describe('verdict thresholds', () => {
  it('are the named constants of usage.ts', () => {
    assert.equal(verdictOfPercent(WARNING_PERCENT - 0.1), 'ok');
    assert.equal(verdictOfPercent(WARNING_PERCENT), 'warning');
    assert.equal(verdictOfPercent(EXHAUSTED_PERCENT - 0.1), 'warning');
    assert.equal(verdictOfPercent(EXHAUSTED_PERCENT), 'exhausted');
  });

  it('orders levels for --fail-on', () => {
    assert.equal(verdictReaches('exhausted', 'warning'), true);
    assert.equal(verdictReaches('warning', 'warning'), true);
    assert.equal(verdictReaches('warning', 'exhausted'), false);
    assert.equal(verdictReaches('ok', 'warning'), false);
  });

  it('says ok with no advice on an idle machine', () => {
    const result = diagnose(linux([tcp(5000, null, 'LISTEN', 20)]));
    assert.equal(result.verdict, 'ok');
    assert.deepEqual(result.culprits, []);
    assert.deepEqual(result.advice, []);
    assert.equal(result.stopGap, null);
    assert.equal(result.events, null);
    assert.ok(result.evidence.length > 0, 'even ok says what it looked at');
  });
});

describe('Linux: judged per destination', () => {
  it('a full range toward one listener is exhausted, with that listener as worst destination and the client first', () => {
    const endpoints = [
      tcp(5000, null, 'LISTEN', 20),
      ...connections(40000, 300, LISTENER, 'ESTABLISHED', 10),
      // the server's side of those connections sits on port 5000, outside the range
      ...Array.from({ length: 300 }, (_, i) => tcp(5000, ['127.0.0.1', 40000 + i], 'ESTABLISHED', 20)),
    ];
    const result = diagnose(linux(endpoints));
    assert.equal(result.verdict, 'exhausted');
    const tcp4 = result.usage.find((range) => range.protocol === 'tcp' && range.family === 'ipv4')!;
    assert.equal(tcp4.inUse, 300);
    assert.equal(tcp4.percent, 100);
    assert.deepEqual(tcp4.byState, { ESTABLISHED: 300 });
    assert.deepEqual(tcp4.worstDestination, { remoteAddress: '127.0.0.1', remotePort: 5000, ports: 300, percent: 100 });
    assert.equal(tcp4.judgedBy, 'destination');
    assert.equal(result.culprits[0]!.pid, 10);
    assert.equal(result.culprits[0]!.ephemeralPorts, 300);
    assert.equal(result.culprits[0]!.established, 300);
    assert.ok(!result.culprits.some((c) => c.pid === 20), 'the server holds no ephemeral port and no leak');
  });

  it('the same number of ports spread over three destinations is only a warning (connect() still works)', () => {
    const endpoints = [
      ...connections(40000, 100, ['10.0.0.1', 443], 'ESTABLISHED', 10),
      ...connections(40100, 100, ['10.0.0.2', 443], 'ESTABLISHED', 10),
      ...connections(40200, 100, ['10.0.0.3', 443], 'ESTABLISHED', 10),
    ];
    const result = diagnose(linux(endpoints));
    const tcp4 = result.usage[0]!;
    assert.equal(tcp4.percent, 100);
    assert.equal(tcp4.worstDestination!.ports, 100);
    assert.equal(tcp4.judgedPercent, 33.3);
    assert.equal(result.verdict, 'warning');
    assert.ok(result.evidence.some((line) => /bind\(\) to port 0/.test(line)), result.evidence.join('\n'));
  });

  it('below the warning share of every destination and of the range it is ok', () => {
    const result = diagnose(linux(connections(40000, 200, LISTENER, 'ESTABLISHED', 10)));
    assert.equal(result.usage[0]!.judgedPercent, 66.7);
    assert.equal(result.verdict, 'ok');
  });

  it('BOUND ports count for every destination (judged globally)', () => {
    const endpoints = [
      ...Array.from({ length: 250 }, (_, i) => tcp(40000 + i, null, 'BOUND', 10, { localAddress: '0.0.0.0' })),
      ...connections(40250, 40, LISTENER, 'ESTABLISHED', 11),
    ];
    const result = diagnose(linux(endpoints, processes([10, 'binder'], [11, 'client'])));
    const tcp4 = result.usage[0]!;
    assert.equal(tcp4.boundPorts, 250);
    assert.equal(tcp4.judgedBy, 'bound');
    assert.equal(tcp4.judgedPorts, 290);
    assert.equal(result.verdict, 'exhausted');
    assert.equal(result.culprits[0]!.pid, 10);
    assert.equal(result.culprits[0]!.bound, 250);
    assert.match(result.advice[0]!, /PID 10 \(binder\): BOUND: 250 sockets/);
  });

  it('UDP sockets use the range globally', () => {
    const endpoints = Array.from({ length: 290 }, (_, i) => udp(40000 + i, 30));
    const result = diagnose(linux(endpoints as never, processes([30, 'resolver'])));
    const udp4 = result.usage.find((range) => range.protocol === 'udp' && range.family === 'ipv4')!;
    assert.equal(udp4.judgedBy, 'range');
    assert.equal(udp4.verdict, 'exhausted');
    assert.equal(result.culprits[0]!.ephemeralPorts, 290);
  });

  it('listening sockets and ports outside the range are not ephemeral', () => {
    const endpoints = [tcp(40001, null, 'LISTEN', 10), tcp(39999, LISTENER, 'ESTABLISHED', 10), tcp(40300, LISTENER, 'ESTABLISHED', 10)];
    const result = diagnose(linux(endpoints));
    assert.equal(result.usage[0]!.inUse, 0);
    assert.deepEqual(result.culprits, []);
  });
});

describe('TIME_WAIT has no owner: inference', () => {
  it('attributes a TIME_WAIT pile to the one process with connections to that endpoint, marked inferred', () => {
    const endpoints = [
      tcp(5000, null, 'LISTEN', 20),
      ...connections(40000, 150, LISTENER, 'TIME_WAIT', null),
      tcp(40150, LISTENER, 'ESTABLISHED', 10),
    ];
    const result = diagnose(linux(endpoints));
    const culprit = result.culprits[0]!;
    assert.equal(culprit.pid, 10);
    assert.equal(culprit.timeWait, 150);
    assert.equal(culprit.inferredTimeWait, 150);
    assert.equal(culprit.ephemeralPorts, 151);
    assert.equal(result.timeWaitPiles[0]!.ownerPid, 10);
    assert.equal(result.timeWaitPiles[0]!.sockets, 150);
    assert.match(result.evidence.join('\n'), /150 sockets in TIME_WAIT toward 127\.0\.0\.1:5000.*likely owner PID 10 \(client\).*inferred/);
    assert.match(result.advice[0]!, /PID 10 \(client\): TIME_WAIT churn.*127\.0\.0\.1:5000.*inference/);
    assert.equal(result.unownedEphemeralPorts, 0);
  });

  it('names nobody when two processes hold connections to the endpoint', () => {
    const endpoints = [
      ...connections(40000, 150, LISTENER, 'TIME_WAIT', null),
      tcp(40150, LISTENER, 'ESTABLISHED', 10),
      tcp(40151, LISTENER, 'ESTABLISHED', 11),
    ];
    const result = diagnose(linux(endpoints, processes([10, 'a'], [11, 'b'])));
    assert.ok(result.culprits.every((c) => c.timeWait === 0 && c.inferredTimeWait === 0));
    assert.equal(result.timeWaitPiles[0]!.ownerPid, null);
    assert.match(result.timeWaitPiles[0]!.ownerReason, /several processes/);
    assert.equal(result.unownedEphemeralPorts, 150);
    assert.ok(!result.advice.some((line) => /TIME_WAIT churn/.test(line)));
  });

  it('names nobody when no process holds connections to it now', () => {
    const result = diagnose(linux(connections(40000, 150, LISTENER, 'TIME_WAIT', null)));
    assert.deepEqual(result.culprits, []);
    assert.match(result.timeWaitPiles[0]!.ownerReason, /no process/);
    assert.match(result.evidence.join('\n'), /150 ephemeral ports held by sockets no process owns now: 150 TIME_WAIT/);
  });

  it('server-side TIME_WAIT on a listening port goes to the listener', () => {
    const endpoints = [
      tcp(8080, null, 'LISTEN', 20, { localAddress: '0.0.0.0' }),
      ...Array.from({ length: 120 }, (_, i) => tcp(8080, ['10.9.9.9', 50000 + i], 'TIME_WAIT', null)),
    ];
    const result = diagnose(linux(endpoints));
    assert.equal(result.culprits[0]!.pid, 20);
    assert.equal(result.culprits[0]!.inferredTimeWait, 120);
    assert.equal(result.culprits[0]!.ephemeralPorts, 0, 'port 8080 is not in the range');
  });

  it('treats PID 0 (Windows shows TIME_WAIT under it) as no owner', () => {
    const endpoints = [...connections(40000, 150, LISTENER, 'TIME_WAIT', 0), tcp(40150, LISTENER, 'ESTABLISHED', 10)];
    const result = diagnose({ ...linux(endpoints), platform: 'windows' });
    assert.ok(!result.culprits.some((c) => c.pid === 0));
    assert.equal(result.culprits[0]!.pid, 10);
    assert.equal(result.culprits[0]!.inferredTimeWait, 150);
  });
});

describe('CLOSE_WAIT and handles', () => {
  it('names a server that leaks CLOSE_WAIT even though it holds no ephemeral port, and explains', () => {
    const endpoints = [
      tcp(5000, null, 'LISTEN', 20),
      ...Array.from({ length: 50 }, (_, i) => tcp(5000, ['127.0.0.1', 40000 + i], 'CLOSE_WAIT', 20)),
      ...connections(40000, 50, LISTENER, 'FIN_WAIT_2', null),
    ];
    const result = diagnose(linux(endpoints, processes([20, 'leaky-server'])));
    const server = result.culprits.find((c) => c.pid === 20)!;
    assert.equal(server.closeWait, 50);
    assert.equal(server.ephemeralPorts, 0);
    assert.match(result.evidence.join('\n'), /PID 20 \(leaky-server\) holds 50 sockets in CLOSE_WAIT/);
    assert.match(result.evidence.join('\n'), /50 FIN_WAIT_2 \(closed here, waiting for the peer to close its side\)/);
    assert.match(result.advice[0]!, /PID 20 \(leaky-server\): CLOSE_WAIT leak: 50 connections.*never closed its side/);
    assert.equal(result.verdict, 'ok', 'CLOSE_WAIT alone does not prove exhaustion');
  });

  it(`a few CLOSE_WAIT (under ${CLOSE_WAIT_NOTABLE}) are no pattern`, () => {
    const endpoints = Array.from({ length: CLOSE_WAIT_NOTABLE - 1 }, (_, i) => tcp(5000, ['127.0.0.1', 40000 + i], 'CLOSE_WAIT', 20));
    assert.deepEqual(diagnose(linux(endpoints)).advice, []);
  });

  it('applies the handle rule with its exemptions (Windows shapes)', () => {
    const endpoints = [tcp(49200, ['10.0.0.9', 443], 'ESTABLISHED', 7), tcp(49201, ['10.0.0.9', 443], 'ESTABLISHED', 8)];
    const result = diagnose({
      snapshot: snapshotOf(endpoints, processes([7, 'app.exe', 3500], [8, 'lsass.exe', 20_000])),
      ranges: windowsRanges(),
      events: null,
      platform: 'windows',
    });
    assert.equal(result.culprits.find((c) => c.pid === 7)!.handleSuspect, true);
    assert.equal(result.culprits.find((c) => c.pid === 8)!.handleSuspect, false);
    assert.match(result.evidence.join('\n'), /PID 7 \(app\.exe\) has 3500 handles, more than 3000/);
    assert.doesNotMatch(result.evidence.join('\n'), /lsass/);
  });

  it('says a process over 10,000 handles is the likely cause once connections fail', () => {
    const endpoints = connections(49152, 16_000, ['10.0.0.9', 443], 'ESTABLISHED', 7, '10.0.0.1');
    const result = diagnose({ snapshot: snapshotOf(endpoints, processes([7, 'app.exe', 16_500])), ranges: windowsRanges(), events: null, platform: 'windows' });
    assert.equal(result.verdict, 'exhausted');
    assert.match(result.evidence.join('\n'), /PID 7 \(app\.exe\) has 16500 handles, more than 10000: with connections already failing it is the likely cause/);
  });

  it(`BOUND under ${BOUND_NOTABLE} and TIME_WAIT under ${TIME_WAIT_NOTABLE} give no pattern advice`, () => {
    const endpoints = [
      ...Array.from({ length: BOUND_NOTABLE - 1 }, (_, i) => tcp(40000 + i, null, 'BOUND', 10)),
      ...connections(40100, TIME_WAIT_NOTABLE - 1, LISTENER, 'TIME_WAIT', null),
      tcp(40250, LISTENER, 'ESTABLISHED', 10),
    ];
    assert.deepEqual(diagnose(linux(endpoints)).advice, []);
  });
});

describe('Windows shapes (built in memory): judged globally per local address, Tcpip events', () => {
  function windows(endpoints: ReturnType<typeof tcp>[], events: ExhaustionEvents | null = null, ranges = windowsRanges(49152, 1000)): DiagnoseInput {
    return { snapshot: snapshotOf(endpoints, processes([10, 'client.exe'], [11, 'other.exe'])), ranges, events, platform: 'windows' };
  }

  it('ports spread over many destinations still exhaust one local address', () => {
    const endpoints = Array.from({ length: 960 }, (_, i) => tcp(49152 + i, [`10.0.${i % 200}.1`, 443], 'ESTABLISHED', 10, { localAddress: '10.0.0.1' }));
    const result = diagnose(windows(endpoints));
    const tcp4 = result.usage[0]!;
    assert.equal(tcp4.judgedBy, 'local-address');
    assert.deepEqual(tcp4.worstLocalAddress, { localAddress: '10.0.0.1', ports: 960, percent: 96 });
    assert.equal(result.verdict, 'exhausted');
    assert.match(result.evidence.join('\n'), /960 of 1000 ports in use on 10\.0\.0\.1 \(96%\).*one pool per local address/);
  });

  it('two local addresses each have their own pool', () => {
    const endpoints = [
      ...Array.from({ length: 500 }, (_, i) => tcp(49152 + i, ['10.9.0.1', 443], 'ESTABLISHED', 10, { localAddress: '10.0.0.1' })),
      ...Array.from({ length: 500 }, (_, i) => tcp(49152 + i, ['10.9.0.1', 443], 'ESTABLISHED', 11, { localAddress: '10.0.0.2' })),
    ];
    const result = diagnose(windows(endpoints));
    assert.equal(result.usage[0]!.inUse, 500);
    assert.equal(result.usage[0]!.worstLocalAddress!.ports, 500);
    assert.equal(result.verdict, 'ok');
  });

  it('a port bound on the wildcard address is taken on every local address', () => {
    const endpoints = [
      ...Array.from({ length: 500 }, (_, i) => tcp(49152 + i, null, 'BOUND', 11, { localAddress: '0.0.0.0' })),
      ...Array.from({ length: 450 }, (_, i) => tcp(49652 + i, ['10.9.0.1', 443], 'ESTABLISHED', 10, { localAddress: '10.0.0.1' })),
    ];
    const result = diagnose(windows(endpoints));
    assert.deepEqual(result.usage[0]!.worstLocalAddress, { localAddress: '10.0.0.1', ports: 950, percent: 95 });
    assert.equal(result.verdict, 'exhausted');
  });

  it('events 4227 or 4231 in the window mean exhausted, whatever the sockets say', () => {
    for (const id of ['4227', '4231']) {
      const events: ExhaustionEvents = { since: '2025-01-01T00:00:00.000Z', counts: { '4227': 0, '4231': 0, '4266': 0, [id]: 3 }, latest: { [id]: '2025-01-01T00:30:00.000Z' } };
      const result = diagnose(windows([], events));
      assert.equal(result.verdict, 'exhausted', id);
      assert.deepEqual(result.events, events);
      assert.match(result.evidence[0]!, new RegExp(`Tcpip event ${id} logged 3 times since 2025-01-01T00:00:00.000Z \\(latest 2025-01-01T00:30:00.000Z\\)`));
      assert.ok(result.stopGap, 'a stop-gap is offered');
    }
  });

  it('no events is evidence too; 4266 (UDP, unconfirmed) only warns', () => {
    const none: ExhaustionEvents = { since: '2025-01-01T00:00:00.000Z', counts: { '4227': 0, '4231': 0, '4266': 0 }, latest: {} };
    const quiet = diagnose(windows([], none));
    assert.equal(quiet.verdict, 'ok');
    assert.match(quiet.evidence[0]!, /no Tcpip event 4227, 4231 or 4266/);
    const udpOnly = diagnose(windows([], { ...none, counts: { ...none.counts, '4266': 1 } }));
    assert.equal(udpOnly.verdict, 'warning');
  });

  it('the stop-gap names the one exhausted range when Windows ranges differ', () => {
    const ranges = [makeRange('tcp', 'ipv4', 49152, 1000), makeRange('tcp', 'ipv6', 49152, 16384), makeRange('udp', 'ipv4', 49152, 16384), makeRange('udp', 'ipv6', 49152, 16384)];
    const endpoints = Array.from({ length: 990 }, (_, i) => tcp(49152 + i, ['10.0.0.9', 443], 'ESTABLISHED', 10, { localAddress: '10.0.0.1' }));
    const result = diagnose(windows(endpoints, null, ranges));
    assert.equal(result.stopGap!.command, 'porttop range set --start 49152 --num 16384 --proto tcp --family ipv4');
    assert.equal(result.stopGap!.undo, 'porttop range set --start 49152 --num 1000 --proto tcp --family ipv4');
  });
});

describe('advice', () => {
  it('comes in order: culprit and pattern, then the exact stop-gap command, then the warning that it is temporary; never reboot', () => {
    const endpoints = [
      ...connections(40000, 200, LISTENER, 'TIME_WAIT', null),
      ...connections(40200, 100, LISTENER, 'ESTABLISHED', 10),
    ];
    const result = diagnose(linux(endpoints));
    assert.equal(result.verdict, 'exhausted');
    assert.equal(result.advice.length, 3, result.advice.join('\n'));
    assert.match(result.advice[0]!, /^PID 10 \(client\): TIME_WAIT churn/);
    const command = commandIn(result.advice[1]!);
    assert.ok(command, result.advice[1]);
    assert.match(result.advice[1]!, /^Stop-gap: widen the dynamic range/);
    assert.deepEqual(parseSetCommand(command), { start: 32768, count: 28232 }, 'a range smaller than the default goes back to it');
    assert.match(result.advice[1]!, /undo with `porttop range set --start 40000 --num 300`/);
    assert.match(result.advice[2]!, /temporary/);
    for (const line of [...result.advice, ...result.evidence]) assert.doesNotMatch(line, /reboot/i);
  });

  it('pools and destinations for a process that simply holds too many connections', () => {
    const result = diagnose(linux(connections(40000, 300, LISTENER, 'ESTABLISHED', 10)));
    assert.match(result.advice[0]!, /PID 10 \(client\) holds 300 ephemeral ports with 300 connections open to 127\.0\.0\.1:5000: cap its connection pool/);
  });

  it('suggests commands that `porttop range set` accepts, wherever the range sits', () => {
    const cases: [number, number, 'linux' | 'windows'][] = [
      [40000, 300, 'linux'], [32768, 28232, 'linux'], [49152, 16384, 'windows'], [65000, 536, 'windows'],
      [1025, 255, 'linux'], [9000, 40000, 'windows'], [20000, 30000, 'linux'],
    ];
    for (const [start, count, platform] of cases) {
      const suggestion = suggestRange(makeRange('tcp', 'ipv4', start, count), platform);
      assert.ok(suggestion, `${start}/${count}`);
      assert.deepEqual(parseRangeValues(suggestion.start, suggestion.count), suggestion);
      assert.ok(suggestion.count > count, `${start}/${count} grows`);
      assert.ok(suggestion.start + suggestion.count - 1 <= 65535);
    }
    const doubled = suggestRange(makeRange('tcp', 'ipv4', 49152, 16384), 'windows')!;
    assert.deepEqual(doubled, { start: 32768, count: 32768 });
    const capped = suggestRange(makeRange('tcp', 'ipv4', 32768, 28232), 'linux')!;
    assert.equal(capped.start, PREFERRED_LOWEST_START, 'does not reach below 10000 for a range that does not');
  });

  it('says "run as root" with the stop-gap only when porttop is not already root', () => {
    const full = connections(40000, 300, LISTENER, 'ESTABLISHED', 10);
    const stopGap = (elevated: boolean) => diagnose({ ...linux(full), elevated }).advice.find((line) => line.startsWith('Stop-gap'))!;
    assert.match(stopGap(false), /\(run as root; undo with `/);
    assert.match(stopGap(true), /\(undo with `/);
    assert.doesNotMatch(stopGap(true), /run as root/);
  });

  it('says plainly when the range cannot grow', () => {
    assert.equal(suggestRange(makeRange('tcp', 'ipv4', 1025, 64511), 'linux'), null);
    assert.equal(suggestRange(makeRange('tcp', 'ipv4', PREFERRED_LOWEST_START, 65536 - PREFERRED_LOWEST_START), 'windows'), null, 'would reach below 10000');
    const endpoints = connections(1025, 64511, ['10.0.0.9', 443], 'ESTABLISHED', 10);
    const result = diagnose({ ...linux(endpoints), ranges: linuxRanges(1025, 64511) });
    assert.equal(result.stopGap, null);
    assert.ok(result.advice.some((line) => /already as wide/.test(line)));
  });

  it('passes the snapshot warnings on as evidence', () => {
    const input = linux([]);
    input.snapshot.warnings.push('owners of 12 sockets hidden: run as root to see every process');
    assert.ok(diagnose(input).evidence.includes('note: owners of 12 sockets hidden: run as root to see every process'));
  });
});

describe('culprits', () => {
  it('are ranked by ephemeral ports held, then by leaks that hold none', () => {
    const endpoints = [
      ...connections(40000, 5, LISTENER, 'ESTABLISHED', 11),
      ...connections(40010, 20, ['10.0.0.9', 80], 'ESTABLISHED', 12),
      ...Array.from({ length: 30 }, (_, i) => tcp(5000, ['127.0.0.1', 41000 + i], 'CLOSE_WAIT', 13)),
      tcp(6000, null, 'LISTEN', 14),
    ];
    const result = diagnose(linux(endpoints, processes([11, 'a'], [12, 'b'], [13, 'c'], [14, 'd']), 40000, 1000));
    assert.deepEqual(result.culprits.map((c) => c.pid), [12, 11, 13]);
    assert.deepEqual(result.culprits[0]!.topDestination, { remoteAddress: '10.0.0.9', remotePort: 80, sockets: 20 });
    assert.equal(result.culprits[0]!.processName, 'b');
  });

  it('count a port once per range even with several sockets on it', () => {
    const endpoints = [tcp(40000, ['10.0.0.1', 80], 'ESTABLISHED', 10), tcp(40000, ['10.0.0.2', 80], 'ESTABLISHED', 10)];
    const result = diagnose(linux(endpoints));
    assert.equal(result.culprits[0]!.ephemeralPorts, 1);
    assert.equal(result.culprits[0]!.established, 2);
    assert.equal(result.usage[0]!.inUse, 1);
  });

  it('show a process whose name is unknown as ?', () => {
    const result = diagnose(linux(connections(40000, 3, LISTENER, 'ESTABLISHED', 99), new Map()));
    assert.equal(result.culprits[0]!.processName, '?');
    assert.equal(result.culprits[0]!.handles, null);
  });

  it('IPv6 ranges are judged on their own', () => {
    const endpoints = Array.from({ length: 290 }, (_, i) => tcp(40000 + i, ['::1', 5000], 'ESTABLISHED', 10, { family: 'ipv6' }));
    const result = diagnose(linux(endpoints));
    const tcp6 = result.usage.find((range) => range.protocol === 'tcp' && range.family === 'ipv6')!;
    assert.deepEqual(tcp6.worstDestination, { remoteAddress: '::1', remotePort: 5000, ports: 290, percent: 96.7 });
    assert.equal(tcp6.verdict, 'exhausted');
    assert.equal(result.usage[0]!.verdict, 'ok');
    assert.match(result.evidence.join('\n'), /\[::1\]:5000/);
  });
});

/** The header's line: the verdict's word, then its details. */
function verdictLine(diagnosis: Diagnosis): string {
  return [VERDICT_LABELS[diagnosis.verdict], ...verdictDetails(diagnosis)].join(' · ');
}

describe('the verdict line (the terminal view header)', () => {
  it('says the verdict, the deciding range and the top culprit in words', () => {
    const exhausted = diagnose(linux(connections(40000, 300, LISTENER, 'ESTABLISHED', 10)));
    assert.equal(verdictLine(exhausted), 'EXHAUSTED · tcp/ipv4 300/300 ports toward 127.0.0.1:5000 (100%) · top PID 10 client 300 ports');
    assert.equal(verdictLine(diagnose(linux([]))), 'OK · tcp/ipv4 0/300 ports (0%)');
  });

  it('counts Windows events', () => {
    const events: ExhaustionEvents = { since: '2025-01-01T00:00:00.000Z', counts: { '4227': 2, '4231': 1 }, latest: {} };
    const result = diagnose({ snapshot: snapshotOf([], processes()), ranges: windowsRanges(), events, platform: 'windows' });
    assert.equal(verdictLine(result), 'EXHAUSTED · tcp/ipv4 0/16384 ports (0%) · 3 Tcpip 4227/4231 events');
  });
});
