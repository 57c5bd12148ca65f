// Which processes porttop refuses to kill, and why. Pure: the caller passes its own and its parent's PID.

/** Windows processes whose death takes the machine down; only killed with an explicit flag. */
export const WINDOWS_CRITICAL_PROCESSES = ['csrss', 'smss', 'wininit', 'services', 'lsass', 'winlogon'] as const;

export interface ProtectionContext {
  platform: 'linux' | 'windows';
  selfPid: number;
  parentPid: number;
  allowCritical: boolean;
}

/** The reason a process must not be killed, or null when it may be. */
export function protectionReason(pid: number, name: string, context: ProtectionContext): string | null {
  if (pid === context.selfPid) return 'that is porttop itself';
  if (pid === context.parentPid) return "that is porttop's parent process";
  if (pid <= 0) return 'PID 0 is the kernel (Idle), not a process that can be stopped';
  if (context.platform === 'linux' && pid === 1) return 'PID 1 is init; stopping it brings the whole system down';
  if (context.platform === 'windows') {
    if (pid === 4) return 'PID 4 is the Windows System process';
    const bare = name.toLowerCase().replace(/\.exe$/, '');
    if (!context.allowCritical && (WINDOWS_CRITICAL_PROCESSES as readonly string[]).includes(bare)) {
      return `${name} is a critical Windows process (killing it can crash the machine); pass --allow-critical to insist`;
    }
  }
  return null;
}
