// The family `kill --tree` stops, pure: from each holder up through its parents to the last one below a
// stop point (PID 1, a service manager, a session leader such as a terminal's shell, porttop or one of
// its ancestors), then that topmost process and all its descendants, topmost first, so that a supervisor
// (nodemon, npm, a respawning parent) is gone before it could start its child again.
import { candidateOf, type KillCandidate } from './killplan.js';
import type { ProcessInfo } from './model.js';
import type { ProtectionContext } from './protect.js';

/** Processes that manage services or containers: they restart what they run, and are never part of a family. */
export const SERVICE_MANAGERS: readonly string[] = [
  'systemd', 'init', 'containerd-shim', 'containerd-shim-runc-v2', 'conmon', 'runc', 'supervisord', 'runsv', 's6-supervise',
  'services', 'wininit',
];

/** Windows processes that stand for the user's session (the desktop, a console shell). */
export const WINDOWS_SESSION_PROCESSES: readonly string[] = ['explorer', 'cmd', 'powershell', 'pwsh', 'windowsterminal', 'conhost'];

export interface FamilyPlan {
  /** topmost first, then their descendants level by level */
  order: KillCandidate[];
  /** 0 for a topmost process, 1 for its children, ... */
  depth: Map<number, number>;
  /** the first process above the family that was left alone, and why (for the first holder) */
  stoppedAt: { pid: number; name: string; reason: string } | null;
}

function bareName(name: string): string {
  return name.toLowerCase().replace(/\.exe$/, '');
}

/** Why the walk up must stop at this process (it is not part of the family), or null to go on. */
export function stopPointReason(info: ProcessInfo, protection: ProtectionContext): string | null {
  const name = bareName(info.name);
  if (info.pid <= 1) return 'PID 1 (init)';
  if (info.pid === protection.selfPid || protection.ancestors?.includes(info.pid) || info.pid === protection.parentPid) return 'porttop or one of its ancestors';
  if (SERVICE_MANAGERS.includes(name) || name.startsWith('containerd-shim')) return 'a service manager';
  if (protection.platform === 'windows' && WINDOWS_SESSION_PROCESSES.includes(name)) return 'the session (desktop or console shell)';
  if (info.sessionLeader) return 'a session leader (the shell of a terminal)';
  return null;
}

export function planFamily(holders: readonly KillCandidate[], processes: ReadonlyMap<number, ProcessInfo>, protection: ProtectionContext): FamilyPlan {
  const children = new Map<number, number[]>();
  for (const info of processes.values()) {
    if (info.parentPid === undefined || info.parentPid === null) continue;
    const list = children.get(info.parentPid);
    if (list) list.push(info.pid);
    else children.set(info.parentPid, [info.pid]);
  }
  const byPid = new Map(holders.map((holder) => [holder.pid, holder]));
  const order: KillCandidate[] = [];
  const depth = new Map<number, number>();
  let stoppedAt: FamilyPlan['stoppedAt'] = null;
  for (const holder of holders) {
    if (depth.has(holder.pid)) continue; // already in the family of an earlier holder
    const { topmost, stop } = walkUp(holder.pid, processes, protection);
    if (stoppedAt === null) stoppedAt = stop;
    // breadth first from the topmost: parents before their children
    let level = [topmost];
    for (let generation = 0; level.length > 0 && generation < MAX_GENERATIONS; generation++) {
      const next: number[] = [];
      for (const pid of level.sort((a, b) => a - b)) {
        if (depth.has(pid)) continue;
        depth.set(pid, generation);
        order.push(byPid.get(pid) ?? candidateOf(pid, processes.get(pid), [], protection));
        next.push(...(children.get(pid) ?? []));
      }
      level = next;
    }
  }
  return { order, depth, stoppedAt };
}

/** A bound on the depth of a family (a fork bomb is not a family porttop should walk forever). */
const MAX_GENERATIONS = 64;

function walkUp(pid: number, processes: ReadonlyMap<number, ProcessInfo>, protection: ProtectionContext): { topmost: number; stop: FamilyPlan['stoppedAt'] } {
  let current = pid;
  for (let step = 0; step < MAX_GENERATIONS; step++) {
    const parentPid = processes.get(current)?.parentPid;
    if (parentPid === undefined || parentPid === null || parentPid <= 0) return { topmost: current, stop: null };
    const parent = processes.get(parentPid);
    if (!parent) return { topmost: current, stop: null };
    const reason = stopPointReason(parent, protection);
    if (reason) return { topmost: current, stop: { pid: parent.pid, name: parent.name, reason } };
    current = parentPid;
  }
  return { topmost: current, stop: null };
}
