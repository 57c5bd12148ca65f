// One-shot commands must start fast: they load the bundle and nothing a command does not use. No
// yargs for plain calls (the fast path), and no ink, react or node-powershell on Linux.
import assert from 'node:assert/strict';
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
    it(`porttop ${args.join(' ')} loads the one bundle and no yargs, ink, react or node-powershell`, () => {
      const modules = modulesLoadedBy(args);
      const ours = modules.filter((url) => url.includes('/porttop/') || url.includes('/dist/') || url.includes('/bin/'));
      assert.ok(ours.some((url) => url.endsWith('/dist/bin/porttop.cjs')), `the recorder saw the bundle load: ${ours.join(' ')}`);
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
});
