// A private network namespace (ip netns, the named form of `unshare --net`) with loopback up, so tests
// may change the ephemeral port range and exhaust it without touching the machine itself.
import { execFileSync, spawnSync } from 'node:child_process';

let counter = 0;

export class NetNamespace {
  private constructor(readonly name: string) {}

  static create(): NetNamespace {
    const name = `porttop-test-${process.pid}-${++counter}`;
    execFileSync('ip', ['netns', 'add', name]);
    execFileSync('ip', ['netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up']);
    return new NetNamespace(name);
  }

  /** Whether this machine lets us make namespaces (root and iproute2); tests skip with a notice otherwise. */
  static available(): boolean {
    if (process.getuid?.() !== 0) return false;
    return spawnSync('ip', ['netns', 'list']).status === 0;
  }

  /** Prefix for a command to run inside: [...ns.prefix, 'node', ...]. */
  get prefix(): string[] {
    return ['ip', 'netns', 'exec', this.name];
  }

  /** Runs a command inside and returns its exit status and output. */
  run(command: string, args: readonly string[], input?: string) {
    const result = spawnSync('ip', ['netns', 'exec', this.name, command, ...args], { encoding: 'utf8', input, timeout: 60_000 });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  readPortRange(): string {
    return this.run('cat', ['/proc/sys/net/ipv4/ip_local_port_range']).stdout.trim().replace(/\s+/, ' ');
  }

  /** Deletes the namespace; processes started inside must have been stopped first. */
  destroy(): void {
    spawnSync('ip', ['netns', 'del', this.name]);
  }
}
