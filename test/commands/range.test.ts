// `porttop range` in-process on a Windows-shaped backend: show, set and reset with --json field names
// that match the flags, one undo command, and nothing changed on bad input.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { processes, snapshotOf, windowsRanges } from '../diagnose/snapshots.js';
import { MemoryBackend } from './memoryBackend.js';

const windows = () => new MemoryBackend({ platform: 'windows', snapshot: snapshotOf([], processes()), ranges: windowsRanges() });

describe('porttop range', () => {
  it('show --json names the size num, as the --num flag does', async () => {
    const run = await runCli(['range', 'show', '--json'], windows());
    assert.deepEqual(JSON.parse(run.stdout)[0], { protocol: 'tcp', family: 'ipv4', start: 49152, num: 16384, end: 65535 });
  });

  it('set --proto tcp --family ipv4 changes that range and prints the one command that undoes it', async () => {
    const backend = windows();
    const run = await runCli(['range', 'set', '--start', '10000', '--num', '1000', '--proto', 'tcp', '--family', 'ipv4', '--json'], backend);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.deepEqual(report.after[0], { protocol: 'tcp', family: 'ipv4', start: 10000, num: 1000, end: 10999 });
    assert.deepEqual(report.undo, ['porttop range set --start 49152 --num 16384 --proto tcp --family ipv4']);
    assert.equal(backend.rangeChanges.length, 1);
  });

  it('a bad --num changes nothing: one line, exit 2', async () => {
    const backend = windows();
    const run = await runCli(['range', 'set', '--start', '10000', '--num', '10'], backend);
    assert.equal(run.code, 2);
    assert.equal(run.stderr, "porttop: invalid --num '10': expected a whole number of ports, at least 255\n");
    assert.equal(backend.rangeChanges.length, 0);
  });

  it('reset goes back to the OS default', async () => {
    const backend = windows();
    const run = await runCli(['range', 'reset', '--dry-run'], backend);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^dry run: nothing changed\n/);
    assert.equal(backend.rangeChanges.length, 0);
  });
});
