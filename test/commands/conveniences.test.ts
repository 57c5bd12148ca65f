// What users expect from port tools: the colon form (who :8080, kill :8080, why :8080), list --port
// with a range, and a shell completion script.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { startHolder, waitForExit, type Holder } from '../helpers/children.js';
import { runBin, runCli } from '../helpers/cli.js';
import { listenSnippet } from '../helpers/sockets.js';

const linuxOnly = process.platform !== 'linux' && 'reads /proc';
const holders: Holder[] = [];
after(async () => Promise.all(holders.map((holder) => holder.stop())));

describe('the colon form and list --port ranges', { skip: linuxOnly }, () => {
  it('who :PORT and kill :PORT take the port after the colon', async () => {
    const holder = await startHolder<{ port: number }>(listenSnippet('127.0.0.1'));
    holders.push(holder);
    const who = await runCli(['who', `:${holder.data.port}`, '--json']);
    assert.equal(who.code, 0, who.stderr);
    assert.equal((JSON.parse(who.stdout) as { pid: number }[])[0]!.pid, holder.pid);
    const kill = await runCli(['kill', `:${holder.data.port}`]);
    assert.equal(kill.code, 0, kill.stderr);
    await waitForExit(holder.child);
    assert.equal((await runCli(['who', `:${holder.data.port}`])).code, 1);
  });

  it('list --port takes a range, matching local or remote ports', async () => {
    const holder = await startHolder<{ port: number }>(listenSnippet('127.0.0.1'));
    holders.push(holder);
    const { port } = holder.data;
    const run = await runCli(['list', '--port', `${port - 1}-${port + 1}`, '--state', 'LISTEN', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const rows = JSON.parse(run.stdout) as { pid: number; localPort: number }[];
    assert.ok(rows.some((row) => row.pid === holder.pid && row.localPort === port));
    assert.ok(rows.every((row) => row.localPort >= port - 1 && row.localPort <= port + 1));
    assert.equal((await runCli(['list', '--port', '9-1'])).code, 2);
    assert.equal((await runCli(['list', '--port', ':x'])).code, 2);
  });
});

describe('porttop completion', () => {
  it('prints yargs’ bash script, and a zsh one under zsh', () => {
    const bash = runBin(['completion'], [], { ...process.env, SHELL: '/bin/bash' });
    assert.equal(bash.code, 0, bash.stderr);
    assert.equal(bash.stderr, '');
    assert.match(bash.stdout, /###-begin-porttop-completions-###/);
    assert.match(bash.stdout, /porttop --get-yargs-completions/);
    assert.match(bash.stdout, /Installation: porttop completion >> ~\/\.bashrc/);
    const zsh = runBin(['completion'], [], { ...process.env, SHELL: '/bin/zsh' });
    assert.equal(zsh.code, 0);
    assert.match(zsh.stdout, /^#compdef porttop/);
  });

  it('answers the completion requests the script makes', () => {
    const commands = runBin(['--get-yargs-completions', 'porttop', '']);
    assert.equal(commands.code, 0, commands.stderr);
    for (const name of ['who', 'kill', 'why', 'wait', 'free', 'completion']) assert.ok(commands.stdout.split('\n').includes(name), name);
    const options = runBin(['--get-yargs-completions', 'porttop', 'why', '8080', '--']);
    assert.match(options.stdout, /--host/);
  });
});
