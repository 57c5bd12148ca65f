// A file that only ever gains whole lines (`watch --out`): every append starts on a fresh line (a
// previous run cut short by a full disk or a crash left its last line open), a write that fails is
// truncated back so no half line stays, and a full disk is one sentence, not a stack trace.
import { closeSync, existsSync, fstatSync, ftruncateSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { BackendError, UsageError } from '../errors.js';

/** How much of the file's start is read to find its first line (a CSV header). */
const FIRST_LINE_BYTES = 64 * 1024;

export class LineFile {
  private size: number;
  /** the file ends inside a line: the next append begins with the missing newline */
  private openLine: boolean;

  private constructor(
    readonly path: string,
    private readonly fd: number,
    /** the file did not exist before: a failed first write removes it again */
    private readonly created: boolean,
  ) {
    this.size = fstatSync(fd).size;
    this.openLine = this.size > 0 && this.byteAt(this.size - 1) !== 0x0a;
  }

  /** Opens (creating it if needed) for appending; a missing directory or no permission is a usage error. */
  static open(path: string): LineFile {
    const created = !existsSync(path);
    let fd: number;
    try {
      fd = openSync(path, 'a+');
    } catch (error) {
      throw new UsageError(`cannot write --out '${path}': ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
    return new LineFile(path, fd, created);
  }

  get isEmpty(): boolean {
    return this.size === 0;
  }

  firstLine(): string {
    const buffer = Buffer.alloc(Math.min(FIRST_LINE_BYTES, this.size));
    const read = readSync(this.fd, buffer, 0, buffer.length, 0);
    const text = buffer.subarray(0, read).toString('utf8');
    const end = text.indexOf('\n');
    return end === -1 ? text : text.slice(0, end);
  }

  /** Appends whole lines (text ends with a newline), all or nothing. */
  append(lines: string): void {
    const bytes = Buffer.from(this.openLine ? `\n${lines}` : lines, 'utf8');
    const before = this.size;
    try {
      for (let written = 0; written < bytes.length; ) written += writeSync(this.fd, bytes, written, bytes.length - written);
    } catch (error) {
      this.undo(before);
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'ENOSPC' ? 'the disk is full (ENOSPC)' : code === 'EDQUOT' ? 'the disk quota is used up (EDQUOT)' : (code ?? String(error));
      throw new BackendError(`cannot append to --out '${this.path}': ${why}; every earlier line is intact`);
    }
    this.size = before + bytes.length;
    this.openLine = false;
  }

  close(): void {
    closeSync(this.fd);
  }

  /** Back to `size` bytes; a file this run created and could not write a line to is removed. */
  private undo(size: number): void {
    try {
      ftruncateSync(this.fd, size);
      if (size === 0 && this.created) unlinkSync(this.path);
    } catch {
      // the write error is the one worth reporting
    }
  }

  private byteAt(position: number): number {
    const byte = Buffer.alloc(1);
    readSync(this.fd, byte, 0, 1, position);
    return byte[0]!;
  }
}
