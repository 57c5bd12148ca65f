// /proc/<pid>/stat and friends, including process names with spaces and parentheses.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseBootTime, parseCmdline, parsePidStat, parsePortRangeSysctl, startTimeIso } from '../../src/linux/procpid.js';

const TAIL = 'S 5079 5079 1073 0 -1 4194304 140 0 0 0 0 0 0 0 20 0 1 0 31821 2990080 413 18446744073709551615 0 0 0';

describe('parsePidStat', () => {
  it('reads name, state, parent and start ticks of a plain process', () => {
    assert.deepEqual(parsePidStat(`5083 (sleep) ${TAIL}`), { name: 'sleep', state: 'S', parentPid: 5079, session: 1073, startTicks: 31821, numThreads: 1 });
  });

  it('keeps parentheses that belong to the name: (sd-pam)', () => {
    assert.equal(parsePidStat(`977 ((sd-pam)) ${TAIL}`)?.name, '(sd-pam)');
  });

  it('splits on the last ") " so `a b) c` parses', () => {
    const stat = parsePidStat(`42 (a b) c) ${TAIL}`);
    assert.equal(stat?.name, 'a b) c');
    assert.equal(stat?.startTicks, 31821);
  });

  it('rejects text that is not a stat line', () => {
    assert.equal(parsePidStat(''), null);
    assert.equal(parsePidStat('42 no parens here'), null);
  });
});

describe('other /proc text', () => {
  it('joins NUL-separated argv', () => {
    assert.equal(parseCmdline('node\0server.js\0--port\x008080\0'), 'node server.js --port 8080');
    assert.equal(parseCmdline(''), '');
  });

  it('finds btime in /proc/stat', () => {
    assert.equal(parseBootTime('cpu  1 2 3\nintr 5\nbtime 1764130000\nprocesses 9\n'), 1764130000);
    assert.equal(parseBootTime('cpu 1\n'), null);
  });

  it('turns boot time plus ticks into an ISO time at 10 ms resolution', () => {
    assert.equal(startTimeIso(1_764_130_000, 31_821), '2025-11-26T04:11:58.210Z');
  });

  it('reads the port range sysctl with a tab or spaces', () => {
    assert.deepEqual(parsePortRangeSysctl('32768\t60999\n'), { start: 32768, end: 60999 });
    assert.deepEqual(parsePortRangeSysctl('10000 10999'), { start: 10000, end: 10999 });
    assert.equal(parsePortRangeSysctl('garbage'), null);
  });
});
