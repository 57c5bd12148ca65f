// The Windows backend: every question answered by a script of scripts/ps1 run in one PowerShell session.
import type { Backend, SnapshotOptions } from '../backend.js';
import type { ExcludedRange, ExhaustionEvents, KillOptions, KillResult, KillTarget, PortRange, RangeChange, Snapshot } from '../core/model.js';
import { protectionReason } from '../core/protect.js';
import { parseRangeValues } from '../core/validate.js';
import { toEvents, toExcludedRanges, toKillOutcome, toRanges, toSnapshot } from './envelope.js';
import { PowerShellSession, type SessionOptions } from './session.js';

/** Above this many wanted ports the snapshot reads everything and filters here (one short command line). */
export const MAX_PORTS_PER_QUERY = 256;
/** The dynamic ranges almost never change: read again after this long (and after range set/reset). */
export const RANGE_CACHE_MS = 60_000;
/** A snapshot call may take the session's timeout plus this much per row seen last time (busy servers). */
export const SNAPSHOT_MS_PER_ROW = 1;
/** A snapshot slower than this says so in its warnings. */
export const SLOW_SNAPSHOT_MS = 5_000;
/** Stop-PortTopProcess waits this long at most for the process to end after Stop-Process -Force. */
export const KILL_WAIT_SECONDS = { min: 1, max: 60 } as const;

export class PowerShellBackend implements Backend {
  readonly name = 'ps' as const;
  readonly platform = 'windows' as const;

  private ranges: { value: PortRange[]; readAt: number } | null = null;
  /** endpoints in the last full snapshot: a bigger table gets a longer call timeout */
  private rowsLastSeen = 0;

  constructor(
    readonly session: PowerShellSession,
    private readonly now: () => number = Date.now,
  ) {}

  async snapshot(options: SnapshotOptions = {}): Promise<Snapshot> {
    const takenAt = new Date().toISOString();
    const ports = options.localPorts;
    const narrow = ports !== undefined && ports.size > 0 && ports.size <= MAX_PORTS_PER_QUERY;
    const started = this.now();
    const startsBefore = this.session.starts;
    const timeoutMs = this.session.timeoutMs + this.rowsLastSeen * SNAPSHOT_MS_PER_ROW;
    // porttop's own ancestors come along: kill never stops the shell or script porttop runs in
    const parameters = narrow ? { LocalPort: [...ports].sort((a, b) => a - b), AncestorsOf: process.pid } : { AncestorsOf: process.pid };
    const data = await this.session.call('Get-PortTopSnapshot', parameters, { timeoutMs });
    const snapshot = toSnapshot(data, takenAt);
    const listed = snapshot.endpoints.length;
    if (!narrow) this.rowsLastSeen = listed;
    if (ports !== undefined && !narrow) snapshot.endpoints = snapshot.endpoints.filter((endpoint) => ports.has(endpoint.localPort));
    const elapsed = this.now() - started;
    // (a call that had to start PowerShell first is slow for another reason, said nowhere)
    if (elapsed > SLOW_SNAPSHOT_MS && this.session.starts === startsBefore) snapshot.warnings.push(`slow: Windows took ${(elapsed / 1000).toFixed(1)} s to list ${listed} sockets`);
    snapshot.warnings.push(...this.session.takeWarnings());
    return snapshot;
  }

  async getRanges(): Promise<PortRange[]> {
    if (this.ranges && this.now() - this.ranges.readAt < RANGE_CACHE_MS) return this.ranges.value.map((range) => ({ ...range }));
    const value = toRanges(await this.session.call('Get-DynamicPortRange'));
    this.ranges = { value, readAt: this.now() };
    return value.map((range) => ({ ...range }));
  }

  async setRange(change: RangeChange): Promise<PortRange[]> {
    // the same rules as everywhere (UsageError, exit 2, nothing changed); the script checks them again
    const { start, count } = parseRangeValues(String(change.start), String(change.count));
    this.ranges = null; // whatever happens next, read them again
    await this.session.call('Set-DynamicPortRange', {
      StartPort: start,
      NumberOfPorts: count,
      Protocol: change.protocols,
      Family: change.families,
    });
    return this.getRanges();
  }

  async kill(target: KillTarget, options: KillOptions): Promise<KillResult> {
    const refusal = protectionReason(target.pid, target.name, {
      platform: 'windows',
      selfPid: process.pid,
      parentPid: process.ppid,
      allowCritical: options.allowCritical,
    });
    if (refusal) return { pid: target.pid, name: target.name, outcome: 'refused', signals: [], message: `refused: ${refusal}` };
    const waitSeconds = Math.min(KILL_WAIT_SECONDS.max, Math.max(KILL_WAIT_SECONDS.min, Math.ceil(options.timeoutMs / 1000)));
    const data = await this.session.call(
      'Stop-PortTopProcess',
      {
        Id: target.pid,
        ExpectedName: target.name,
        ExpectedStartTime: target.startTime ?? undefined,
        AllowCritical: options.allowCritical,
        WaitSeconds: waitSeconds,
      },
      { timeoutMs: waitSeconds * 1000 + 30_000 },
    );
    const result = toKillOutcome(data);
    return {
      pid: target.pid,
      name: result.name ?? target.name,
      outcome: result.outcome,
      signals: result.outcome === 'stopped' || result.outcome === 'survived' ? ['Stop-Process -Force'] : [],
      message: result.message,
    };
  }

  async events(since: Date): Promise<ExhaustionEvents> {
    return toEvents(await this.session.call('Get-PortExhaustionEvents', { Since: since.toISOString() }));
  }

  async excludedRanges(): Promise<ExcludedRange[]> {
    return toExcludedRanges(await this.session.call('Get-ExcludedPortRanges'));
  }

  close(): Promise<void> {
    return this.session.close();
  }
}

/** The executable is looked up now (a missing PowerShell fails at once, exit 4); it starts on the first call. */
export async function openPowerShellBackend(options: SessionOptions = {}): Promise<Backend> {
  return new PowerShellBackend(new PowerShellSession(options));
}
