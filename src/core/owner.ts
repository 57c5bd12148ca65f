// The real owner of a port, pure: the process that holds it is often not the thing to stop. A systemd
// service restarts it, a container publishes it, WSL or Docker Desktop forwards it, svchost runs it for
// a service, HTTP.sys (PID 4) serves it for IIS or WinRM. Each comes with the command that stops it at
// the right level; porttop never runs those commands itself.
import type { Endpoint, ProcessInfo } from './model.js';

export type OwnerKind =
  | 'systemd-service'
  | 'user-service'
  | 'login-session'
  | 'container'
  | 'docker-proxy'
  | 'docker-desktop'
  | 'wsl'
  | 'windows-service'
  | 'http-sys';

export interface RealOwner {
  kind: OwnerKind;
  /** in words: "systemd service nginx.service", "docker container 3f2a9c1b7d4e" */
  description: string;
  /** the command that stops it at the right level, or advice where there is no one command; null when plain kill is right */
  stop: string | null;
}

/** Container ids are shown as Docker does: the first 12 hex digits. */
export function shortId(id: string): string {
  return /^[0-9a-f]{64}$/.test(id) ? id.slice(0, 12) : id;
}

const CONTAINER_STOP: Record<string, (id: string) => string> = {
  docker: (id) => `docker stop ${id}`,
  podman: (id) => `podman stop ${id}`,
  containerd: (id) => `crictl stop ${id}`,
  'cri-o': (id) => `crictl stop ${id}`,
  lxc: (id) => `lxc-stop -n ${id}`,
};

/** `docker-proxy -proto tcp -host-ip 0.0.0.0 -host-port 8080 -container-ip 172.17.0.2 -container-port 80` -> 172.17.0.2:80 */
export function dockerProxyTarget(commandLine: string | null): string | null {
  if (!commandLine) return null;
  const ip = /(?:^|\s)-container-ip\s+(\S+)/.exec(commandLine)?.[1];
  const port = /(?:^|\s)-container-port\s+(\d+)/.exec(commandLine)?.[1];
  if (!ip || !port) return null;
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

function bare(name: string): string {
  return name.toLowerCase().replace(/\.exe$/, '');
}

export function classifyOwner(info: ProcessInfo | undefined, endpoint: Pick<Endpoint, 'localPort'> | null, platform: 'linux' | 'windows'): RealOwner | null {
  if (!info) return null;
  const port = endpoint?.localPort;
  const publish = port === undefined ? 'docker ps' : `docker ps --filter publish=${port}`;
  if (platform === 'windows') return classifyWindows(info, publish);
  const name = bare(info.name);
  if (name === 'docker-proxy') {
    const target = dockerProxyTarget(info.commandLine);
    return {
      kind: 'docker-proxy',
      description: `published by Docker (docker-proxy) for the container at ${target ?? 'an unknown address'}`,
      stop: `${publish} to find the container, then docker stop ID`,
    };
  }
  if (info.container) {
    const id = shortId(info.container.id);
    return { kind: 'container', description: `${info.container.runtime} container ${id}`, stop: CONTAINER_STOP[info.container.runtime]!(id) };
  }
  const unit = info.unit;
  if (unit) {
    const session = /^session-(.+)\.scope$/.exec(unit);
    if (session) return { kind: 'login-session', description: `login session ${session[1]} (${unit})`, stop: null };
    if (info.userUnit && unit.endsWith('.service')) return userServiceOwner(unit);
    if (unit.endsWith('.service') && !/^user@\d+\.service$/.test(unit)) {
      return { kind: 'systemd-service', description: `systemd service ${unit}`, stop: `systemctl stop ${unit}` };
    }
  }
  return null;
}

/** A user's own systemd units (under user@UID.service) are stopped with --user. */
export function userServiceOwner(unit: string): RealOwner {
  return { kind: 'user-service', description: `systemd user service ${unit}`, stop: `systemctl --user stop ${unit}` };
}

function classifyWindows(info: ProcessInfo, publish: string): RealOwner | null {
  if (info.pid === 4) {
    return {
      kind: 'http-sys',
      description: 'HTTP.sys, the kernel HTTP server (IIS, WinRM, reserved URLs) in the System process',
      stop: 'netsh http show servicestate shows which service registered the URL; stop that service (Stop-Service NAME)',
    };
  }
  const name = bare(info.name);
  if (name === 'wslrelay' || name === 'wslhost') {
    return { kind: 'wsl', description: 'forwarded from WSL (a Linux process inside WSL listens)', stop: 'stop it inside WSL (wsl -e ss -ltnp shows which process)' };
  }
  if (name === 'com.docker.backend' || name === 'vpnkit' || name === 'docker-proxy' || name === 'com.docker.proxy') {
    return { kind: 'docker-desktop', description: `published by Docker Desktop (${info.name})`, stop: `${publish} to find the container, then docker stop ID` };
  }
  const services = info.services ?? [];
  if (services.length > 0) {
    const names = services.map((service) => service.name);
    return {
      kind: 'windows-service',
      description: `Windows service${names.length === 1 ? '' : 's'} ${names.join(', ')} in ${info.name}`,
      stop: names.length === 1 ? `Stop-Service ${names[0]}` : `Stop-Service NAME (one of ${names.join(', ')})`,
    };
  }
  return null;
}
