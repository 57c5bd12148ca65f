// The library as a user gets it: `npm pack`, installed into a temporary project, imported by name.
// Every function is there and works on real sockets, the types compile, and importing it loaded
// neither Ink, React nor yargs.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { NODE_PROCESS_NAME, startHolder, waitForExit, type Holder } from '../helpers/children.js';
import { listenSnippet } from '../helpers/sockets.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RECORDER = fileURLToPath(new URL('../helpers/record-imports.mjs', import.meta.url));
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const linuxOnly = process.platform !== 'linux' && 'uses the Linux backend on real sockets';

const USER_SCRIPT = `
import * as porttop from 'porttop';
import { who, kill, list, procs, waitFor, freePorts, whyBind, diagnose, openPorttop, UsageError, PorttopError } from 'porttop';
const port = Number(process.argv[2]);
const victim = Number(process.argv[4]);
const out = { exports: Object.keys(porttop).sort() };
out.who = await who(port);
out.whoColon = (await who(':' + port)).length;
out.list = (await list({ state: 'LISTEN', port })).length;
out.procs = (await procs({ top: 500 })).some((row) => row.pid === Number(process.argv[3]));
out.diagnose = (await diagnose()).verdict;
out.whyHeld = await whyBind(port, { host: '127.0.0.1' });
const free = await freePorts({ count: 2 });
out.free = free.ports;
out.whyFree = (await whyBind(free.ports[0], { host: '127.0.0.1' })).bindable;
out.waitTimedOut = await waitFor(port, { timeoutMs: 300, intervalMs: 50 });
out.waitListening = (await waitFor(port, { until: 'listening', timeoutMs: 0 })).met;
const session = await openPorttop();
try {
  out.session = [(await session.who(port)).length, (await session.whyBind(port, { host: '127.0.0.1' })).bindable];
} finally {
  await session[Symbol.asyncDispose]();
}
const again = await openPorttop();
await again.close();
await again.close();
try { await whyBind(70000); } catch (error) { out.usage = [error instanceof UsageError, error instanceof PorttopError, error.exitCode, error.message]; }

out.dryRun = await kill(victim, { dryRun: true });
out.kill = await kill(':' + victim, { timeoutMs: 5000 });
out.exitCode = process.exitCode ?? null;
console.log(JSON.stringify(out));
`;

const USER_TYPES = `
import { whyBind, freePorts, kill, openPorttop, UsageError, type WhyReport, type FreeResult, type OwnedEndpoint, type KillJson } from 'porttop';
const stopped: KillJson = await kill(':3000', { dryRun: true, timeoutMs: 1000 });
const outcomes: string[] = stopped.processes.map((process) => process.outcome);
const report: WhyReport = await whyBind(8080, { host: '127.0.0.1', proto: 'tcp' });
const kinds: string[] = report.reasons.map((reason) => reason.kind);
const free: FreeResult = await freePorts({ range: '3000-3999', count: 1 });
const first: number | undefined = free.ports[0];
await using session = await openPorttop({ backend: 'auto' });
const rows: OwnedEndpoint[] = await session.who([8080, '9000-9010']);
const pid: number | null = rows[0]?.pid ?? null;
// @ts-expect-error proto is tcp or udp
await whyBind(80, { proto: 'sctp' });
console.log(kinds, first, pid, outcomes, UsageError);
`;

describe('the packed library in a temporary project', { skip: linuxOnly }, () => {
  let project = '';
  let holder: Holder<{ port: number }> | undefined;
  let victim: Holder<{ port: number }> | undefined;

  before(() => {
    assert.ok(existsSync(join(ROOT, 'dist/index.js')) && existsSync(join(ROOT, 'dist/index.d.ts')), 'build first (npm test runs tsc before the tests)');
    project = mkdtempSync(join(tmpdir(), 'porttop-library-'));
    // --ignore-scripts: dist/ is built already; pack exactly what is there
    const tarball = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', project], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').pop()!;
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'porttop-user', private: true, type: 'module' }));
    // the dependencies come from the npm cache that `npm ci` filled (the network only when it lacks one)
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--silent', join(project, tarball)], { cwd: project, stdio: 'pipe', timeout: 240_000 });
  });

  after(async () => {
    await holder?.stop();
    await victim?.stop();
    if (project) rmSync(project, { recursive: true, force: true });
  });

  it('imports every function, answers from real sockets, and loads no Ink, React or yargs', async () => {
    holder = await startHolder<{ port: number }>(listenSnippet('127.0.0.1'));
    victim = await startHolder<{ port: number }>(listenSnippet('127.0.0.1'));
    writeFileSync(join(project, 'use.mjs'), USER_SCRIPT);
    const log = join(project, 'imports.log');
    const run = spawnSync(process.execPath, ['--import', RECORDER, 'use.mjs', String(holder.data.port), String(holder.pid), String(victim.data.port)], {
      cwd: project,
      encoding: 'utf8',
      env: { ...process.env, PORTTOP_IMPORT_LOG: log },
      timeout: 120_000,
    });
    assert.equal(run.status, 0, run.stderr);
    const out = JSON.parse(run.stdout);
    for (const name of ['who', 'kill', 'list', 'procs', 'waitFor', 'freePorts', 'whyBind', 'diagnose', 'openPorttop', 'UsageError', 'NotPermittedError', 'BackendError']) {
      assert.ok(out.exports.includes(name), `exports ${name}`);
    }
    assert.equal(out.who[0].pid, holder.pid);
    assert.equal(out.who[0].processName, NODE_PROCESS_NAME);
    assert.equal(out.whoColon, 1);
    assert.equal(out.list, 1);
    assert.equal(out.procs, true);
    assert.ok(['ok', 'warning', 'exhausted'].includes(out.diagnose));
    assert.equal(out.whyHeld.bindable, false);
    assert.match(out.whyHeld.reasons[0].detail, new RegExp(`PID ${holder.pid} ${NODE_PROCESS_NAME}`));
    assert.equal(out.free.length, 2);
    assert.equal(out.whyFree, true);
    assert.equal(out.waitTimedOut.met, false);
    assert.equal(out.waitTimedOut.blocking[0].pid, holder.pid);
    assert.equal(out.waitListening, true);
    assert.deepEqual(out.session, [1, false]);
    assert.deepEqual(out.usage.slice(0, 3), [true, true, 2]);
    assert.equal(out.dryRun.processes[0].outcome, 'would-stop');
    assert.equal(out.kill.processes[0].pid, victim.pid);
    assert.equal(out.kill.processes[0].outcome, 'stopped');
    assert.equal(out.kill.ports[0].after.status, 'free');
    await waitForExit(victim.child, 5_000); // the victim is really gone
    assert.equal(out.exitCode, null, 'the library never sets process.exitCode');
    assert.equal(run.stderr, '', 'the library prints nothing');

    const modules = readFileSync(log, 'utf8').trim().split('\n');
    assert.ok(modules.some((url) => url.includes('/node_modules/porttop/dist/index.js')), 'loaded from the installed package');
    const heavy = modules.filter((url) => /node_modules\/(ink|react|yargs|@alcalzone)\//.test(url));
    assert.deepEqual(heavy, []);
  });

  it('ships types a TypeScript project compiles against', () => {
    writeFileSync(join(project, 'use.ts'), USER_TYPES);
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, lib: ['ES2023', 'esnext.disposable'], typeRoots: [join(ROOT, 'node_modules/@types')], types: ['node'] }, files: ['use.ts'] }),
    );
    const run = spawnSync(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: project, encoding: 'utf8', timeout: 120_000 });
    assert.equal(run.status, 0, run.stdout + run.stderr);
  });
});
