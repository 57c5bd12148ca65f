// Reading a /proc/net table in pieces of complete rows gives exactly the rows of the whole text, for
// tables many pieces long, rows cut by a read, and the stop at the first row that is not LISTEN.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseProcNet, type ProcEndpoint } from '../../src/linux/procnet.js';
import { readProcTable, TABLE_PIECE_BYTES } from '../../src/linux/tableReader.js';
import { EventLoopYielder } from '../../src/linux/yielder.js';

const HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
const hex4 = (value: number) => value.toString(16).toUpperCase().padStart(4, '0');
const row = (slot: number, port: number, state: string, inode: number) =>
  `${String(slot).padStart(4)}: 0100007F:${hex4(port)} ${state === '0A' ? '00000000:0000' : `0100007F:${hex4(40_000 + (slot % 20_000))}`} ${state} 00000000:00000000 00:00000000 00000000  1000        0 ${inode} 1 0000000000000000 100 0 0 10 0\n`;

describe('readProcTable', () => {
  const dir = mkdtempSync(join(tmpdir(), 'porttop-table-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  // 300 listeners, then 8,000 connections: about 1.2 MB, ten pieces and more
  const rows = [...Array.from({ length: 300 }, (_, i) => row(i, 1_000 + i, '0A', 500_000 + i)), ...Array.from({ length: 8_000 }, (_, i) => row(300 + i, 8_080, '01', 600_000 + i))];
  const text = HEADER + rows.join('');
  const path = join(dir, 'tcp');
  writeFileSync(path, text, 'latin1');

  async function readPieces(listenersOf: 'ipv4' | null): Promise<{ endpoints: ProcEndpoint[]; pieces: number }> {
    const endpoints: ProcEndpoint[] = [];
    let pieces = 0;
    await readProcTable(
      path,
      (piece, header) => {
        pieces++;
        assert.ok(piece.endsWith('\n'), 'a piece ends at the end of a row');
        assert.equal(piece.startsWith('  sl'), header, 'only the first piece has the header');
        parseProcNet({ protocol: 'tcp', family: 'ipv4', text: piece, header }, { into: endpoints });
      },
      { yielder: new EventLoopYielder(), listenersOf },
    );
    return { endpoints, pieces };
  }

  it('gives exactly the rows of the whole table, piece by piece', async () => {
    assert.ok(text.length > 8 * TABLE_PIECE_BYTES);
    const { endpoints, pieces } = await readPieces(null);
    assert.ok(pieces >= 8, `${pieces} pieces`);
    assert.deepEqual(endpoints, parseProcNet({ protocol: 'tcp', family: 'ipv4', text }));
  });

  it('two reads at once do not share a buffer', async () => {
    const [first, second] = await Promise.all([readPieces(null), readPieces(null)]);
    assert.deepEqual(first.endpoints, second.endpoints);
    assert.equal(first.endpoints.length, 8_300);
  });

  it('with listenersOf, stops at the first row that is not LISTEN', async () => {
    const { endpoints } = await readPieces('ipv4');
    assert.equal(endpoints.length, 300);
    assert.ok(endpoints.every((endpoint) => endpoint.state === 'LISTEN'));
  });
});
