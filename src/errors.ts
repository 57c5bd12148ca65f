// Typed errors: handlers throw them, only the bin turns them into an exit code.

export const EXIT = {
  ok: 0,
  notFound: 1,
  usage: 2,
  notPermitted: 3,
  backend: 4,
  /** kill signalled, but an asked port is still held: a survivor, a restarted process, or a hidden holder */
  stillHeld: 5,
} as const;

export class PorttopError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad input: a one-line message naming the bad value and what is allowed. Exit 2. */
export class UsageError extends PorttopError {
  constructor(message: string) {
    super(message, EXIT.usage);
  }
}

/** Needs root / Administrator, or a protected process was refused. Exit 3. */
export class NotPermittedError extends PorttopError {
  constructor(message: string) {
    super(message, EXIT.notPermitted);
  }
}

/** The backend failed (PowerShell missing or broken, /proc unreadable). Exit 4. */
export class BackendError extends PorttopError {
  constructor(message: string) {
    super(message, EXIT.backend);
  }
}
