// `porttop watch`: in-process on a snapshot built in memory (camelCase records, the live line, the
// summary), and `--out` on a real 64 KiB tmpfs in a private mount namespace, where the disk really
// fills: one line and exit 4, never a half line, never an empty file left behind, and a line left
// open by an earlier run is closed before the next one is written.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BIN, runCli } from '../helpers/cli.js';
import { connections, linuxRanges, processes, snapshotOf } from '../diagnose/snapshots.js';
import { MemoryBackend } from './memoryBackend.js';

function backend() {
  const snapshot = snapshotOf(connections(40000, 250, ['127.0.0.1', 5000], 'ESTABLISHED', 10), processes([10, 'client']));
  return new MemoryBackend({ platform: 'linux', snapshot, ranges: linuxRanges(40000, 300) });
}

describe('porttop watch in-process', () => {
  it('--json prints one camelCase record per sample and a summary', async () => {
    const run = await runCli(['watch', '--json', '--count', '2', '--interval', '0.1'], backend());
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trim().split('\n').map((line) => JSON.parse(line));
    assert.equal(lines.length, 3);
    for (const key of Object.keys(lines[0])) assert.match(key, /^[a-z][a-zA-Z0-9]*$/, `camelCase: ${key}`);
    assert.equal(lines[0].tcpIpv4InUse, 250);
    assert.equal(lines[0].tcpIpv4Usable, 300);
    assert.equal(lines[0].verdict, 'warning');
    assert.equal(lines[2].summary.samples, 2);
    assert.equal(lines[2].summary.peak.range, 'tcp/ipv4');
  });

  it('the live line and the summary use the same words as diagnose', async () => {
    const run = await runCli(['watch', '--count', '1', '--interval', '0.1'], backend());
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^\S+Z {2}WARNING +tcp\/ipv4 250\/300 83\.3% .* top PID 10 client 250 ports\n/);
    assert.match(run.stdout, /watch ended: 1 sample from /);
    assert.match(run.stdout, /peak: tcp\/ipv4 250 ports \(83\.3%\) at \S+, verdict WARNING/);
  });
});

const rootWithUnshare = process.getuid?.() === 0 && spawnSync('unshare', ['--mount', 'true']).status === 0;

/**
 * Runs a shell script in a private mount namespace with a 64 KiB tmpfs on $MNT; $OUT outside it
 * keeps what the script copies there. Returns the script's stdout.
 */
function inSmallDisk(dir: string, script: string): string {
  const mnt = join(dir, 'mnt');
  const result = spawnSync('unshare', ['--mount', 'sh', '-c', `mkdir -p "$MNT" && mount -t tmpfs -o size=64k tmpfs "$MNT" && ${script}`], {
    encoding: 'utf8',
    env: { ...process.env, MNT: mnt, OUT: dir, NODE: process.execPath, BIN },
    timeout: 60_000,
  });
  assert.equal(result.status, 0, `the script failed: ${result.stderr}`);
  return result.stdout;
}

/** Fills the tmpfs, then frees `pages` pages of it. */
const FILL = (pages: number) =>
  `(head -c 1048576 /dev/zero > "$MNT/filler" 2>/dev/null || true) && truncate -s -$((${pages} * 4096)) "$MNT/filler"`;

describe('watch --out on a disk that fills up (private mount namespace, 64 KiB tmpfs)', { skip: rootWithUnshare ? false : 'needs root and unshare --mount' }, () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'porttop-watch-out-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('full before the first write: one line, exit 4, no file left behind', () => {
    const out = inSmallDisk(dir, `${FILL(0)}; "$NODE" "$BIN" watch --backend linux --count 1 --out "$MNT/ports.csv" 2> "$OUT/stderr"; echo "exit=$?"; test -e "$MNT/ports.csv" && echo "file left" || true`);
    assert.match(out, /exit=4/);
    assert.doesNotMatch(out, /file left/);
    const stderr = readFileSync(join(dir, 'stderr'), 'utf8');
    assert.equal(stderr.split('\n').filter(Boolean).length, 1, stderr);
    assert.match(stderr, /^porttop: cannot append to --out '.*ports\.csv': the disk is full \(ENOSPC\); every earlier line is intact\n$/);
  });

  for (const format of ['csv', 'ndjson'] as const) {
    it(`${format}: filling up mid-way keeps only whole lines; a later run appends whole lines after them`, () => {
      const file = `"$MNT/ports.${format}"`;
      // a file of earlier rows that leaves its last page nearly full, then a disk with no page free:
      // the next few rows fit in that page, the one after does not
      const out = inSmallDisk(
        dir,
        `"$NODE" "$BIN" watch --backend linux --count 1 --out ${file} > /dev/null && ` +
          `while [ $(stat -c %s ${file}) -lt 3300 ]; do tail -n 1 ${file} > "$MNT/row"; cat "$MNT/row" >> ${file}; done; rm "$MNT/row"; ` +
          `${FILL(0)}; "$NODE" "$BIN" watch --backend linux --interval 0.1 --count 100 --out ${file} > /dev/null 2> "$OUT/stderr"; echo "exit=$?"; ` +
          `cp ${file} "$OUT/first"; rm "$MNT/filler"; ` +
          `"$NODE" "$BIN" watch --backend linux --interval 0.1 --count 2 --out ${file} > /dev/null; echo "again=$?"; cp ${file} "$OUT/second"`,
      );
      assert.match(out, /exit=4/);
      assert.match(out, /again=0/);
      assert.match(readFileSync(join(dir, 'stderr'), 'utf8'), /the disk is full \(ENOSPC\)/);
      const first = readFileSync(join(dir, 'first'), 'utf8');
      const second = readFileSync(join(dir, 'second'), 'utf8');
      assert.ok(first.endsWith('\n'), 'no half line at the end');
      assert.ok(first.length > 3300 && first.length <= 4096, `rows were written until the page was full (${first.length} bytes)`);
      assert.ok(second.startsWith(first));
      assertWholeLines(second, format);
    });
  }

  it('a line left open by an earlier run is closed before the next row, not merged into it', () => {
    const path = join(dir, 'open.ndjson');
    writeFileSync(path, '{"time":"2026-12-02T00:00:00.000Z","verdict":"ok"}\n{"time":"2026-12-02T00:00:05.0');
    const run = spawnSync(process.execPath, [BIN, 'watch', '--backend', 'linux', '--count', '1', '--out', path], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const lines = readFileSync(path, 'utf8').split('\n');
    assert.equal(lines[1], '{"time":"2026-12-02T00:00:05.0', 'the open line stays as it was, on its own');
    assert.doesNotThrow(() => JSON.parse(lines[2]!), 'the new row starts on a fresh line');
    assert.ok(existsSync(path));
  });
});

function assertWholeLines(text: string, format: 'csv' | 'ndjson'): void {
  const lines = text.split('\n');
  assert.equal(lines.pop(), '', 'ends with a newline');
  if (format === 'ndjson') {
    for (const line of lines) assert.doesNotThrow(() => JSON.parse(line), line);
    return;
  }
  const columns = lines[0]!.split(',').length;
  for (const line of lines) assert.equal(line.split(',').length, columns, line);
  for (const line of lines.slice(1)) assert.match(line, /^\d{4}-\d\d-\d\dT[^,]+Z,(ok|warning|exhausted),/, line);
}
