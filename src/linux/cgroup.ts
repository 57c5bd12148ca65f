// /proc/<pid>/cgroup to the systemd unit and the container a process runs in. Pure: parses the file's
// text (cgroup v1, v2 or hybrid). Paths follow systemd, Docker, Kubernetes, Podman and LXC naming.
import type { ContainerRef } from '../core/model.js';

export interface CgroupOwner {
  /** the innermost systemd unit (nginx.service, session-3.scope, docker-<id>.scope), unescaped */
  unit: string | null;
  /** the unit runs under a user's service manager (user@UID.service) */
  userUnit: boolean;
  container: ContainerRef | null;
}

const ID = '([0-9a-f]{64})';
/** Container path parts, tried in order on every path of the file; only full 64-hex ids count (no conmon, no monitors). */
const CONTAINER_PATTERNS: { pattern: RegExp; runtime: ContainerRef['runtime'] }[] = [
  { pattern: new RegExp(`(?:^|/)docker-${ID}\\.scope(?:/|$)`), runtime: 'docker' },
  { pattern: new RegExp(`(?:^|/)docker/${ID}(?:/|$)`), runtime: 'docker' },
  { pattern: new RegExp(`(?:^|/)cri-containerd-${ID}\\.scope(?:/|$)`), runtime: 'containerd' },
  { pattern: new RegExp(`(?:^|/|:)cri-containerd:${ID}(?:/|$)`), runtime: 'containerd' },
  { pattern: new RegExp(`(?:^|/)crio-${ID}\\.scope(?:/|$)`), runtime: 'cri-o' },
  { pattern: new RegExp(`(?:^|/)libpod-${ID}\\.scope(?:/|$)`), runtime: 'podman' },
  { pattern: new RegExp(`(?:^|/)libpod_parent/libpod-${ID}(?:/|$)`), runtime: 'podman' },
  // Kubernetes with the cgroupfs driver: /kubepods[/burstable|/besteffort]/pod<uid>/<id>
  { pattern: new RegExp(`(?:^|/)kubepods(?:/[a-z]+)?/pod[0-9a-f_-]+/${ID}(?:/|$)`), runtime: 'containerd' },
];
/**
 * A word every container path above and below holds: a path without one (most processes') is never
 * matched against the nine patterns, whose compilation a one-shot command would otherwise pay (4 ms).
 */
const CONTAINER_HINTS = ['docker', 'containerd', 'crio', 'libpod', 'kubepods', 'lxc'];
/** LXC: /lxc/NAME (<3.1), /lxc.payload/NAME (3.1-3.x), /lxc.payload.NAME (>=4.0); never lxc.monitor */
const LXC = /(?:^|\/)(?:lxc|lxc\.payload)\/([^/]+)|(?:^|\/)lxc\.payload\.([^/]+)/;

export function parseCgroup(text: string): CgroupOwner {
  const paths: string[] = [];
  let unified: string | null = null;
  let systemdV1: string | null = null;
  for (const line of text.split('\n')) {
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first === -1 || second === -1) continue;
    const hierarchy = line.slice(0, first);
    const controllers = line.slice(first + 1, second);
    const path = line.slice(second + 1).trim();
    paths.push(path);
    if (hierarchy === '0' && controllers === '') unified = path;
    else if (controllers === 'name=systemd') systemdV1 = path;
  }
  // systemd's own hierarchy names the unit: v1's name=systemd, else the unified (v2) one
  const unitPath = systemdV1 ?? unified ?? '';
  const unit = innermostUnit(unitPath);
  const userUnit = unit !== null && /\/user@\d+\.service\/./.test(unitPath) && !/^user@\d+\.service$/.test(unit);
  return { unit, userUnit, container: containerOf(paths) };
}

function innermostUnit(path: string): string | null {
  const parts = path.split('/').filter((part) => part.endsWith('.service') || part.endsWith('.scope'));
  const last = parts[parts.length - 1];
  return last === undefined ? null : unescapeUnit(last);
}

/** systemd-escape: `\x2d` is '-', any `\xNN` a byte. */
export function unescapeUnit(name: string): string {
  if (!name.includes('\\x')) return name;
  return name.replace(/\\x([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function containerOf(paths: readonly string[]): ContainerRef | null {
  for (const path of paths) {
    if (!CONTAINER_HINTS.some((hint) => path.includes(hint))) continue;
    for (const { pattern, runtime } of CONTAINER_PATTERNS) {
      const match = pattern.exec(path);
      if (match) return { runtime, id: match[1]! };
    }
    const lxc = LXC.exec(path);
    if (lxc) return { runtime: 'lxc', id: lxc[1] ?? lxc[2]! };
  }
  return null;
}
