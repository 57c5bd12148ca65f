// One-shot commands must start fast: a plain call loads its command's own bundle and nothing a command
// does not use. No yargs for plain calls (the fast path), no other command's code, and no ink, react,
// node-powershell or PowerShell backend on Linux; a call that needs yargs falls through to the whole CLI.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { modulesLoadedBy } from '../helpers/modules.js';

const HEAVY = /node_modules\/(yargs|yargs-parser|ink|react|node-powershell|@alcalzone|prom-client)\/|\/dist\/(tui|serve)\//;

describe('lazy loading', { skip: process.platform !== 'linux' && 'checks the Linux backend path' }, () => {
  for (const args of [
    ['who', '1', '--json'],
    ['who', '1'],
    ['list', '--json', '--state', 'LISTEN'],
    ['kill', '1', '--dry-run', '--signal', 'SIGINT'],
    ['wait', ':1', '--timeout', '0', '--json'],
    ['free', '40000-40100', '--count', '2'],
    ['why', ':1', '--host', '127.0.0.1', '--proto', 'udp'],
  ]) {
    it(`porttop ${args.join(' ')} loads its command's bundle only, and no yargs, ink, react or node-powershell`, () => {
      const modules = modulesLoadedBy(args);
      const ours = modules.filter((url) => url.includes('/porttop/') || url.includes('/dist/') || url.includes('/bin/'));
      assert.ok(ours.some((url) => url.endsWith(`/dist/bin/commands/${args[0]}.cjs`)), `the recorder saw the command's bundle load: ${ours.join(' ')}`);
      assert.ok(!ours.some((url) => url.endsWith('/dist/bin/porttop.cjs')), 'not the whole CLI');
      assert.deepEqual(
        modules.filter((url) => /\/dist\/(?!bin\/)/.test(url)),
        [],
        'nothing from the unbundled dist/',
      );
      assert.deepEqual(modules.filter((url) => HEAVY.test(url)), []);
    });
  }

  it('diagnose --json (through yargs) loads no prom-client and no exporter code either', () => {
    const modules = modulesLoadedBy(['diagnose', '--json']);
    assert.deepEqual(modules.filter((url) => /node_modules\/prom-client\/|\/dist\/serve\//.test(url)), []);
  });

  it('the control: --help loads yargs (so the recorder would have seen it)', () => {
    assert.ok(modulesLoadedBy(['--help']).some((url) => /node_modules\/yargs\//.test(url)));
  });

  it('a call the fast path leaves to yargs (who --help) falls through to the whole CLI', () => {
    const modules = modulesLoadedBy(['who', '--help']);
    assert.ok(modules.some((url) => url.endsWith('/dist/bin/porttop.cjs')));
    assert.ok(modules.some((url) => /node_modules\/yargs\//.test(url)));
  });

  it('every table-defined command (src/commands/*.ts calling defineCommand) has its own bundle', () => {
    const commands = fileURLToPath(new URL('../../src/commands/', import.meta.url));
    const tableDefined = readdirSync(commands)
      .filter((file) => file !== 'define.ts' && /\bdefineCommand[<(]/.test(readFileSync(`${commands}${file}`, 'utf8')))
      .map((file) => file.replace(/\.ts$/, ''))
      .sort();
    const bundled = readdirSync(fileURLToPath(new URL('../../dist/bin/commands/', import.meta.url)))
      .filter((file) => file.endsWith('.cjs'))
      .map((file) => file.replace(/\.cjs$/, ''))
      .sort();
    assert.ok(tableDefined.length >= 6, tableDefined.join(' '));
    assert.deepEqual(bundled, tableDefined, 'scripts/bundle.mjs TABLE_COMMANDS');
  });
});
