// Why Linux refused to change net.ipv4.ip_local_port_range, in words that say what to do. Pure: the
// backend passes what it knows (the error code, whether it runs as root, ip_unprivileged_port_start).

export type RangeWriteProblem = { kind: 'not-permitted' | 'usage' | 'backend'; message: string };

export interface RangeWriteContext {
  start: number;
  end: number;
  isRoot: boolean;
  /** net.ipv4.ip_unprivileged_port_start, null when unreadable */
  unprivilegedPortStart: number | null;
}

const SYSCTL = 'net.ipv4.ip_local_port_range';

export function rangeWriteProblem(code: string | undefined, context: RangeWriteContext): RangeWriteProblem {
  const { start, end, isRoot, unprivilegedPortStart } = context;
  if (code === 'EROFS') {
    return isRoot
      ? { kind: 'not-permitted', message: `cannot change ${SYSCTL}: /proc/sys is read-only here (a container?); set it on the host, or with the container's --sysctl ${SYSCTL}="${start} ${end}"` }
      : { kind: 'not-permitted', message: `cannot change ${SYSCTL} (EROFS): run porttop as root (sudo); /proc/sys may also be read-only here (a container)` };
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return isRoot
      ? { kind: 'not-permitted', message: `cannot change ${SYSCTL} (${code}) even as root: this network namespace or a security module (SELinux, AppArmor) forbids it` }
      : { kind: 'not-permitted', message: `cannot change ${SYSCTL} (${code}): run porttop as root (sudo)` };
  }
  if (code === 'EINVAL') {
    const reason = unprivilegedPortStart !== null && start < unprivilegedPortStart
      ? `its first port ${start} is below net.ipv4.ip_unprivileged_port_start (${unprivilegedPortStart}): start at ${unprivilegedPortStart} or above, or lower that sysctl first`
      : 'the kernel accepts a first port below the last one, and at or above net.ipv4.ip_unprivileged_port_start';
    return { kind: 'usage', message: `the kernel refused the range ${start}-${end} (EINVAL): ${reason}` };
  }
  return { kind: 'backend', message: `cannot write ${SYSCTL}: ${code ?? 'unknown error'}` };
}
