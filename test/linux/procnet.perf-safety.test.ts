// The faster /proc/net parser must read every text exactly as the original did. The original is kept
// below, verbatim, as the reference; both run on captured tables (test/fixtures/perf-safety, taken
// from a network namespace with listeners, ESTABLISHED, TIME_WAIT, IPv4-mapped and UDP sockets), on
// crafted odd lines, and on many generated lines, well-formed and not.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Family, Protocol, TcpState } from '../../src/core/model.js';
import { decodeAddress, parseProcNet, type ProcEndpoint, type ProcNetSource } from '../../src/linux/procnet.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/perf-safety/${name}`, import.meta.url), 'latin1');

// ---- the parser as it was before the speed work (src/linux/procnet.ts at d5ef8c2) ----
const REFERENCE_STATES: Record<string, TcpState> = {
  '01': 'ESTABLISHED', '02': 'SYN_SENT', '03': 'SYN_RECEIVED', '04': 'FIN_WAIT_1', '05': 'FIN_WAIT_2', '06': 'TIME_WAIT',
  '07': 'CLOSED', '08': 'CLOSE_WAIT', '09': 'LAST_ACK', '0A': 'LISTEN', '0B': 'CLOSING', '0C': 'SYN_RECEIVED',
};

function referenceParse(source: ProcNetSource, littleEndian = true): ProcEndpoint[] {
  const into: ProcEndpoint[] = [];
  const { protocol, family, text } = source;
  const addressLength = family === 'ipv4' ? 8 : 32;
  let lineStart = text.indexOf('\n') + 1;
  while (lineStart > 0 && lineStart < text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd === -1) lineEnd = text.length;
    const colon = text.indexOf(':', lineStart);
    if (colon === -1 || colon > lineEnd) break;
    const local = colon + 2;
    const localPortAt = local + addressLength + 1;
    const remote = localPortAt + 5;
    const remotePortAt = remote + addressLength + 1;
    const stateAt = remotePortAt + 5;
    const localPort = parseInt(text.slice(localPortAt, localPortAt + 4), 16);
    const remotePort = parseInt(text.slice(remotePortAt, remotePortAt + 4), 16);
    const kernelState = text.slice(stateAt, stateAt + 2);
    const localAddress = decodeAddress(text.slice(local, local + addressLength), littleEndian);
    const remoteAddress = decodeAddress(text.slice(remote, remote + addressLength), littleEndian);
    const inode = referenceTokenAt(text, stateAt + 3, lineEnd, 5);
    let state: TcpState | null = null;
    if (protocol === 'tcp') {
      state = REFERENCE_STATES[kernelState] ?? 'CLOSED';
      if (state === 'CLOSED' && localPort !== 0) state = 'BOUND';
    }
    const hasPeer = remotePort !== 0;
    into.push({
      protocol, family, localAddress, localPort,
      remoteAddress: hasPeer ? remoteAddress : null, remotePort: hasPeer ? remotePort : null,
      state, pid: null, holders: [], inode: Number(inode),
    });
    lineStart = lineEnd + 1;
  }
  return into;
}

function referenceTokenAt(text: string, from: number, end: number, n: number): string {
  let index = from;
  for (let token = 0; index < end; token++) {
    while (index < end && text.charCodeAt(index) === 32) index++;
    const start = index;
    while (index < end && text.charCodeAt(index) !== 32) index++;
    if (token === n) return text.slice(start, index);
  }
  return '0';
}
// ---- end of the reference ----

const TABLES: { file: string; protocol: Protocol; family: Family }[] = [
  { file: 'proc-net-tcp.txt', protocol: 'tcp', family: 'ipv4' },
  { file: 'proc-net-tcp6.txt', protocol: 'tcp', family: 'ipv6' },
  { file: 'proc-net-udp.txt', protocol: 'udp', family: 'ipv4' },
  { file: 'proc-net-udp6.txt', protocol: 'udp', family: 'ipv6' },
];

/** Same as the reference, with NaN compared as equal to NaN (deepEqual does that already). */
function assertSameAsReference(source: ProcNetSource, littleEndian = true): ProcEndpoint[] {
  const expected = referenceParse(source, littleEndian);
  const actual = parseProcNet(source, { littleEndian });
  assert.deepEqual(actual, expected);
  // key order matters to anyone who prints an endpoint as it is
  for (const [index, endpoint] of actual.entries()) assert.deepEqual(Object.keys(endpoint), Object.keys(expected[index]!));
  return actual;
}

const HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
const HEADER6 = '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';

describe('parseProcNet (fast) reads text exactly as the original parser', () => {
  for (const table of TABLES) {
    it(`captured ${table.file}: same endpoints, both byte orders`, () => {
      const source = { protocol: table.protocol, family: table.family, text: fixture(table.file) };
      const endpoints = assertSameAsReference(source, true);
      assert.ok(endpoints.length > 0, 'the fixture has lines');
      assertSameAsReference(source, false);
    });
  }

  it('captured tables: the values a user sees (listener, TIME_WAIT without inode, mapped IPv4, UDP)', () => {
    const tcp = parseProcNet({ protocol: 'tcp', family: 'ipv4', text: fixture('proc-net-tcp.txt') });
    assert.deepEqual(tcp[0], {
      protocol: 'tcp', family: 'ipv4', localAddress: '127.0.0.1', localPort: 0xb36d, remoteAddress: null, remotePort: null,
      state: 'LISTEN', pid: null, holders: [], inode: 25716,
    });
    const timeWait = tcp.find((endpoint) => endpoint.state === 'TIME_WAIT')!;
    assert.equal(timeWait.inode, 0);
    assert.equal(timeWait.localPort, 0x9e22);
    assert.equal(timeWait.remotePort, 0x9c39);
    assert.equal(timeWait.remoteAddress, '127.0.0.1');
    const tcp6 = parseProcNet({ protocol: 'tcp', family: 'ipv6', text: fixture('proc-net-tcp6.txt') });
    const mapped = tcp6.find((endpoint) => endpoint.localPort === 0x8135 && endpoint.remotePort !== null)!;
    assert.equal(mapped.localAddress, '127.0.0.1');
    assert.equal(mapped.remoteAddress, '127.0.0.1');
    assert.equal(mapped.state, 'ESTABLISHED');
    assert.equal(tcp6[0]!.localAddress, '::1');
    const udp6 = parseProcNet({ protocol: 'udp', family: 'ipv6', text: fixture('proc-net-udp6.txt') });
    assert.deepEqual(udp6.map((endpoint) => [endpoint.localAddress, endpoint.state, endpoint.inode]), [
      ['127.0.0.1', null, 124281],
      ['::1', null, 124280],
    ]);
  });

  it('crafted odd lines: lower-case hex, unknown states, odd inode tokens, short and blank lines', () => {
    const lines = [
      '   0: 0100007f:1f90 00000000:0000 0a 00000000:00000000 00:00000000 00000000  1000        0 100 1 0 100 0 0 10 0', // lower case
      '   1: 0100007F:1F91 00000000:0000 0D 00000000:00000000 00:00000000 00000000  1000        0 101 1 0', // unknown state
      '   2: 0100007F:0000 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 102 1 0', // CLOSE, port 0
      '   3: 0100007F:1F92 00000000:0000 ZZ 00000000:00000000 00:00000000 00000000  1000        0 103 1 0', // garbage state
      '   4: 0100007F:1F93 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 12345678901234567890 1 0', // huge inode
      '   5: 0100007F:1F94 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 12x4 1 0', // not a number
      '   6: 0100007F:1F95 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0', // no inode
      '   7: 0100007F:1F96 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0   ', // trailing spaces
      '   8: 0100007F:1G97 0100007F: x01 01 00000000:00000000 00:00000000 00000000  1000        0 108 1 0', // bad hex ports
      '   9: 0100007F:1F98 00000000:0000 0A 00000000:00000000\t00:00000000 00000000  1000  0 109 1 0', // a tab
      '  10: 0100007F:1F99 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 0000110 1 0', // leading zeros
      '  11: 0100007F:1F9A 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 999999999999999 1', // 15 digits
      '  12: 0100007F:1F9B 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 9999999999999999 1', // 16 digits
      '  16: 0100007F:1F9E 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 59016694906641781 1', // 17 digits
      '  13: 0100007F', // short line: fields run into the next line, as the original read them
      '  14: 0100007F:1F9C 0100007F:0050 01 00000000:00000000 00:00000000 00000000  1000        0 114',
      '',
      '  15: 0100007F:1F9D 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 115 1 0',
    ];
    const text = `${HEADER}${lines.join('\n')}\n`;
    for (const protocol of ['tcp', 'udp'] as const) {
      const endpoints = assertSameAsReference({ protocol, family: 'ipv4', text });
      assert.ok(endpoints.length >= 14);
    }
    const endpoints = parseProcNet({ protocol: 'tcp', family: 'ipv4', text });
    // '0a' (lower case), '0D' and 'ZZ' are no kernel state: CLOSED, which a non-zero port makes BOUND
    assert.deepEqual(endpoints.slice(0, 4).map((endpoint) => [endpoint.localPort, endpoint.state]), [
      [8080, 'BOUND'],
      [8081, 'BOUND'],
      [0, 'CLOSED'],
      [8082, 'BOUND'],
    ]);
    assert.equal(endpoints[4]!.inode, Number('12345678901234567890'));
    assert.ok(Number.isNaN(endpoints[5]!.inode));
    assert.equal(endpoints[6]!.inode, 0);
    assert.equal(endpoints[7]!.inode, 0);
    assert.equal(endpoints[10]!.inode, 110);
    assert.equal(endpoints[11]!.inode, 999999999999999);
    assert.equal(endpoints[12]!.inode, 9999999999999999);
    // digit by digit this would round to ...780; Number() rounds correctly
    assert.equal(endpoints[13]!.inode, 59016694906641784);
  });

  it('an empty table, a header alone, and text without a newline give no endpoints', () => {
    for (const text of ['', HEADER, HEADER.trimEnd(), `${HEADER}\n`]) {
      assert.deepEqual(parseProcNet({ protocol: 'tcp', family: 'ipv4', text }), referenceParse({ protocol: 'tcp', family: 'ipv4', text }));
    }
  });

  it('generated tables: 4000 random lines per family, well-formed and damaged, read the same', () => {
    const random = seededRandom(20251126);
    for (const family of ['ipv4', 'ipv6'] as const) {
      const lines: string[] = [];
      for (let slot = 0; slot < 4000; slot++) lines.push(randomLine(random, slot, family));
      const text = (family === 'ipv4' ? HEADER : HEADER6) + lines.join('\n') + '\n';
      for (const protocol of ['tcp', 'udp'] as const) {
        assertSameAsReference({ protocol, family, text }, true);
        assertSameAsReference({ protocol, family, text }, false);
      }
    }
  });
});

describe('parseProcNet with localPorts keeps exactly the lines on those ports', () => {
  it('equals parsing everything and filtering afterwards', () => {
    const random = seededRandom(7);
    for (const table of TABLES) {
      const text = fixture(table.file);
      const all = parseProcNet({ protocol: table.protocol, family: table.family, text });
      const ports = new Set(all.filter(() => random() < 0.5).map((endpoint) => endpoint.localPort));
      ports.add(1); // a port nothing uses
      const filtered = parseProcNet({ protocol: table.protocol, family: table.family, text }, { localPorts: ports });
      assert.deepEqual(filtered, all.filter((endpoint) => ports.has(endpoint.localPort)));
    }
    const none = parseProcNet({ protocol: 'tcp', family: 'ipv4', text: fixture('proc-net-tcp.txt') }, { localPorts: new Set([1]) });
    assert.deepEqual(none, []);
  });

  it('appends to the array it is given, after what is already there', () => {
    const into: ProcEndpoint[] = [];
    parseProcNet({ protocol: 'tcp', family: 'ipv4', text: fixture('proc-net-tcp.txt') }, { into });
    const before = into.length;
    parseProcNet({ protocol: 'udp', family: 'ipv6', text: fixture('proc-net-udp6.txt') }, { into, localPorts: new Set([0x871a]) });
    assert.equal(into.length, before + 1);
    assert.equal(into[before]!.localAddress, '::1');
    assert.equal(into[before]!.state, null);
  });
});

function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomLine(random: () => number, slot: number, family: Family): string {
  const hex = (digits: number, lower = false) => {
    let text = '';
    for (let i = 0; i < digits; i++) text += Math.floor(random() * 16).toString(16);
    return lower ? text : text.toUpperCase();
  };
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
  const addressDigits = family === 'ipv4' ? 8 : 32;
  const address = () =>
    pick([
      () => hex(addressDigits),
      () => (family === 'ipv4' ? '0100007F' : '00000000000000000000000001000000'),
      () => (family === 'ipv4' ? '00000000' : '0000000000000000FFFF00000100007F'),
      () => hex(addressDigits, true),
    ])();
  const port = () => pick([() => hex(4), () => '0000', () => hex(4, true), () => 'ZZ' + hex(2), () => ' ' + hex(3)])();
  const state = pick(['01', '02', '06', '07', '08', '0A', '0B', '0C', '0D', '0a', '10', 'X1']);
  const inode = pick([() => String(Math.floor(random() * 1e9)), () => '0', () => '', () => 'abc', () => String(Math.floor(random() * 1e6)) + '7'.repeat(12)])();
  let line = `${String(slot).padStart(4)}: ${address()}:${port()} ${address()}:${port()} ${state} 00000000:00000000 00:00000000 00000000  1000        0 ${inode} 1 0000000000000000 100 0 0 10 0`;
  const damage = random();
  if (damage < 0.03) line = line.slice(0, Math.floor(random() * line.length)); // cut short
  else if (damage < 0.05) line = line.replace(/ +/g, (spaces) => (random() < 0.2 ? '\t' : spaces)); // tabs
  return line;
}
