// The PowerShell session against a real pwsh: framing, queueing, timeouts, restarts, encoding, cleanup.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BackendError } from '../../src/errors.js';
import { PowerShellScriptError } from '../../src/ps/envelope.js';
import { PowerShellSession } from '../../src/ps/session.js';
import { pidAlive, requirePwsh, TEST_SCRIPTS_DIR, waitForPidGone } from './pwsh.js';

interface Echo {
  text: string;
  length: number;
  number: number;
  words: string[];
  pid: number;
}

function openSession(executable: string, timeoutMs = 30_000): PowerShellSession {
  return new PowerShellSession({ executable, scriptsDir: TEST_SCRIPTS_DIR, timeoutMs });
}

describe('PowerShell session (real pwsh)', () => {
  test('starts lazily on the first call, with the PowerShell version known', async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    const session = openSession(pwsh);
    try {
      assert.equal(session.pid, null, 'no process before the first call');
      const echo = await session.call<Echo>('Echo-PortTopText', { Text: 'hello', Number: 42 });
      assert.deepEqual([echo.text, echo.number], ['hello', 42]);
      assert.equal(echo.pid, session.pid);
      assert.match(session.version, /^\d+\.\d+/);
    } finally {
      await session.close();
    }
  });

  test('500 sequential calls in one process, each with its own answer and no history kept', async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    const session = openSession(pwsh);
    try {
      for (let i = 0; i < 500; i++) {
        const echo = await session.call<Echo>('Echo-PortTopText', { Number: i });
        assert.equal(echo.number, i);
      }
      assert.equal(session.starts, 1, 'one PowerShell process for all calls');
      const shell = (session as unknown as { live: { shell: { history: unknown[] } } }).live.shell;
      assert.equal(shell.history.length, 0, 'node-powershell history is cleared after each call');
    } finally {
      await session.close();
    }
  });

  test('concurrent callers are served one at a time, in order, each with its own answer', async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    const session = openSession(pwsh);
    try {
      const finished: number[] = [];
      const submitted: number[] = [];
      const callers = [0, 1, 2, 3].map(async (caller) => {
        const answers: number[] = [];
        await new Promise((resolve) => setTimeout(resolve, caller)); // callers arrive at different times
        const calls = Array.from({ length: 25 }, (_, i) =>
          (submitted.push(caller * 1000 + i), session.call<Echo>('Echo-PortTopText', { Number: caller * 1000 + i, Text: `caller ${caller}` })).then((echo) => {
            finished.push(echo.number);
            assert.equal(echo.text, `caller ${caller}`);
            return echo.number;
          }),
        );
        answers.push(...(await Promise.all(calls)));
        return answers;
      });
      const results = await Promise.all(callers);
      results.forEach((answers, caller) => assert.deepEqual(answers, Array.from({ length: 25 }, (_, i) => caller * 1000 + i)));
      // one at a time, in the order the calls were made
      assert.deepEqual(finished, submitted);
      assert.equal(session.starts, 1);
    } finally {
      await session.close();
    }
  });

  test("a script's PowerShell error surfaces with PowerShell's message, and the session goes on", async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    const session = openSession(pwsh);
    try {
      await assert.rejects(session.call('Fail-PortTopScript', { Message: 'nowhere' }), (error: unknown) => {
        assert.ok(error instanceof PowerShellScriptError);
        assert.equal(error.exitCode, 4);
        assert.match(error.message, /Cannot find path .*nowhere/);
        return true;
      });
      await assert.rejects(session.call('Write-PortTopStderr', { NoEnvelope: true }), (error: unknown) => {
        assert.ok(error instanceof BackendError);
        assert.match(error.message, /PowerShell reported an error in Write-PortTopStderr: .*escaped error record/);
        return true;
      });
      // stray stderr beside a valid envelope: the envelope wins, the text is kept as a warning
      assert.deepEqual(await session.call('Write-PortTopStderr'), { answer: 42 });
      const warnings = session.takeWarnings();
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]!, /PowerShell wrote to stderr during Write-PortTopStderr: .*escaped error record/);
      assert.deepEqual(session.takeWarnings(), [], 'taken once');
      const pid = session.pid;
      assert.equal((await session.call<Echo>('Echo-PortTopText', { Text: 'still here' })).text, 'still here');
      assert.equal(session.pid, pid, 'an error does not cost a restart');
    } finally {
      await session.close();
    }
  });

  test('a hung call times out, its PowerShell is killed, and the next call runs in a new one', async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    const session = openSession(pwsh, 1500);
    try {
      await session.call('Echo-PortTopText', {}, { timeoutMs: 60_000 }); // start-up may be slow on a busy machine
      const hungPid = session.pid!;
      const started = Date.now();
      await assert.rejects(session.call('Wait-PortTopSleep', { Seconds: 300 }), /did not finish Wait-PortTopSleep within 1\.5 s: stopped it/);
      assert.ok(Date.now() - started < 10_000, 'the timeout fired in time');
      assert.equal(await waitForPidGone(hungPid), true, `PowerShell ${hungPid} was killed`);
      const echo = await session.call<Echo>('Echo-PortTopText', { Text: 'fresh' });
      assert.equal(echo.text, 'fresh');
      assert.notEqual(echo.pid, hungPid);
      assert.equal(session.starts, 2);
    } finally {
      await session.close();
    }
  });

  test('a PowerShell killed from outside is replaced on the next call', async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    const session = openSession(pwsh);
    try {
      const first = (await session.call<Echo>('Echo-PortTopText')).pid;
      process.kill(first, 'SIGKILL');
      assert.equal(await waitForPidGone(first), true);
      await new Promise((resolve) => setTimeout(resolve, 50)); // let the exit event arrive
      const echo = await session.call<Echo>('Echo-PortTopText', { Text: 'replaced' });
      assert.equal(echo.text, 'replaced');
      assert.notEqual(echo.pid, first);
      assert.equal(session.starts, 2);
    } finally {
      await session.close();
    }
  });

  test('killed from outside, then called at once (no pause), 20 times while two busy loops hold both cores: every call succeeds', async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    const deadline = Date.now() + 150_000; // bounded: on a very slow machine fewer rounds, at least 5
    const busy = [0, 1].map(() => spawn(process.execPath, ['-e', 'const end = Date.now() + 170000; while (Date.now() < end) {}'], { stdio: 'ignore' }));
    const session = openSession(pwsh, 60_000);
    let rounds = 0;
    try {
      let previous = (await session.call<Echo>('Echo-PortTopText', { Text: 'start' })).pid;
      for (; rounds < 20 && Date.now() < deadline; rounds++) {
        process.kill(previous, 'SIGKILL');
        const echo = await session.call<Echo>('Echo-PortTopText', { Text: `round ${rounds}` });
        assert.equal(echo.text, `round ${rounds}`);
        assert.notEqual(echo.pid, previous, 'a new PowerShell answered');
        previous = echo.pid;
      }
      t.diagnostic(`${rounds} rounds, ${session.starts} PowerShell starts`);
      assert.ok(rounds >= 3, `only ${rounds} rounds in 150 s`);
    } finally {
      for (const child of busy) child.kill('SIGKILL');
      await session.close();
    }
  });

  test('Cyrillic, CJK, emoji and PowerShell metacharacters round-trip unchanged', async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    const session = openSession(pwsh);
    try {
      const texts = ['Привет, мир: Ёлка', '你好世界 ポート 포트', 'emoji 🎉 and "quotes" \'single\' $env:PATH `n $(Get-Date) ; exit', 'line\nbreak\ttab'];
      for (const text of texts) {
        const echo = await session.call<Echo>('Echo-PortTopText', { Text: text, Words: [text, 'второй'] });
        assert.equal(echo.text, text);
        assert.equal(echo.length, text.length, 'PowerShell saw the same UTF-16 string');
        assert.deepEqual(echo.words, [text, 'второй']);
      }
    } finally {
      await session.close();
    }
  });

  test('close leaves no PowerShell behind, and later calls fail plainly', async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    const session = openSession(pwsh);
    const pid = (await session.call<Echo>('Echo-PortTopText')).pid;
    assert.equal(session.pid, pid, 'session.pid is the PowerShell running the scripts');
    const spawned = session.spawnedPid!;
    await session.close();
    assert.equal(await waitForPidGone(pid, 2000), true, `PowerShell ${pid} is gone after close`);
    assert.equal(pidAlive(spawned), false, `spawned process ${spawned} is gone after close`);
    await session.close(); // twice is fine
    await assert.rejects(session.call('Echo-PortTopText'), /session is closed/);
  });

  test('close during a hung call ends PowerShell at once; the running and queued calls fail', async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    const session = openSession(pwsh);
    await session.call('Echo-PortTopText');
    const pid = session.pid!;
    const hung = session.call('Wait-PortTopSleep', { Seconds: 300 });
    const queued = session.call('Echo-PortTopText');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = Date.now();
    await session.close();
    assert.ok(Date.now() - started < 5000, 'close did not wait for the call');
    await assert.rejects(hung, /the PowerShell session was closed during Wait-PortTopSleep/);
    await assert.rejects(queued, /session is closed/);
    assert.equal(await waitForPidGone(pid, 2000), true);
  });

  test('a missing executable fails the call with a BackendError, not a crash', async () => {
    const session = new PowerShellSession({ executable: '/nonexistent/pwsh', scriptsDir: TEST_SCRIPTS_DIR });
    await assert.rejects(session.call('Echo-PortTopText'), (error: unknown) => {
      assert.ok(error instanceof BackendError);
      assert.match(error.message, /cannot start PowerShell \(\/nonexistent\/pwsh\): ENOENT/);
      return true;
    });
    await session.close();
  });

  test('a value that is not a plain number is refused before anything runs', async () => {
    const session = new PowerShellSession({ executable: '/nonexistent/pwsh', scriptsDir: TEST_SCRIPTS_DIR });
    assert.throws(() => session.call('Echo-PortTopText', { Number: Number.NaN }), /not a plain decimal number/);
    await assert.rejects(session.call('Echo; Remove-Item'), /not a porttop script name/);
    assert.equal(session.starts, 0);
    await session.close();
  });
});

const HOLDER = fileURLToPath(new URL('./hold-session.ts', import.meta.url));

async function startHolder(pwsh: string, mode?: string): Promise<{ child: ReturnType<typeof spawn>; pwshPid: number; spawnedPid: number; stderr: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', HOLDER, pwsh, ...(mode ? [mode] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout! });
  const [pwshPid, spawnedPid] = await new Promise<number[]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`holder not ready; stderr: ${stderr}`)), 30_000);
    lines.on('line', (line) => {
      if (line.startsWith('READY ')) {
        clearTimeout(timer);
        resolve(line.slice(6).split(' ').map(Number));
      }
    });
    child.once('exit', () => reject(new Error(`holder exited early; stderr: ${stderr}`)));
  });
  return { child, pwshPid: pwshPid!, spawnedPid: spawnedPid!, stderr: () => stderr };
}

describe('no PowerShell is left when the porttop process ends (real processes)', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    test(`${signal} during a call: the pwsh child is killed and the process still dies of ${signal}`, async (t) => {
      const pwsh = requirePwsh(t);
      if (!pwsh) return;
      if (process.platform === 'win32') return t.skip('POSIX signals: Windows has no SIGINT/SIGTERM delivery between processes');
      const holder = await startHolder(pwsh);
      assert.ok(pidAlive(holder.pwshPid), 'the session is open');
      const exited = once(holder.child, 'exit');
      holder.child.kill(signal);
      const [code, exitSignal] = (await exited) as [number | null, NodeJS.Signals | null];
      assert.equal(exitSignal, signal, `died of the re-raised ${signal} (code ${code})`);
      assert.equal(await waitForPidGone(holder.pwshPid, 5000), true, `pwsh ${holder.pwshPid} is gone`);
      assert.equal(await waitForPidGone(holder.spawnedPid, 5000), true, `spawned ${holder.spawnedPid} is gone`);
    });
  }

  test('SIGKILL to porttop during a hung call: PowerShell notices its parent is gone and ends within a few seconds', async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    if (process.platform === 'win32') return t.skip('POSIX signals');
    const holder = await startHolder(pwsh);
    assert.ok(pidAlive(holder.pwshPid), 'the session is open');
    const exited = once(holder.child, 'exit');
    holder.child.kill('SIGKILL'); // no handler of porttop's runs: only PowerShell's own watch can end it
    await exited;
    const killedAt = Date.now();
    assert.equal(await waitForPidGone(holder.pwshPid, 15_000), true, `pwsh ${holder.pwshPid} is gone`);
    t.diagnostic(`pwsh ended ${Date.now() - killedAt} ms after porttop's SIGKILL`);
    if (holder.spawnedPid !== holder.pwshPid) await waitForPidGone(holder.spawnedPid, 5000);
  });

  test('an uncaught error: the pwsh child is killed and the process exits with an error', async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    const holder = await startHolder(pwsh, 'crash');
    const [code] = (await once(holder.child, 'exit')) as [number | null];
    assert.notEqual(code, 0);
    assert.match(holder.stderr(), /deliberate uncaught error/);
    assert.equal(await waitForPidGone(holder.pwshPid, 5000), true, `pwsh ${holder.pwshPid} is gone`);
  });
});
