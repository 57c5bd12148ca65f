import assert from 'node:assert/strict';
import { test } from 'node:test';
import { afterKill, afterKillError, describePorts, killOptions, openKillDialog } from '../../src/tui/killDialog.js';

const context = { platform: 'linux' as const, selfPid: 500, parentPid: 499 };
const subject = (pid: number) => ({ target: { pid, name: 'node', startTime: '2024-01-01T00:00:00.000Z' }, ports: [8080], force: false });

test('opening the dialog asks for confirmation, unless the process is protected: then it says why at once', () => {
  assert.equal(openKillDialog(subject(1234), context).phase, 'confirm');
  const self = openKillDialog(subject(500), context);
  assert.equal(self.phase, 'error');
  assert.match(self.phase === 'error' ? self.message : '', /refused: that is porttop itself/);
  assert.equal(openKillDialog(subject(1), context).phase, 'error');
});

test('a stop is a result; a refusal, EPERM or a survivor is an error with what to do', () => {
  const working = { phase: 'working' as const, ...subject(1234) };
  const stopped = afterKill(working, { pid: 1234, name: 'node', outcome: 'stopped', signals: ['SIGTERM'], message: 'stopped by SIGTERM' });
  assert.equal(stopped.phase, 'result');
  const denied = afterKill(working, { pid: 1234, name: 'node', outcome: 'not-permitted', signals: [], message: 'EPERM' });
  assert.equal(denied.phase, 'error');
  assert.match(denied.phase === 'error' ? denied.message : '', /not permitted: run as root\/Administrator/);
  const thrown = afterKillError(working, new Error('PowerShell died'));
  assert.equal(thrown.phase === 'error' ? thrown.message : '', 'PowerShell died');
});

test('kill options: SIGTERM with a 3 s grace, or SIGKILL at once when forced; critical processes never', () => {
  assert.deepEqual(killOptions(false), { signal: 'SIGTERM', force: false, timeoutMs: 3000, allowCritical: false });
  assert.equal(killOptions(true).force, true);
});

test('describePorts names a few ports and counts the rest', () => {
  assert.equal(describePorts([]), 'none');
  assert.equal(describePorts([80, 443]), '80, 443');
  assert.equal(describePorts([1, 2, 3, 4], 2), '1, 2 and 2 more');
});

test("the result's port lines speak the platform's words: Administrator on Windows, root on Linux", async () => {
  const { createElement } = await import('react');
  const { render, cleanup } = await import('ink-testing-library');
  const { KillDialogView } = await import('../../src/tui/KillDialogView.js');
  const working = { phase: 'working' as const, ...subject(1234) };
  const hidden = { port: 8080, status: 'hidden' as const, holders: [], timeWait: 0 };
  const dialog = afterKill(working, { pid: 1234, name: 'node', outcome: 'stopped', signals: ['SIGTERM'], message: 'stopped by SIGTERM' }, [], [hidden]);
  assert.ok(dialog.phase === 'result');
  for (const [platform, words] of [['windows', 'run porttop as Administrator'], ['linux', 'run porttop as root (sudo)']] as const) {
    const view = render(createElement(KillDialogView, { dialog, platform, commandWidth: 40 }));
    assert.match((view.lastFrame() ?? '').replace(/\s+/g, ' '), new RegExp(words.replace(/[()]/g, '\\$&')));
    view.unmount();
  }
  cleanup();
});
