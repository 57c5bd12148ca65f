// One diagnosis from a backend, for `porttop diagnose`, each sample of `watch` and the library's
// diagnose(): the snapshot, the ranges, the ranges the OS reserved (Windows) and the Tcpip events,
// read together. Events are read only where the OS has them, by default over the last
// EVENT_WINDOW_MINUTES.
import type { Backend } from '../backend.js';
import { diagnose, EVENT_WINDOW_MINUTES, type Diagnosis } from '../core/diagnose/index.js';
import type { ExcludedRange, ExhaustionEvents } from '../core/model.js';

export interface DiagnoseOptions {
  /** count Tcpip events since then (default: EVENT_WINDOW_MINUTES ago) */
  eventsSince?: Date;
  /** told when an optional source could not be read ("could not read the excluded port ranges: ..."); the verdict stands without it */
  note?: (message: string) => void;
}

export async function diagnoseBackend(backend: Backend, options: DiagnoseOptions = {}): Promise<{ diagnosis: Diagnosis; takenAt: string }> {
  const since = options.eventsSince ?? new Date(Date.now() - EVENT_WINDOW_MINUTES * 60_000);
  const [snapshot, ranges, events, excluded] = await Promise.all([
    backend.snapshot(),
    backend.getRanges(),
    optional(backend.events && (() => backend.events!(since)), 'the Tcpip events from the System log', options.note),
    optional(backend.excludedRanges && (() => backend.excludedRanges!()), 'the excluded port ranges', options.note),
  ]);
  const diagnosis = diagnose({
    snapshot,
    ranges,
    events: events satisfies ExhaustionEvents | null,
    platform: backend.platform,
    excluded: (excluded satisfies ExcludedRange[] | null) ?? [],
    // Windows elevation is not known here: the hint stays there
    elevated: backend.platform === 'linux' && process.getuid?.() === 0,
  });
  return { diagnosis, takenAt: snapshot.takenAt };
}

/** A source the OS may not have; its failure is a note, and the verdict still stands on the sockets. */
async function optional<T>(read: (() => Promise<T>) | undefined, what: string, note: DiagnoseOptions['note']): Promise<T | null> {
  if (!read) return null;
  try {
    return await read();
  } catch (error) {
    note?.(`could not read ${what}: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
}
