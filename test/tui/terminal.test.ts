// The built live view in real terminals of several sizes (tmux): the key line keeps `q quit` at
// 80x24, the header collapses instead of scrolling off at 60x15 and 40x10, and NO_COLOR / FORCE_COLOR
// decide whether colour codes reach the terminal. It reads this machine's /proc (nothing is changed); a
// listener of its own makes sure the table has a row to select, whatever else this machine runs.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startHolder, type Holder } from '../helpers/children.js';
import { BIN } from '../helpers/cli.js';
import { TMUX, TmuxScreen } from '../helpers/tmux.js';

const missing = existsSync(TMUX) ? null : `needs tmux at ${TMUX} (apt-get install -y tmux)`;
/** SGR sequences that set a foreground colour (30-37, 90-97, 38;...) */
const COLOUR_CODE = /\u001b\[(?:[0-9;]*;)?(?:3[0-8]|9[0-7])(?:;[0-9;]*)?m/;

async function withView(size: [number, number], env: NodeJS.ProcessEnv, check: (screen: TmuxScreen) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'porttop-term-'));
  const screen = new TmuxScreen(`view${size.join('x')}`);
  const codeFile = join(dir, 'exit-code');
  try {
    const unset = Object.keys(env).length === 0 ? 'env -u NO_COLOR -u FORCE_COLOR ' : '';
    screen.start(`${unset}${process.execPath} ${BIN} --backend linux --interval 60; echo $? > ${codeFile}`, size[0], size[1], env);
    await check(screen);
    screen.keys('q');
    await screen.waitFor(() => existsSync(codeFile) && readFileSync(codeFile, 'utf8').trim() !== '', 'porttop to exit');
    assert.equal(readFileSync(codeFile, 'utf8').trim(), '0');
  } finally {
    screen.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const ready = (text: string) => /PID NAME/.test(text) && /q quit/.test(text);

describe('the live view in a real terminal', { skip: missing ?? false, timeout: 120_000 }, () => {
  let listener: Holder | undefined;
  before(async () => {
    listener = await startHolder(`import net from 'node:net'; const s = net.createServer().listen(0, '127.0.0.1', () => ready(s.address().port)); setInterval(() => {}, 1000);`);
  });
  after(async () => {
    await listener?.stop();
  });

  it('at 80x24 the key line keeps "q quit" and "? help"', async () => {
    await withView([80, 24], {}, async (screen) => {
      const shown = await screen.waitFor(ready, 'the table and the key line');
      const keyLine = shown.split('\n').filter((line) => line.trim() !== '').at(-1)!;
      assert.match(keyLine, /^\? help .* q quit$/);
      assert.ok(keyLine.length <= 80);
    });
  });

  for (const [columns, rows] of [[60, 15], [40, 10]] as const) {
    it(`at ${columns}x${rows} the header collapses and stays on the first line, the table and keys below`, async () => {
      await withView([columns, rows], {}, async (screen) => {
        const shown = await screen.waitFor(ready, 'the table and the key line');
        const lines = shown.split('\n');
        assert.match(lines[0]!, /^(OK|WARNING|EXHAUSTED) .*porttop|^porttop /, `the first line is the header:\n${shown}`);
        assert.ok(lines.findIndex((line) => /PID NAME/.test(line)) < rows - 3, `at least one row of the table fits:\n${shown}`);
        assert.equal(lines.filter((line) => /^(TCP|UDP)6? \d+-\d+/.test(line)).length, 0, 'no full gauge lines: they collapsed');
      });
    });
  }

  it('draws colour by default and none under NO_COLOR=1; FORCE_COLOR=1 wins over NO_COLOR', async () => {
    await withView([100, 24], {}, async (screen) => {
      const shown = await screen.waitFor((text) => ready(text) && COLOUR_CODE.test(text), 'a coloured frame', 15_000, true);
      assert.match(shown, COLOUR_CODE);
    });
    await withView([100, 24], { NO_COLOR: '1' }, async (screen) => {
      const shown = await screen.waitFor(ready, 'a frame', 15_000, true);
      assert.doesNotMatch(shown, COLOUR_CODE, 'no colour codes under NO_COLOR');
      assert.match(shown, /^>/m, 'the selection still shows, as a mark');
    });
    await withView([100, 24], { NO_COLOR: '1', FORCE_COLOR: '1' }, async (screen) => {
      const shown = await screen.waitFor((text) => ready(text) && COLOUR_CODE.test(text), 'a coloured frame', 15_000, true);
      assert.match(shown, COLOUR_CODE);
    });
  });
});
