// Which processes porttop refuses to kill, and why. Pure: the caller passes its own PID, its ancestors
// and what it knows about the process (the Windows services it hosts).
import type { WindowsService } from './model.js';

/** Windows processes whose death takes the machine down; only killed with an explicit flag. */
export const WINDOWS_CRITICAL_PROCESSES = ['csrss', 'smss', 'wininit', 'services', 'lsass', 'winlogon'] as const;

/** What stopping a service's host does, where it is known and worse than "the service stops". */
export const SERVICE_CONSEQUENCES: Readonly<Record<string, string>> = {
  rpcss: 'Windows cannot run without RPC: it restarts the machine',
  dcomlaunch: 'Windows cannot run without DCOM launch: it restarts the machine',
  termservice: 'every Remote Desktop session drops, your own too',
  winrm: 'remote management (WinRM, PowerShell remoting) stops',
  w3svc: 'every IIS web site stops',
  was: 'every IIS application pool stops',
  dnscache: 'name resolution on this machine stops working',
  eventlog: 'event logging stops',
  lanmanserver: 'file and printer sharing (SMB) stops',
};

/** The explanation for PID 4 holding a port: HTTP.sys, the kernel's HTTP server. */
export const HTTP_SYS_EXPLANATION =
  'PID 4 is the Windows System process; on a port it is HTTP.sys, the kernel HTTP server behind IIS, WinRM and reserved URLs: see `netsh http show servicestate` for who registered it, and stop that service instead';

export interface ProtectionContext {
  platform: 'linux' | 'windows';
  selfPid: number;
  parentPid: number;
  /** every ancestor of porttop (parent, grandparent, ...): killing one would kill the shell it runs in */
  ancestors?: readonly number[];
  allowCritical: boolean;
}

export interface ProtectionSubject {
  /** Windows services the process hosts */
  services?: readonly WindowsService[];
}

/** The reason a process must not be killed, or null when it may be. */
export function protectionReason(pid: number, name: string, context: ProtectionContext, subject: ProtectionSubject = {}): string | null {
  if (pid === context.selfPid) return 'that is porttop itself';
  if (pid === context.parentPid) return "that is porttop's parent process";
  if (context.ancestors?.includes(pid)) return 'that is an ancestor of porttop (the shell or script porttop runs in)';
  if (pid <= 0) return 'PID 0 is the kernel (Idle), not a process that can be stopped';
  if (context.platform === 'linux' && pid === 1) return 'PID 1 is init; stopping it brings the whole system down';
  if (context.platform === 'windows') {
    if (pid === 4) return HTTP_SYS_EXPLANATION;
    const bare = name.toLowerCase().replace(/\.exe$/, '');
    if (!context.allowCritical && (WINDOWS_CRITICAL_PROCESSES as readonly string[]).includes(bare)) {
      return `${name} is a critical Windows process (killing it can crash the machine); pass --allow-critical to insist`;
    }
    const services = subject.services ?? [];
    if (!context.allowCritical && services.length > 0) return serviceHostRefusal(name, services);
  }
  return null;
}

/** "svchost.exe hosts RpcSs (Windows ... restarts the machine), ...: use Stop-Service NAME instead". */
export function serviceHostRefusal(name: string, services: readonly WindowsService[]): string {
  const listed = services.map((service) => {
    const consequence = SERVICE_CONSEQUENCES[service.name.toLowerCase()];
    return consequence ? `${service.name} (${consequence})` : service.name;
  });
  const stop = services.length === 1 ? `Stop-Service ${services[0]!.name}` : `Stop-Service NAME for the one you mean`;
  return `${name} hosts the Windows service${services.length === 1 ? '' : 's'} ${listed.join(', ')}: use ${stop} instead, or pass --allow-critical to stop the whole host`;
}
