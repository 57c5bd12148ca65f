// The real owner from /proc/PID/cgroup on a real process: the test makes a fake systemd unit cgroup (in
// the v1 name=systemd hierarchy, or v2) and a fake Docker container cgroup (v2), moves only its own
// child in, and removes both afterwards.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { KillJson } from '../../src/commands/kill.js';
import type { OwnedEndpoint } from '../../src/core/select.js';
import { NODE_PROCESS_NAME, startHolder, type Holder } from '../helpers/children.js';
import { runCli } from '../helpers/cli.js';

const V2 = ['/sys/fs/cgroup/unified', '/sys/fs/cgroup'].find((root) => existsSync(join(root, 'cgroup.procs')) && existsSync(join(root, 'cgroup.controllers')));
const V1_SYSTEMD = existsSync('/sys/fs/cgroup/systemd/cgroup.procs') ? '/sys/fs/cgroup/systemd' : undefined;
const ROOT = process.getuid?.() === 0;
const CONTAINER_ID = `${'c0ffee'.repeat(10)}beef`;

const LISTENER = `import net from 'node:net'; const s = net.createServer().listen(0, '127.0.0.1', () => ready(s.address().port)); setInterval(() => {}, 1000);`;

/** A cgroup folder of our own; `leave` moves the child back to the root and removes the folder. */
function makeCgroup(root: string, relative: string, pid: number) {
  const dir = join(root, relative);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'cgroup.procs'), String(pid));
  return {
    leave: () => {
      try {
        writeFileSync(join(root, 'cgroup.procs'), String(pid));
      } catch {
        // the child already exited
      }
      // innermost first
      const parts = relative.split('/');
      for (let depth = parts.length; depth > 0; depth--) {
        try {
          rmdirSync(join(root, ...parts.slice(0, depth)));
        } catch {
          break;
        }
      }
    },
  };
}

describe('the real owner from cgroups', { skip: (!ROOT || !V2) && 'needs root and a writable cgroup v2 hierarchy' }, () => {
  let service: Holder<number>;
  let container: Holder<number>;
  const cleanups: (() => void)[] = [];
  const unit = `porttop\\x2dtest${process.pid}.service`; // systemd-escaped: porttop-test<pid>.service

  before(async () => {
    service = await startHolder<number>(LISTENER);
    container = await startHolder<number>(LISTENER);
    // the unit: in v1's name=systemd hierarchy when there is one (hybrid), else in v2
    cleanups.push(makeCgroup(V1_SYSTEMD ?? V2!, `porttop-test-${process.pid}.slice/${unit}`, service.pid).leave);
    cleanups.push(makeCgroup(V2!, `porttop-test-${process.pid}-docker/docker-${CONTAINER_ID}.scope`, container.pid).leave);
  });
  after(async () => {
    await Promise.all([service?.stop(), container?.stop()]);
    for (const cleanup of cleanups) cleanup();
  });

  it('who names the systemd unit and the command that stops it; JSON carries the unit', async () => {
    const name = `porttop-test${process.pid}.service`;
    const text = await runCli(['who', String(service.data)]);
    assert.match(text.stdout, new RegExp(`owner: systemd service ${name}\\n  stop it with: systemctl stop ${name}`));
    const [row] = JSON.parse((await runCli(['who', String(service.data), '--json'])).stdout) as OwnedEndpoint[];
    assert.equal(row!.holders[0]!.unit, name);
    const dry = await runCli(['kill', String(service.data), '--dry-run']);
    assert.match(dry.stdout, new RegExp(`note: PID ${service.pid} ${NODE_PROCESS_NAME}: it runs in the systemd unit ${name}, which may start it again: systemctl stop ${name} stops it for good`));
  });

  it('who names the container (short id) and docker stop; JSON has the full id; kill --json still stops it', async () => {
    const text = await runCli(['who', String(container.data)]);
    assert.match(text.stdout, new RegExp(`owner: docker container ${CONTAINER_ID.slice(0, 12)}\\n  stop it with: docker stop ${CONTAINER_ID.slice(0, 12)}`));
    const [row] = JSON.parse((await runCli(['who', String(container.data), '--json'])).stdout) as OwnedEndpoint[];
    assert.deepEqual(row!.holders[0]!.container, { runtime: 'docker', id: CONTAINER_ID });
    const kill = JSON.parse((await runCli(['kill', String(container.data), '--json'])).stdout) as KillJson;
    assert.equal(kill.ports[0]!.after?.status, 'free');
  });

  it('who shows the parent chain of a holder', async () => {
    const text = await runCli(['who', String(service.data)]);
    assert.match(text.stdout, new RegExp(`parents: ${NODE_PROCESS_NAME} \\(${process.pid}\\)`));
  });
});
