// On real Windows (CI: PORTTOP_REQUIRE_WINDOWS=1): port 135 is held by the svchost that runs RpcSs.
// `who` names the services and Stop-Service; `kill --dry-run` refuses the host (exit 3) and says why.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import type { KillJson } from '../../src/commands/kill.js';
import type { OwnedEndpoint } from '../../src/core/select.js';
import { BIN } from '../helpers/cli.js';
import { requireWindows } from './pwsh.js';

const bin = (...args: string[]) => {
  const run = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
};

describe('a real svchost port (135)', () => {
  test('who names the RpcSs host and its services; kill --dry-run refuses it with exit 3', (t) => {
    if (!requireWindows(t)) return;
    const who = bin('who', '135', '--json');
    assert.equal(who.code, 0, who.stderr);
    const listener = (JSON.parse(who.stdout) as OwnedEndpoint[]).find((row) => row.state === 'LISTEN')!;
    const holder = listener.holders[0]!;
    assert.match(holder.processName ?? '', /^svchost/i);
    assert.ok(holder.services.some((service) => service.name === 'RpcSs'), JSON.stringify(holder.services));
    const text = bin('who', '135');
    assert.match(text.stdout, /owner: Windows services? .*RpcSs/);
    assert.match(text.stdout, /stop it with: Stop-Service/);
    const dry = bin('kill', '135', '--dry-run', '--json');
    assert.equal(dry.code, 3, dry.stdout + dry.stderr);
    const [report] = (JSON.parse(dry.stdout) as KillJson).processes;
    assert.equal(report!.outcome, 'refused');
    assert.match(report!.message, /RpcSs \(Windows cannot run without RPC: it restarts the machine\)/);
  });
});
