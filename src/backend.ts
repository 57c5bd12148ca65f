// The one door to the operating system: the Backend interface and the names of the backends.
// Commands and the terminal view receive a Backend; they never read /proc or run PowerShell
// themselves. Which backend to open is openBackend.ts's job, so the backends can import this file
// without an import circle.
import { UsageError } from './errors.js';
import type {
  ExcludedRange,
  ExhaustionEvents,
  KillOptions,
  KillResult,
  KillTarget,
  Platform,
  PortRange,
  ProcessInfo,
  RangeChange,
  Snapshot,
} from './core/model.js';

export interface SnapshotOptions {
  /**
   * Only endpoints on these local ports are wanted (`porttop who 8080`): a backend may then skip the
   * rest and stop looking for owners once every wanted socket has one.
   */
  localPorts?: ReadonlySet<number>;
  /**
   * Only listening TCP sockets (and UDP) are wanted (`wait --listening`): a backend may then skip
   * reading connections. Other TCP states may be missing from such a snapshot.
   */
  listenersOnly?: boolean;
  /**
   * false: endpoints only, no owners (processes empty, every pid null). `porttop wait` looks many times
   * and needs owners only to name them at the end; on Linux the owner scan is most of a snapshot's cost.
   */
  owners?: boolean;
}

export interface Backend {
  readonly name: BackendName;
  /** the OS family, for the rules that differ (protected PIDs, TIME_WAIT length, default range) */
  readonly platform: Platform;
  snapshot(options?: SnapshotOptions): Promise<Snapshot>;
  /** the dynamic port range per protocol and family */
  getRanges(): Promise<PortRange[]>;
  /** changes the range and returns the ranges read back afterwards */
  setRange(change: RangeChange): Promise<PortRange[]>;
  /** stops one process, after checking it is still the process of the snapshot */
  kill(target: KillTarget, options: KillOptions): Promise<KillResult>;
  /** Windows System-log exhaustion events since a time; absent where the OS has none */
  events?(since: Date): Promise<ExhaustionEvents>;
  /** ports reserved by the OS; absent where the OS has no such notion */
  excludedRanges?(): Promise<ExcludedRange[]>;
  /** every process with its parent (for `kill --tree`); absent where the backend cannot list them cheaply */
  processTree?(): Promise<Map<number, ProcessInfo>>;
  /** ends the PowerShell session, if any; safe to call twice */
  close(): Promise<void>;
}

export const BACKEND_NAMES = ['auto', 'linux', 'ps'] as const;
export type BackendChoice = (typeof BACKEND_NAMES)[number];
export type BackendName = Exclude<BackendChoice, 'auto'>;

export function parseBackendChoice(value: unknown): BackendChoice {
  const text = String(value ?? 'auto');
  if ((BACKEND_NAMES as readonly string[]).includes(text)) return text as BackendChoice;
  throw new UsageError(`invalid --backend '${text}': expected auto, linux or ps`);
}

export function resolveBackendName(choice: BackendChoice, platform: NodeJS.Platform = process.platform): BackendName {
  if (choice !== 'auto') return choice;
  if (platform === 'win32') return 'ps';
  if (platform === 'linux') return 'linux';
  throw new UsageError(`porttop has no backend for ${platform} yet: expected Linux or Windows (--backend linux|ps)`);
}
