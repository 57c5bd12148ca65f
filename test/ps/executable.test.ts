// Which PowerShell porttop starts: PORTTOP_PWSH, pwsh on PATH, powershell.exe on Windows.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BackendError } from '../../src/errors.js';
import { findPowerShell, type ExecutableSearch } from '../../src/ps/executable.js';

function search(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, existing: string[]): ExecutableSearch {
  return { platform, env, isExecutable: (path) => existing.includes(path) };
}

describe('findPowerShell', () => {
  test('PORTTOP_PWSH wins, and a wrong one is an error naming it', () => {
    assert.equal(findPowerShell(search('linux', { PORTTOP_PWSH: '/opt/pwsh', PATH: '/usr/bin' }, ['/opt/pwsh', '/usr/bin/pwsh'])), '/opt/pwsh');
    assert.throws(() => findPowerShell(search('linux', { PORTTOP_PWSH: '/nope' }, [])), /PowerShell not found \(looked for pwsh, powershell\): PORTTOP_PWSH=\/nope is not an executable file/);
  });

  test('pwsh on PATH, in PATH order; a dotnet tool directory is not assumed', () => {
    assert.equal(findPowerShell(search('linux', { PATH: '/a:/b' }, ['/b/pwsh', '/a/pwsh'])), '/a/pwsh');
    assert.throws(() => findPowerShell(search('linux', { PATH: '/a', HOME: '/root' }, ['/root/.dotnet/tools/pwsh'])), (error: unknown) => {
      assert.ok(error instanceof BackendError);
      assert.equal(error.exitCode, 4);
      assert.match(error.message, /^PowerShell not found \(looked for pwsh, powershell\)/);
      return true;
    });
  });

  test('on Windows: pwsh.exe before powershell.exe, then the built-in Windows PowerShell', () => {
    const env = { Path: 'C:\\Program Files\\PowerShell\\7;C:\\Windows\\System32\\WindowsPowerShell\\v1.0', SystemRoot: 'C:\\Windows' };
    // path.join is POSIX here; what matters is the order of names and directories
    const pwsh = findPowerShell(search('win32', env, ['C:\\Program Files\\PowerShell\\7/pwsh.exe', 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0/powershell.exe']));
    assert.match(pwsh, /pwsh\.exe$/);
    assert.equal(findPowerShell(search('win32', { Path: 'C:\\x', SystemRoot: 'C:\\Windows' }, ['C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe'])), 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe');
  });
});
