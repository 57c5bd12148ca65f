// `porttop watch` on real, climbing usage in a private namespace (range 40000-40299): rows appended with
// rising counts, a time-to-exhaustion estimate, CSV and NDJSON that parse, Ctrl-C ending with a summary,
// and rows that survive a crash.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { startHolder, type Holder } from '../helpers/children.js';
import { runBin } from '../helpers/cli.js';
import { NetNamespace } from '../helpers/netns.js';
import { listenerSource, rampingClientSource } from './sources.js';
import { startBin, waitFor } from './wait.js';

const skip = NetNamespace.available() ? false : 'needs root and iproute2 (ip netns) for a private network namespace';

/** RFC 4180: fields split on commas, quoted fields may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') row.push(cell), (cell = '');
    else if (char === '\n') row.push(cell), rows.push(row), (row = []), (cell = '');
    else cell += char;
  }
  if (cell !== '' || row.length > 0) row.push(cell), rows.push(row);
  return rows;
}

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function lineCount(path: string): number {
  return readOrEmpty(path).split('\n').filter(Boolean).length;
}

describe('watch on climbing usage', { skip }, () => {
  let dir: string;
  let ns: NetNamespace;
  const holders: Holder[] = [];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'porttop-watch-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** A fresh namespace per test: killed clients leave their ports in TIME_WAIT for 60 s. */
  async function climbing(startWhen: string) {
    ns = NetNamespace.create();
    assert.equal(runBin(['range', 'set', '--start', '40000', '--num', '300'], ns.prefix).code, 0);
    holders.push(await startHolder(listenerSource(), { prefix: ns.prefix }));
    holders.push(await startHolder(rampingClientSource({ step: 20, stepMs: 300, total: 240, startWhen, afterLines: 2 }), { prefix: ns.prefix }));
  }

  afterEach(async () => {
    for (const holder of holders.splice(0)) await holder.stop();
    ns?.destroy();
  });

  it('--count N --out FILE.csv: a header and N rows with ISO times, rising counts and a time to exhaustion', async () => {
    const out = join(dir, 'ports.csv');
    await climbing(out);
    const run = await startBin(['watch', '--interval', '0.4', '--count', '12', '--out', out], ns.prefix).done;
    assert.equal(run.code, 0, run.stderr);
    const [header, ...rows] = parseCsv(readFileSync(out, 'utf8'));
    assert.deepEqual(header!.slice(0, 4), ['time', 'verdict', 'tcpIpv4InUse', 'tcpIpv4Percent']);
    assert.equal(rows.length, 12);
    const column = (name: string) => rows.map((row) => row[header!.indexOf(name)]!);
    for (const row of rows) assert.equal(row.length, header!.length);
    for (const time of column('time')) assert.match(time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const inUse = column('tcpIpv4InUse').map(Number);
    assert.ok(inUse[inUse.length - 1]! > inUse[0]! + 100, `rising: ${inUse.join(' ')}`);
    for (let i = 1; i < inUse.length; i++) assert.ok(inUse[i]! >= inUse[i - 1]!, `never falls: ${inUse.join(' ')}`);
    const etas = column('etaSeconds').filter(Boolean).map(Number);
    assert.ok(etas.some((eta) => eta > 0), `a time to exhaustion appears: ${column('etaSeconds').join('|')}`);
    assert.ok(column('ratePerMinute').filter(Boolean).some((rate) => Number(rate) > 0));
    const holder = holders[1]!;
    assert.ok(column('topPid').some((pid) => Number(pid) === holder.pid), 'the climbing child is the top culprit');
    assert.match(run.stdout, /rising \+[\d.]+ ports\/min on tcp\/ipv4, exhausted in ~\d/);
    assert.match(run.stdout, /watch ended: 12 samples/);
    assert.match(run.stdout, new RegExp(`samples appended to ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });

  it('--out FILE.ndjson until Ctrl-C: one object per line, then a summary and exit 0', async () => {
    const out = join(dir, 'ports.ndjson');
    await climbing(out);
    const watch = startBin(['watch', '--interval', '0.4', '--out', out], ns.prefix);
    // wait until the climb shows in the file and a time to exhaustion was estimated, then press Ctrl-C
    await waitFor('rows with a time to exhaustion', () => /"etaSeconds":[1-9]/.test(readOrEmpty(out)), 30_000);
    watch.signal('SIGINT');
    const run = await watch.done;
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.signal, null);
    const records = readFileSync(out, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
    assert.ok(records.length >= 3);
    for (const record of records) {
      assert.equal(typeof record.time, 'string');
      assert.ok(!Number.isNaN(Date.parse(record.time)));
      assert.equal(typeof record.tcpIpv4InUse, 'number');
      for (const key of ['tcpIpv4Percent', 'timeWait', 'closeWait', 'bound', 'topPid', 'topName', 'topPorts', 'etaSeconds']) assert.ok(key in record, key);
    }
    assert.ok(records[records.length - 1].tcpIpv4InUse > records[0].tcpIpv4InUse);
    assert.match(run.stdout, /watch ended: \d+ samples/);
    assert.match(run.stdout, /peak: tcp\/ipv4 \d+ ports/);
  });
});

describe('watch files', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'porttop-watch-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keep every complete row when porttop is killed mid-watch, and a rerun appends without a second header', async () => {
    const out = join(dir, 'crash.csv');
    const watch = startBin(['watch', '--interval', '0.1', '--out', out]);
    await waitFor('three rows', () => lineCount(out) >= 4);
    watch.signal('SIGKILL');
    await watch.done;
    const text = readFileSync(out, 'utf8');
    assert.ok(text.endsWith('\n'), 'no half-written row');
    const rows = parseCsv(text);
    for (const row of rows) assert.equal(row.length, rows[0]!.length);
    const before = rows.length;
    const again = runBin(['watch', '--interval', '0.1', '--count', '2', '--out', out]);
    assert.equal(again.code, 0, again.stderr);
    const afterRows = parseCsv(readFileSync(out, 'utf8'));
    assert.equal(afterRows.length, before + 2);
    assert.equal(afterRows.filter((row) => row[0] === 'time').length, 1);
  });

  it('--json prints each sample as one JSON line and the summary last', () => {
    const run = runBin(['watch', '--interval', '0.1', '--count', '2', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trim().split('\n').map((line) => JSON.parse(line));
    assert.equal(lines.length, 3);
    assert.ok('tcpIpv4InUse' in lines[0]);
    assert.equal(lines[2].summary.samples, 2);
  });
});
