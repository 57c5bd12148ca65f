// The real owner and the refusals around it, pure: cgroup text as /proc shows it, and Windows processes
// as recorded shapes (svchost hosting RpcSs or TermService, PID 4 = HTTP.sys on 80 and 5985, wslrelay.exe).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planKill } from '../../src/core/killplan.js';
import type { Endpoint, ProcessInfo, Snapshot } from '../../src/core/model.js';
import { classifyOwner, dockerProxyTarget, shortId } from '../../src/core/owner.js';
import { protectionReason } from '../../src/core/protect.js';
import { parsePortSpans } from '../../src/core/validate.js';
import { parseCgroup } from '../../src/linux/cgroup.js';

const HEX = 'f3a2c1b0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2';

describe('parseCgroup', () => {
  it('cgroup v1 (name=systemd) and v2 services, login sessions, escaped unit names', () => {
    assert.deepEqual(parseCgroup('12:pids:/system.slice/nginx.service\n1:name=systemd:/system.slice/nginx.service\n0::/system.slice/nginx.service\n'), { unit: 'nginx.service', userUnit: false, container: null });
    assert.equal(parseCgroup('0::/system.slice/system-getty.slice/getty@tty1.service\n').unit, 'getty@tty1.service');
    assert.equal(parseCgroup('0::/user.slice/user-1000.slice/session-3.scope\n').unit, 'session-3.scope');
    assert.equal(parseCgroup('0::/system.slice/my\\x2dapp.service\n').unit, 'my-app.service');
    const user = parseCgroup('0::/user.slice/user-1000.slice/user@1000.service/app.slice/app-vite.service\n');
    assert.deepEqual([user.unit, user.userUnit], ['app-vite.service', true]);
    assert.deepEqual(parseCgroup('0::/\n'), { unit: null, userUnit: false, container: null });
  });

  it('containers: Docker, containerd/Kubernetes, CRI-O, Podman (not conmon), LXC', () => {
    const container = (text: string) => parseCgroup(text).container;
    assert.deepEqual(container(`0::/system.slice/docker-${HEX}.scope\n`), { runtime: 'docker', id: HEX });
    assert.deepEqual(container(`4:memory:/docker/${HEX}\n1:name=systemd:/docker/${HEX}\n`), { runtime: 'docker', id: HEX });
    assert.deepEqual(container(`0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1a2b_3c4d.slice/cri-containerd-${HEX}.scope\n`), { runtime: 'containerd', id: HEX });
    assert.deepEqual(container(`0::/kubepods/besteffort/pod1a2b-3c4d/${HEX}\n`), { runtime: 'containerd', id: HEX });
    assert.deepEqual(container(`0::/kubepods.slice/kubepods-pod1a2b.slice/crio-${HEX}.scope\n`), { runtime: 'cri-o', id: HEX });
    assert.deepEqual(container(`0::/machine.slice/libpod-${HEX}.scope/container\n`), { runtime: 'podman', id: HEX });
    assert.equal(container(`0::/machine.slice/libpod-conmon-${HEX}.scope\n`), null, 'the monitor is not the container');
    assert.deepEqual(container('0::/lxc.payload.web1\n'), { runtime: 'lxc', id: 'web1' });
    assert.deepEqual(container('5:cpu:/lxc/db\n'), { runtime: 'lxc', id: 'db' });
    assert.equal(container('0::/lxc.monitor.web1\n'), null);
    assert.equal(container('0::/system.slice/docker-abc.scope\n'), null, 'only full 64-hex ids');
  });
});

const info = (pid: number, name: string, extra: Partial<ProcessInfo> = {}): ProcessInfo => ({ pid, name, commandLine: null, startTime: null, handles: null, ...extra });
const listen = (port: number, pid: number): Endpoint => ({
  protocol: 'tcp', family: 'ipv4', localAddress: '0.0.0.0', localPort: port, remoteAddress: null, remotePort: null, state: 'LISTEN', pid, holders: [pid],
});

describe('classifyOwner on Linux', () => {
  it('a service, a container, docker-proxy with the address it forwards to, a login session', () => {
    assert.deepEqual(classifyOwner(info(10, 'nginx', { unit: 'nginx.service' }), listen(80, 10), 'linux'), {
      kind: 'systemd-service', description: 'systemd service nginx.service', stop: 'systemctl stop nginx.service',
    });
    assert.equal(classifyOwner(info(10, 'vite', { unit: 'app-vite.service', userUnit: true }), null, 'linux')?.stop, 'systemctl --user stop app-vite.service');
    assert.deepEqual(classifyOwner(info(11, 'node', { container: { runtime: 'docker', id: HEX }, unit: `docker-${HEX}.scope` }), null, 'linux'), {
      kind: 'container', description: `docker container ${HEX.slice(0, 12)}`, stop: `docker stop ${HEX.slice(0, 12)}`,
    });
    const proxy = info(12, 'docker-proxy', { commandLine: '/usr/bin/docker-proxy -proto tcp -host-ip 0.0.0.0 -host-port 8080 -container-ip 172.17.0.2 -container-port 80 -use-listen-fd' });
    const owner = classifyOwner(proxy, listen(8080, 12), 'linux')!;
    assert.equal(owner.kind, 'docker-proxy');
    assert.match(owner.description, /172\.17\.0\.2:80/);
    assert.match(owner.stop!, /docker ps --filter publish=8080/);
    assert.equal(dockerProxyTarget('docker-proxy -container-ip fd00::2 -container-port 443'), '[fd00::2]:443');
    assert.equal(classifyOwner(info(13, 'bash', { unit: 'session-3.scope' }), null, 'linux')?.stop, null);
    assert.equal(classifyOwner(info(14, 'node'), null, 'linux'), null);
    assert.equal(shortId('web1'), 'web1');
  });
});

// Recorded shapes: what the ps backend builds from Get-NetTCPConnection + Get-Process + Win32_Service
const RPCSS = info(1044, 'svchost', { services: [{ name: 'RpcEptMapper', displayName: 'RPC Endpoint Mapper', state: 'Running', acceptStop: false }, { name: 'RpcSs', displayName: 'Remote Procedure Call (RPC)', state: 'Running', acceptStop: false }] });
const TERMSERVICE = info(1320, 'svchost', { services: [{ name: 'TermService', displayName: 'Remote Desktop Services', state: 'Running', acceptStop: true }] });
const SYSTEM = info(4, 'System');
const WSLRELAY = info(7720, 'wslrelay', { commandLine: 'C:\\Program Files\\WSL\\wslrelay.exe --mode 2 --vm-id {...}' });

describe('Windows owners and refusals (recorded shapes)', () => {
  const windows = { platform: 'windows' as const, selfPid: 9000, parentPid: 8999, ancestors: [8999, 8000], allowCritical: false };

  it('recorded shape: svchost hosting RpcSs on 135 and TermService on 3389 is refused, naming the services and what stopping does', () => {
    const rpc = protectionReason(RPCSS.pid, RPCSS.name, windows, RPCSS)!;
    assert.match(rpc, /svchost hosts the Windows services RpcEptMapper, RpcSs \(Windows cannot run without RPC: it restarts the machine\)/);
    assert.match(rpc, /--allow-critical/);
    const rdp = protectionReason(TERMSERVICE.pid, TERMSERVICE.name, windows, TERMSERVICE)!;
    assert.match(rdp, /TermService \(every Remote Desktop session drops, your own too\): use Stop-Service TermService instead/);
    assert.equal(protectionReason(TERMSERVICE.pid, TERMSERVICE.name, { ...windows, allowCritical: true }, TERMSERVICE), null);
    assert.deepEqual(classifyOwner(TERMSERVICE, listen(3389, 1320), 'windows'), {
      kind: 'windows-service', description: 'Windows service TermService in svchost', stop: 'Stop-Service TermService',
    });
  });

  it('recorded shape: the kill plan for port 135 refuses the RpcSs host', () => {
    const snapshot: Snapshot = { takenAt: '', endpoints: [listen(135, 1044)], processes: new Map([[1044, RPCSS]]), warnings: [] };
    const plan = planKill(snapshot, parsePortSpans(['135']), { allStates: false, protection: windows });
    assert.equal(plan.candidates.length, 1);
    assert.match(plan.candidates[0]!.refusal!, /RpcSs/);
  });

  it('recorded shape: PID 4 on 80 and 5985 is HTTP.sys, refused with netsh http show servicestate', () => {
    for (const port of [80, 5985]) {
      const owner = classifyOwner(SYSTEM, listen(port, 4), 'windows')!;
      assert.equal(owner.kind, 'http-sys');
      assert.match(owner.stop!, /netsh http show servicestate/);
    }
    assert.match(protectionReason(4, 'System', windows)!, /HTTP\.sys.*netsh http show servicestate/);
  });

  it('recorded shape: wslrelay.exe forwards from WSL; Docker Desktop publishes', () => {
    assert.deepEqual(classifyOwner(WSLRELAY, listen(3000, 7720), 'windows')?.kind, 'wsl');
    assert.match(classifyOwner(WSLRELAY, null, 'windows')!.stop!, /inside WSL/);
    assert.match(classifyOwner(info(5000, 'com.docker.backend.exe'), listen(5432, 5000), 'windows')!.stop!, /docker ps --filter publish=5432/);
  });

  it('porttop\'s ancestors are refused, not only its parent', () => {
    assert.match(protectionReason(8000, 'cmd', windows)!, /ancestor of porttop/);
    assert.match(protectionReason(7000, 'bash', { platform: 'linux', selfPid: 1, parentPid: 2, ancestors: [2, 7000], allowCritical: false })!, /ancestor/);
  });
});
