// `porttop top` in-process: the checks made before the view loads (no terminal, --json, bad values),
// and the colour decision handed to the view (NO_COLOR, FORCE_COLOR).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { colorOverride } from '../../src/commands/top.js';
import { runCli } from '../helpers/cli.js';
import { linuxRanges, processes, snapshotOf } from '../diagnose/snapshots.js';
import { MemoryBackend } from './memoryBackend.js';

const backend = () => new MemoryBackend({ platform: 'linux', snapshot: snapshotOf([], processes()), ranges: linuxRanges(32768, 28232) });

describe('porttop top', () => {
  it('without a terminal it exits 2 and points to procs', async () => {
    const run = await runCli(['top'], backend());
    assert.equal(run.code, 2);
    assert.equal(run.stderr, 'porttop: the live view needs a terminal (stdin and stdout): use porttop procs for a one-off table\n');
  });

  it('the interval limits are the ones watch has', async () => {
    const top = await runCli(['top', '--interval', '0.05'], backend());
    const watch = await runCli(['watch', '--interval', '0.05'], backend());
    assert.equal(top.stderr, "porttop: invalid --interval '0.05': expected a number of seconds from 0.1 to 86400\n");
    assert.equal(watch.stderr, top.stderr);
  });

  it('NO_COLOR turns colour off; a FORCE_COLOR the user set wins', () => {
    assert.equal(colorOverride({ NO_COLOR: '1' }), '0');
    assert.equal(colorOverride({ NO_COLOR: '' }), undefined, 'an empty NO_COLOR is not set (no-color.org)');
    assert.equal(colorOverride({ NO_COLOR: '1', FORCE_COLOR: '2' }), '2');
    assert.equal(colorOverride({}), undefined);
  });
});
