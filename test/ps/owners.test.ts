// Issue 8, the PowerShell side: what Get-PortTopSnapshot.ps1 tells about owners, on recorded shapes
// of a Windows server (test/fixtures/windows/owners-recorded.json) with the Windows-only commands
// (Get-Process included, for PIDs that exist only there) replaced, in a real pwsh.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PowerShellBackend } from '../../src/ps/backend.js';
import { fakeSession, fixture } from './fake.js';
import { requirePwsh } from './pwsh.js';

interface Recorded {
  processes: unknown[];
  cimProcesses: unknown[];
  services: unknown[];
  tcp: unknown[];
}

const RECORDED = JSON.parse(fixture('owners-recorded.json')) as Recorded;

function recordedSession(pwsh: string) {
  return fakeSession(pwsh, {
    FakeProcesses: JSON.stringify(RECORDED.processes),
    FakeCimProcesses: JSON.stringify(RECORDED.cimProcesses),
    FakeServices: JSON.stringify(RECORDED.services),
    FakeTcp: JSON.stringify(RECORDED.tcp),
  });
}

describe('owners on Windows (recorded shapes, real pwsh)', () => {
  test('recorded shape: svchost hosting RpcSs (135) and TermService (3389) carries its services and parent chain', async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    const session = recordedSession(pwsh);
    try {
      const snapshot = await new PowerShellBackend(session).snapshot();
      const rpc = snapshot.processes.get(1128)!;
      assert.equal(rpc.name, 'svchost');
      assert.deepEqual(rpc.services, [
        { name: 'RpcSs', displayName: 'Remote Procedure Call (RPC)', state: 'Running', acceptStop: false },
        { name: 'RpcEptMapper', displayName: 'RPC Endpoint Mapper', state: 'Running', acceptStop: false },
      ]);
      assert.equal(rpc.commandLine, 'C:\\Windows\\system32\\svchost.exe -k RPCSS -p');
      assert.equal(rpc.parentPid, 700);
      assert.deepEqual(rpc.parentChain, [{ pid: 700, name: 'services' }, { pid: 560, name: 'wininit' }], 'up to the first unknown ancestor (480 is gone)');
      assert.equal(rpc.startTime, '2026-11-30T08:00:01.250Z');
      const rdp = snapshot.processes.get(1400)!;
      assert.deepEqual(rdp.services, [{ name: 'TermService', displayName: 'Remote Desktop Services', state: 'Running', acceptStop: true }]);
      assert.equal(snapshot.endpoints.find((endpoint) => endpoint.localPort === 3389)!.pid, 1400);
    } finally {
      await session.close();
    }
  });

  test('recorded shape: PID 4 on 80 and 5985 is the System process (HTTP.sys), with no services', async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    const session = recordedSession(pwsh);
    try {
      const snapshot = await new PowerShellBackend(session).snapshot({ localPorts: new Set([80, 5985]) });
      assert.deepEqual(snapshot.endpoints.map((endpoint) => [endpoint.localPort, endpoint.family, endpoint.pid]), [[80, 'ipv4', 4], [5985, 'ipv6', 4]]);
      const system = snapshot.processes.get(4)!;
      assert.deepEqual([system.name, system.startTime, system.services], ['System', null, []]);
      assert.deepEqual([...snapshot.processes.keys()], [4], 'only the owners of the asked ports');
    } finally {
      await session.close();
    }
  });

  test('recorded shape: wslrelay.exe holding [::1]:3000 is named with its command line', async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    const session = recordedSession(pwsh);
    try {
      const snapshot = await new PowerShellBackend(session).snapshot({ localPorts: new Set([3000]) });
      assert.deepEqual(snapshot.endpoints.map((endpoint) => [endpoint.localAddress, endpoint.pid]), [['::1', 7000]]);
      const relay = snapshot.processes.get(7000)!;
      assert.equal(relay.name, 'wslrelay');
      assert.match(relay.commandLine!, /wslrelay\.exe" --mode 2/);
      assert.deepEqual(relay.services, []);
      assert.deepEqual(relay.parentChain, [], 'its parent (6990) is not running');
    } finally {
      await session.close();
    }
  });

  test('recorded shape: a connection created before its PID\'s process started is not given to that process', async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    const session = recordedSession(pwsh);
    try {
      const snapshot = await new PowerShellBackend(session).snapshot();
      const connection = snapshot.endpoints.find((endpoint) => endpoint.localPort === 50312)!;
      assert.equal(connection.pid, null, 'owner unknown, not notepad');
      assert.equal(snapshot.processes.has(5120), false);
      assert.ok(snapshot.warnings.some((warning) => /PID reused: .*PID 5120 \(port 50312\) started after the socket was created/.test(warning)), snapshot.warnings.join('; '));
      // the others keep their owners
      assert.equal(snapshot.endpoints.find((endpoint) => endpoint.localPort === 135)!.pid, 1128);
    } finally {
      await session.close();
    }
  });
});

describe("porttop's own ancestors on the ps backend (real pwsh, real processes)", () => {
  test('the snapshot lists the ancestors of this process, nearest first, from /proc here (Win32_Process on Windows)', async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    if (process.platform !== 'linux') return t.skip('parents from /proc here; Windows covered by the CI jobs');
    const session = fakeSession(pwsh, {});
    try {
      const snapshot = await new PowerShellBackend(session).snapshot({ localPorts: new Set([9]) });
      assert.equal(snapshot.porttopAncestors?.[0], process.ppid, `ancestors: ${snapshot.porttopAncestors?.join(' ')}`);
      assert.ok(snapshot.porttopAncestors!.length >= 1);
    } finally {
      await session.close();
    }
  });
});
