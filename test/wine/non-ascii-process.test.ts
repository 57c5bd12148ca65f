// Under Wine, the Windows build of pwsh starts with the console on OEM code page 437, as a fresh
// Windows console does: a process named порт東 printed as raw JSON text comes out as "?????". These
// tests run the real scripts there (one pwsh per run) against a real Windows process with that name
// (a copy of Wine's cmd.exe), read the name from the snapshot as porttop does, and hand it back to
// Stop-PortTopProcess.ps1, whose name check must then recognise the process.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ProcessInfo } from '../../src/core/model.js';
import { parseEnvelope, toKillOutcome, toSnapshot } from '../../src/ps/envelope.js';
import { pidAlive, waitForPidGone } from '../ps/pwsh.js';
import { requireWine, runWinePwsh, scriptCallsSource, startWineProgram, WINE_BED, windowsPath, type WineProgram, type WineRun } from '../helpers/wine.js';

const NAME = 'порт東';


function nonAscii(bytes: Buffer): string[] {
  return [...bytes].filter((byte) => byte > 0x7f).map((byte) => byte.toString(16));
}

function describeRun(run: WineRun): string {
  return `exit ${run.code}, ${Math.round(run.ms)} ms; stdout: ${run.stdout.toString('latin1').slice(0, 600)}; stderr: ${run.stderr.slice(0, 600)}`;
}

describe('under Wine: a process named порт東 under code page 437', { timeout: 480_000 }, () => {
  let dir = '';
  let program: WineProgram | null = null;
  let exe = '';

  before(() => {
    if (WINE_BED === null) return;
    dir = mkdtempSync(join(tmpdir(), 'porttop-wine-'));
    exe = join(dir, `${NAME}.exe`);
    copyFileSync(join(WINE_BED.prefix, 'drive_c', 'windows', 'system32', 'cmd.exe'), exe);
    // cmd /k waits on its stdin, an open pipe, until it is stopped
    program = startWineProgram(WINE_BED, exe, ['/k']);
  });

  after(async () => {
    await program?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  let seen: ProcessInfo | undefined;

  test('Get-PortTopSnapshot.ps1 prints pure-ASCII JSON that names порт東 exactly', async (t) => {
    const bed = requireWine(t);
    if (!bed) return;
    await program!.loaded;
    // our copy among Wine's processes, by its unique path (another test run may start one too).
    // Wine reports no owner for real sockets, so a BOUND row from the stand-in Get-NetTCPConnection
    // (recorded shape: Wine has no NetTCPIP) names it as the owner of port 9 and draws it into the list.
    const findOurs = `$ours = @(Get-Process -ErrorAction SilentlyContinue | Where-Object { $_.Path -eq '${windowsPath(exe).replaceAll("'", "''")}' })[0]`;
    const boundRow = "if ($ours) { $global:PortTopWineTcpRows = @([pscustomobject]@{ LocalAddress = '0.0.0.0'; LocalPort = 9; RemoteAddress = '0.0.0.0'; RemotePort = 0; State = 'Bound'; OwningProcess = [uint32]$ours.Id; CreationTime = $null }) }";
    let run: WineRun | undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
      run = await runWinePwsh(bed, scriptCallsSource([{ script: 'Get-PortTopSnapshot', parameters: { LocalPort: [9] } }], {
        before: [findOurs, boundRow],
        after: ['[Console]::OutputEncoding.CodePage', '"pid=$($ours.Id)"'],
      }));
      // a program Wine just loaded may not be in Windows' process list yet on a busy machine
      if (run.lines.length === 3 && run.lines[2] !== 'pid=') break;
    }
    t.diagnostic(`pwsh under Wine: ${Math.round(run!.ms)} ms`);
    assert.equal(run!.lines.length, 3, describeRun(run!));
    const [json, codePage, pidText] = run!.lines as [string, string, string];
    assert.equal(codePage, '437', 'the console kept the OEM code page');
    assert.deepEqual(nonAscii(run!.stdout), [], `every byte is ASCII: ${describeRun(run!)}`);
    // through porttop's own reading of the envelope, to the model the commands print
    const snapshot = toSnapshot(parseEnvelope(json, 'Get-PortTopSnapshot'), new Date().toISOString());
    seen = snapshot.processes.get(Number(pidText.slice('pid='.length)));
    assert.ok(seen, `${pidText} is among the processes: ${json.slice(0, 400)}`);
    assert.equal(seen.name, NAME);
    assert.match(seen.startTime ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.deepEqual(snapshot.endpoints.map((endpoint) => [endpoint.localPort, endpoint.state, endpoint.pid]), [[9, 'BOUND', seen.pid]]);
  });

  test('Stop-PortTopProcess.ps1 leaves it alone under another name and stops it under the name the snapshot gave', async (t) => {
    const bed = requireWine(t);
    if (!bed) return;
    assert.ok(seen && program, 'the snapshot test found the process');
    assert.equal(pidAlive(program.pid), true, 'still running before the stop');
    const parameters = { Id: seen.pid, ExpectedStartTime: seen.startTime ?? undefined };
    const run = await runWinePwsh(bed, scriptCallsSource([
      { script: 'Stop-PortTopProcess', parameters: { ...parameters, ExpectedName: 'порт西' } },
      { script: 'Stop-PortTopProcess', parameters: { ...parameters, ExpectedName: seen.name } },
    ]));
    t.diagnostic(`pwsh under Wine: ${Math.round(run.ms)} ms`);
    assert.equal(run.lines.length, 2, describeRun(run));
    assert.deepEqual(nonAscii(run.stdout), [], `every byte is ASCII: ${describeRun(run)}`);
    const [wrongName, rightName] = run.lines.map((line) => toKillOutcome(parseEnvelope(line, 'Stop-PortTopProcess')));
    assert.equal(wrongName!.outcome, 'gone', JSON.stringify(wrongName));
    assert.equal(wrongName!.name, NAME);
    assert.match(wrongName!.message, /now belongs to порт東, not порт西: left alone/);
    assert.equal(rightName!.outcome, 'stopped', JSON.stringify(rightName));
    assert.equal(rightName!.name, NAME);
    assert.equal(await waitForPidGone(program.pid, 10_000), true, 'the Wine process behind it ended');
  });
});
