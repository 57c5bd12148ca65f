// Input validation: every bad value becomes one UsageError line naming it and what is allowed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  parseFamilies, parsePortSpan, parsePortSpans, parseProtocols, parseRangeValues, parseSeconds, parseSignal,
  portInSpans, portsOfSpans,
} from '../../src/core/validate.js';
import { UsageError } from '../../src/errors.js';

function rejects(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${String(error)}`);
    assert.equal(error.exitCode, 2);
    assert.ok(!error.message.includes('\n'), 'one line');
    assert.match(error.message, pattern);
    return true;
  });
}

describe('ports', () => {
  it('accepts single ports and inclusive ranges', () => {
    assert.deepEqual(parsePortSpan('8080'), { from: 8080, to: 8080 });
    assert.deepEqual(parsePortSpan(' 1 '), { from: 1, to: 1 });
    assert.deepEqual(parsePortSpan('8000-8099'), { from: 8000, to: 8099 });
    assert.deepEqual(parsePortSpan('65535'), { from: 65535, to: 65535 });
  });

  it('names the bad value and the allowed values', () => {
    for (const bad of ['0', '65536', '-1', 'abc', '', '80.5', '0x50', '1e3', '8080-', '-8080', '99999999999999999999']) {
      rejects(() => parsePortSpan(bad), new RegExp(`'${bad.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}'.*1 to 65535`));
    }
    rejects(() => parsePortSpan('9000-8000'), /'9000-8000'.*first port must not be greater/);
    rejects(() => parsePortSpans([]), /no port given/);
  });

  it('matches ports exactly: 80 is not 8080', () => {
    const spans = parsePortSpans(['80', '1808']);
    assert.equal(portInSpans(80, spans), true);
    assert.equal(portInSpans(8080, spans), false);
    assert.equal(portInSpans(18080, spans), false);
    assert.deepEqual([...portsOfSpans(parsePortSpans(['10-12', '11']))], [10, 11, 12]);
  });
});

describe('dynamic range values follow netsh', () => {
  it('accepts the limits exactly', () => {
    assert.deepEqual(parseRangeValues('1025', '255'), { start: 1025, count: 255 });
    assert.deepEqual(parseRangeValues('10000', '1000'), { start: 10000, count: 1000 });
    assert.deepEqual(parseRangeValues('65281', '255'), { start: 65281, count: 255 });
    assert.deepEqual(parseRangeValues('1025', '64511'), { start: 1025, count: 64511 });
  });

  it('refuses what netsh refuses, naming the value', () => {
    rejects(() => parseRangeValues('1024', '1000'), /--start '1024'.*1025/);
    rejects(() => parseRangeValues('abc', '1000'), /--start 'abc'/);
    rejects(() => parseRangeValues('', '1000'), /--start ''/);
    rejects(() => parseRangeValues('10000', '254'), /--num '254'.*at least 255/);
    rejects(() => parseRangeValues('10000', '-5'), /--num '-5'/);
    rejects(() => parseRangeValues('65000', '1000'), /end at 65999, past 65535/);
    rejects(() => parseRangeValues('65282', '255'), /end at 65536/);
  });
});

describe('other options', () => {
  it('protocols, families, signals and seconds', () => {
    assert.deepEqual(parseProtocols('all'), ['tcp', 'udp']);
    assert.deepEqual(parseProtocols('UDP'), ['udp']);
    rejects(() => parseProtocols('sctp'), /--proto 'sctp'.*tcp, udp or all/);
    assert.deepEqual(parseFamilies('ipv6'), ['ipv6']);
    rejects(() => parseFamilies('ipx'), /--family 'ipx'/);
    assert.equal(parseSignal('term'), 'SIGTERM');
    assert.equal(parseSignal('SIGKILL'), 'SIGKILL');
    rejects(() => parseSignal('SIGFOO'), /--signal 'SIGFOO'.*TERM.*15/);
    assert.equal(parseSeconds('0.5', '--timeout', 0, 600), 0.5);
    rejects(() => parseSeconds('-1', '--timeout', 0, 600), /--timeout '-1'.*0 to 600/);
    rejects(() => parseSeconds('soon', '--timeout', 0, 600), /--timeout 'soon'/);
  });
});
