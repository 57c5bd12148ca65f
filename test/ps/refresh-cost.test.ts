// Less per refresh (issue 9 item 4), against a real pwsh with the Windows-only commands replaced:
// the four ranges are cached (read again after 60 s and after range set), and a snapshot's call
// timeout grows with the number of rows seen last time.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PowerShellBackend, RANGE_CACHE_MS, SNAPSHOT_MS_PER_ROW } from '../../src/ps/backend.js';
import type { PowerShellSession } from '../../src/ps/session.js';
import { fakeSession, fixture } from './fake.js';
import { requirePwsh } from './pwsh.js';

function spyOnCalls(session: PowerShellSession): { script: string; timeoutMs: number | undefined }[] {
  const calls: { script: string; timeoutMs: number | undefined }[] = [];
  const original = session.call.bind(session);
  session.call = ((script: string, parameters?: Record<string, never>, options?: { timeoutMs?: number }) => {
    calls.push({ script, timeoutMs: options?.timeoutMs });
    return original(script, parameters, options);
  }) as PowerShellSession['call'];
  return calls;
}

describe('PowerShell backend: less per refresh (real pwsh)', () => {
  test('ranges are read once per 60 s, and again at once after range set', async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    const session = fakeSession(pwsh, { FakeTcp: fixture('tcp-connections.json') });
    let clock = 1_000_000;
    const backend = new PowerShellBackend(session, () => clock);
    const calls = spyOnCalls(session);
    try {
      const first = await backend.getRanges();
      assert.equal(first.length, 4);
      clock += RANGE_CACHE_MS - 1;
      assert.deepEqual(await backend.getRanges(), first);
      assert.equal(calls.filter((call) => call.script === 'Get-DynamicPortRange').length, 1, 'the second look came from the cache');
      clock += 2;
      await backend.getRanges();
      assert.equal(calls.filter((call) => call.script === 'Get-DynamicPortRange').length, 2, 'read again after 60 s');

      // range set reads them back (one call) and the next look sees the new value, not a cached one
      await backend.setRange({ start: 20000, count: 1000, protocols: ['tcp'], families: ['ipv4'] });
      const after = await backend.getRanges();
      assert.deepEqual(after.find((range) => range.protocol === 'tcp' && range.family === 'ipv4'), { protocol: 'tcp', family: 'ipv4', start: 20000, count: 1000, end: 20999 });
    } finally {
      await session.close();
    }
  });

  test('the snapshot call timeout grows with the rows seen last time', async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    const session = fakeSession(pwsh, { FakeTcp: fixture('tcp-connections.json'), FakeUdp: fixture('udp-endpoints.json') });
    const backend = new PowerShellBackend(session);
    const calls = spyOnCalls(session);
    try {
      const first = await backend.snapshot();
      await backend.snapshot();
      assert.equal(calls[0]!.timeoutMs, session.timeoutMs, 'nothing seen yet');
      assert.equal(calls[1]!.timeoutMs, session.timeoutMs + first.endpoints.length * SNAPSHOT_MS_PER_ROW);
    } finally {
      await session.close();
    }
  });
});
