// The /proc/net parsers on captured and crafted text (test/fixtures/linux).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { decodeAddress, dedupeEndpoints, formatIpv6, parseProcNet, type ProcEndpoint } from '../../src/linux/procnet.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/linux/${name}`, import.meta.url), 'latin1');

describe('parseProcNet on captured /proc/net text', () => {
  it('reads a listener and an ESTABLISHED IPv4 connection with their inodes', () => {
    const endpoints = parseProcNet({ protocol: 'tcp', family: 'ipv4', text: fixture('proc-net-tcp.txt') });
    assert.equal(endpoints.length, 2);
    assert.deepEqual(endpoints[0], {
      protocol: 'tcp', family: 'ipv4', localAddress: '0.0.0.0', localPort: 2024, remoteAddress: null, remotePort: null,
      state: 'LISTEN', pid: null, holders: [], inode: 616,
    });
    assert.deepEqual(
      { ...endpoints[1] },
      { protocol: 'tcp', family: 'ipv4', localAddress: '127.0.0.1', localPort: 41562, remoteAddress: '127.0.0.1', remotePort: 33251, state: 'ESTABLISHED', pid: null, holders: [], inode: 9618 },
    );
  });

  it('shows IPv4-mapped IPv6 addresses as IPv4 and ::1 compressed', () => {
    const endpoints = parseProcNet({ protocol: 'tcp', family: 'ipv6', text: fixture('proc-net-tcp6.txt') });
    assert.equal(endpoints[0]!.localAddress, '::');
    assert.equal(endpoints[0]!.state, 'LISTEN');
    assert.equal(endpoints[1]!.localAddress, '::1');
    assert.equal(endpoints[3]!.localAddress, '127.0.0.1');
    assert.equal(endpoints[3]!.remoteAddress, '127.0.0.1');
    assert.equal(endpoints[3]!.family, 'ipv6');
  });

  it('reads UDP lines with a wide slot number and gives them no state', () => {
    const endpoints = parseProcNet({ protocol: 'udp', family: 'ipv6', text: fixture('proc-net-udp6.txt') });
    assert.equal(endpoints.length, 1);
    assert.equal(endpoints[0]!.state, null);
    assert.equal(endpoints[0]!.localAddress, '::1');
    assert.equal(endpoints[0]!.localPort, 0xcd2b);
    assert.equal(endpoints[0]!.remoteAddress, null);
    assert.equal(endpoints[0]!.inode, 9617);
  });

  it('maps TIME_WAIT (inode 0), BOUND (state 07 with a port), CLOSE_WAIT and a 5-digit slot', () => {
    const endpoints = parseProcNet({ protocol: 'tcp', family: 'ipv4', text: fixture('proc-net-tcp-crafted.txt') });
    assert.deepEqual(endpoints.map((e) => e.state), ['LISTEN', 'TIME_WAIT', 'BOUND', 'CLOSE_WAIT', 'ESTABLISHED']);
    assert.equal(endpoints[1]!.inode, 0);
    assert.equal(endpoints[1]!.localPort, 40000);
    assert.equal(endpoints[2]!.localPort, 45000);
    assert.equal(endpoints[2]!.remoteAddress, null);
    assert.equal(endpoints[4]!.localAddress, '192.168.1.1');
    assert.equal(endpoints[4]!.remoteAddress, '192.168.1.10');
    assert.equal(endpoints[4]!.remotePort, 443);
    assert.equal(endpoints[4]!.inode, 103);
  });

  it('decodes global and link-local IPv6 addresses', () => {
    const endpoints = parseProcNet({ protocol: 'tcp', family: 'ipv6', text: fixture('proc-net-tcp6-crafted.txt') });
    assert.equal(endpoints[0]!.localAddress, '2001:db8::1');
    assert.equal(endpoints[0]!.localPort, 80);
    assert.equal(endpoints[1]!.localAddress, 'fe80::2ff:feff:0:1');
    assert.equal(endpoints[1]!.remoteAddress, '2001:db8::2');
    assert.equal(endpoints[2]!.localAddress, '127.0.0.1');
    assert.equal(endpoints[3]!.state, 'TIME_WAIT');
    assert.equal(endpoints[3]!.inode, 0);
  });

  it('reads an empty table (header only) as no endpoints', () => {
    assert.deepEqual(parseProcNet({ protocol: 'tcp', family: 'ipv4', text: 'header\n' }), []);
    assert.deepEqual(parseProcNet({ protocol: 'tcp', family: 'ipv4', text: '' }), []);
  });
});

describe('address text', () => {
  it('decodes host-order words on little- and big-endian hosts', () => {
    assert.equal(decodeAddress('0100007F', true), '127.0.0.1');
    assert.equal(decodeAddress('7F000001', false), '127.0.0.1');
    assert.equal(decodeAddress('20010DB8000000000000000000000001', false), '2001:db8::1');
  });

  it('compresses the longest run of zero groups, the first when tied, never a single group', () => {
    assert.equal(formatIpv6([0, 0, 0, 0, 0, 0, 0, 0]), '::');
    assert.equal(formatIpv6([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1]), '2001:db8::1:0:0:1');
    assert.equal(formatIpv6([0x2001, 0xdb8, 0, 1, 1, 1, 1, 1]), '2001:db8:0:1:1:1:1:1');
    assert.equal(formatIpv6([0xfe80, 0, 0, 0, 0x2ff, 0xfeff, 0, 1]), 'fe80::2ff:feff:0:1');
  });
});

describe('dedupeEndpoints', () => {
  const row = (inode: number, localPort: number, state: 'LISTEN' | 'TIME_WAIT' | 'ESTABLISHED', remotePort: number | null = null): ProcEndpoint => ({
    protocol: 'tcp', family: 'ipv4', localAddress: '127.0.0.1', localPort, remoteAddress: remotePort === null ? null : '127.0.0.1',
    remotePort, state, pid: null, holders: [], inode,
  });

  it('keeps the first of rows with one inode, and of inode-less rows with one 4-tuple and state', () => {
    const rows = [
      row(11, 8080, 'LISTEN'), row(12, 40000, 'ESTABLISHED', 8080), row(11, 8080, 'LISTEN'),
      row(0, 40001, 'TIME_WAIT', 8080), row(0, 40001, 'TIME_WAIT', 8080), row(0, 40002, 'TIME_WAIT', 8080),
      row(12, 40000, 'ESTABLISHED', 8080),
    ];
    const kept = dedupeEndpoints(rows);
    assert.deepEqual(kept.map((endpoint) => [endpoint.inode, endpoint.localPort]), [[11, 8080], [12, 40000], [0, 40001], [0, 40002]]);
  });

  it('keeps the accepted row of a TCP connection also listed while it waited in the accept queue (no inode)', () => {
    const queued = row(0, 8080, 'ESTABLISHED', 40003);
    const accepted = row(13, 8080, 'ESTABLISHED', 40003);
    assert.deepEqual(dedupeEndpoints([row(11, 8080, 'LISTEN'), queued, row(0, 40001, 'TIME_WAIT', 8080), accepted]).map((endpoint) => endpoint.inode), [11, 0, 13]);
    assert.deepEqual(dedupeEndpoints([accepted, queued]).map((endpoint) => endpoint.inode), [13]);
    // UDP sockets bound with SO_REUSEPORT share a 4-tuple and differ by inode: all stay
    const udp = (inode: number): ProcEndpoint => ({ ...row(inode, 5353, 'LISTEN'), protocol: 'udp', state: null });
    assert.deepEqual(dedupeEndpoints([udp(21), udp(22), udp(0)]).map((endpoint) => endpoint.inode), [21, 22, 0]);
  });
});
