// What a command handler may touch besides its arguments: the backend factory and the output streams.
// Tests pass their own (a captured stdout, a backend of their choosing); the bin uses the real ones.
import { fstatSync, writeSync } from 'node:fs';
import type { Backend, BackendChoice } from './backend.js';
import { openBackend } from './openBackend.js';

export interface Runtime {
  openBackend(choice: BackendChoice): Promise<Backend>;
  stdout(text: string): void;
  stderr(text: string): void;
  /** stdout and stdin are a terminal (the interactive view needs both) */
  isInteractive: boolean;
  /** set by handlers for results that are not errors: 1 = nothing found, 3 = a kill was refused */
  exitCode: number;
}

export function processRuntime(): Runtime {
  const stdout = new DescriptorWriter(1, () => process.stdout);
  const stderr = new DescriptorWriter(2, () => process.stderr);
  return {
    openBackend,
    stdout: (text) => stdout.write(text),
    stderr: (text) => stderr.write(text),
    // asked only by the commands that need it: process.stdout and stdin are streams, and creating
    // them loads Node's stream modules, a few milliseconds of a one-shot command's start-up
    get isInteractive() {
      return mayBeTerminal(1) && mayBeTerminal(0) && Boolean(process.stdout.isTTY && process.stdin.isTTY);
    },
    exitCode: 0,
  };
}

/**
 * Writes straight to a file descriptor, as the stream would for a file, a pipe or a terminal (Node
 * writes those synchronously on Linux), without creating process.stdout. A descriptor left
 * non-blocking by the caller (EAGAIN) hands the rest to the stream, which waits for it; a reader that
 * went away (EPIPE: `porttop list | head -1`) ends the output quietly.
 */
class DescriptorWriter {
  private stream: NodeJS.WritableStream | null = null;
  private closed = false;

  constructor(
    private readonly fd: number,
    private readonly fallback: () => NodeJS.WritableStream,
  ) {}

  write(text: string): void {
    if (this.closed) return;
    if (this.stream) {
      this.stream.write(text);
      return;
    }
    // The string itself goes to writeSync: Node encodes it into memory that malloc hands back each
    // time, where Buffer.from takes fresh pages per call (190 of list --json's 900 ms at 30,000 sockets).
    let rest: Buffer;
    try {
      const written = writeSync(this.fd, text);
      if (written === Buffer.byteLength(text)) return;
      rest = Buffer.from(text, 'utf8').subarray(written); // a short write: the rest as bytes
    } catch (error) {
      if (this.stopsOn(error, () => Buffer.from(text, 'utf8'))) return;
      throw error;
    }
    while (rest.length > 0) {
      try {
        rest = rest.subarray(writeSync(this.fd, rest));
      } catch (error) {
        if (this.stopsOn(error, () => rest)) return;
        throw error;
      }
    }
  }

  /** EPIPE ends the output, EAGAIN hands what is left to the stream; true when the error was one of them. */
  private stopsOn(error: unknown, left: () => Buffer): boolean {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EPIPE') {
      this.closed = true;
      return true;
    }
    if (code !== 'EAGAIN') return false;
    this.stream = this.fallback();
    this.stream.write(left());
    return true;
  }
}

/** False for what cannot be a terminal (a pipe, a file, /dev/null), without creating a stream. */
function mayBeTerminal(fd: number): boolean {
  try {
    const stat = fstatSync(fd);
    if (!stat.isCharacterDevice()) return false;
    // Linux: major 1 is the memory devices (/dev/null, /dev/zero), never a terminal
    return !(process.platform === 'linux' && Math.floor(stat.rdev / 256) % 4096 === 1);
  } catch {
    return false;
  }
}
