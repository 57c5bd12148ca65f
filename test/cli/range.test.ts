// porttop range show|set|reset through the built bin, inside a private network namespace, reading the
// sysctl back after each step.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { NetNamespace } from '../helpers/netns.js';
import { runBin } from '../helpers/cli.js';

const canRun = process.platform === 'linux' && NetNamespace.available();
const NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];

describe('porttop range in a private network namespace', { skip: !canRun && 'needs root and ip netns (unshare --net)' }, () => {
  let ns: NetNamespace;
  before(() => {
    ns = NetNamespace.create();
  });
  after(() => ns?.destroy());

  it('shows the one Linux range for all four protocol x family pairs', () => {
    const run = runBin(['range', 'show', '--json'], ns.prefix);
    assert.equal(run.code, 0, run.stderr);
    const [start, end] = ns.readPortRange().split(' ').map(Number);
    assert.deepEqual(JSON.parse(run.stdout), [
      { protocol: 'tcp', family: 'ipv4', start, num: end! - start! + 1, end },
      { protocol: 'tcp', family: 'ipv6', start, num: end! - start! + 1, end },
      { protocol: 'udp', family: 'ipv4', start, num: end! - start! + 1, end },
      { protocol: 'udp', family: 'ipv6', start, num: end! - start! + 1, end },
    ]);
    assert.match(runBin(['range', 'show'], ns.prefix).stdout, /one range, net\.ipv4\.ip_local_port_range, for TCP and UDP, IPv4 and IPv6/);
  });

  it('sets the range, prints before, after and the undo command, and resets to the default', () => {
    const before = ns.readPortRange();
    const set = runBin(['range', 'set', '--start', '10000', '--num', '1000'], ns.prefix);
    assert.equal(set.code, 0, set.stderr);
    assert.equal(ns.readPortRange(), '10000 10999');
    const [oldStart, oldEnd] = before.split(' ').map(Number);
    assert.match(set.stdout, /before:[\s\S]*after:[\s\S]*10000 +10999 +1000/);
    assert.match(set.stdout, new RegExp(`undo with: porttop range set --start ${oldStart} --num ${oldEnd! - oldStart! + 1}`));

    const dry = runBin(['range', 'set', '--start', '20000', '--num', '500', '--dry-run', '--json'], ns.prefix);
    assert.equal(dry.code, 0);
    assert.equal(JSON.parse(dry.stdout).after[0].start, 20000);
    assert.equal(ns.readPortRange(), '10000 10999', 'a dry run changes nothing');

    const reset = runBin(['range', 'reset'], ns.prefix);
    assert.equal(reset.code, 0, reset.stderr);
    assert.equal(ns.readPortRange(), '32768 60999');
  });

  it('refuses every invalid value with exit 2 and one line, leaving the range unchanged', () => {
    runBin(['range', 'set', '--start', '12000', '--num', '3000'], ns.prefix);
    const cases: Array<[string[], RegExp]> = [
      [['--start', '1024', '--num', '1000'], /invalid --start '1024'/],
      [['--start', '10000', '--num', '254'], /invalid --num '254'.*at least 255/],
      [['--start', '65000', '--num', '1000'], /end at 65999, past 65535/],
      [['--start', 'abc', '--num', '1000'], /invalid --start 'abc'/],
      [['--start', '-5', '--num', '1000'], /-5|Unknown argument/],
      [['--start', '', '--num', '1000'], /invalid --start ''/],
      [['--start', '10000'], /Missing required argument: num/],
      [['--start', '10000', '--num', '1000', '--proto', 'tcp'], /one range .* serves tcp and udp/],
      [['--start', '10000', '--num', '1000', '--proto', 'sctp'], /invalid --proto 'sctp'/],
    ];
    for (const [args, message] of cases) {
      const run = runBin(['range', 'set', ...args], ns.prefix);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message);
      assert.equal(run.stderr.trim().split('\n').length, 1, `one line for ${args.join(' ')}`);
      assert.equal(run.stdout, '');
      assert.equal(ns.readPortRange(), '12000 14999', `unchanged after ${args.join(' ')}`);
    }
  });

  it('without root: exit 3 "run as root", range unchanged', () => {
    const before = ns.readPortRange();
    const run = runBin(['range', 'set', '--start', '30000', '--num', '1000'], [...ns.prefix, ...NOBODY]);
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /run porttop as root/);
    assert.equal(ns.readPortRange(), before);
  });
});
