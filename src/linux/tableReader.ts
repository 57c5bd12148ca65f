// Reads a /proc/net table in pieces of complete rows through one small buffer. A 30,000-socket
// table is 4.5 MB of text: read whole, it was an 8 MB buffer kept for the life of the process plus a
// 4.5 MB string per refresh in V8's large-object space, where it lived until the next full collection.
// A piece is a young string that dies at once.
import { closeSync, openSync, readSync } from 'node:fs';
import type { Family } from '../core/model.js';
import type { EventLoopYielder } from './yielder.js';

/**
 * Bytes per read: about 750 rows, a millisecond of the kernel's formatting. Each piece becomes one
 * string, kept under V8's large-object threshold (128 KiB) so that it is collected young.
 */
export const TABLE_PIECE_BYTES = 112 * 1024;

/** The rows of one piece as latin1 text; `header` when the piece starts with the table's header line. */
export type TablePiece = (text: string, header: boolean) => void;

export interface TableReadOptions {
  yielder: EventLoopYielder;
  /**
   * a TCP table's family: stop at the first row that is not LISTEN. The kernel lists every listening
   * socket before all others, so the rest (the bulk, on a busy server) is never formatted.
   */
  listenersOf?: Family | null;
}

/**
 * Hands every complete row of the table at `path` to `piece`, in order, a piece per read. The buffer is
 * the call's own (112 KiB, not zeroed): two snapshots running at once never share it.
 */
export async function readProcTable(path: string, piece: TablePiece, options: TableReadOptions): Promise<void> {
  let buffer = Buffer.allocUnsafe(TABLE_PIECE_BYTES);
  const fd = openSync(path, 'r');
  try {
    let length = 0;
    let header = true;
    for (;;) {
      // a row longer than the buffer (never printed by the kernel): grow rather than loop
      if (length === buffer.length) buffer = Buffer.concat([buffer, Buffer.allocUnsafe(buffer.length)]);
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      length += read;
      let done = read === 0;
      let end = done ? length : buffer.lastIndexOf(10, length - 1) + 1;
      if (options.listenersOf && end > 0) {
        const stop = endOfListeners(buffer, 0, end, options.listenersOf, header);
        if (stop.done) {
          end = stop.at;
          done = true;
        }
      }
      if (end > 0) {
        piece(buffer.toString('latin1', 0, end), header);
        header = false;
        buffer.copyWithin(0, end, length);
        length -= end;
      }
      if (done) return;
      await options.yielder.maybeYield();
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Walks the complete rows of a TCP table from `from` (a row start, or the header's when `header`) to
 * `to`: either the start of the first row that is not LISTEN (done), or where the walk stopped (the next
 * row start).
 */
export function endOfListeners(buffer: Buffer, from: number, to: number, family: Family, header = from === 0): { done: boolean; at: number } {
  const addressLength = family === 'ipv4' ? 8 : 32;
  let rowStart = from;
  if (header) {
    const headerEnd = buffer.indexOf(10, from);
    if (headerEnd === -1 || headerEnd >= to) return { done: false, at: from };
    rowStart = headerEnd + 1;
  }
  for (;;) {
    const rowEnd = buffer.indexOf(10, rowStart);
    if (rowEnd === -1 || rowEnd >= to) return { done: false, at: rowStart };
    const colon = buffer.indexOf(58, rowStart); // the ':' after the slot number
    // "sl: LOCAL:PORT REMOTE:PORT ST", as parseProcNet reads it
    const stateAt = colon + 2 + addressLength + 1 + 5 + addressLength + 1 + 5;
    if (colon === -1 || colon > rowEnd || buffer[stateAt] !== 0x30 || buffer[stateAt + 1] !== 0x41) return { done: true, at: rowStart };
    rowStart = rowEnd + 1;
  }
}
