// The alert rules shipped in deploy/prometheus: valid for promtool, and their unit tests pass. A copy
// with one wrong expectation must fail, so the unit tests are known to be able to fail.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const DEPLOY = fileURLToPath(new URL('../../deploy/prometheus/', import.meta.url));
const RULES = join(DEPLOY, 'porttop-rules.yml');
const RULE_TESTS = join(DEPLOY, 'porttop-rules.test.yml');
const promtoolMissing = spawnSync('promtool', ['--version']).status !== 0;
const skip = promtoolMissing && !process.env.PORTTOP_REQUIRE_PROMETHEUS ? 'needs promtool (apt-get install prometheus; .ci/run installs it)' : false;

function promtool(args: readonly string[], cwd = DEPLOY) {
  const result = spawnSync('promtool', args, { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('deploy/prometheus/porttop-rules.yml', { skip }, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'porttop-rules-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('promtool check rules accepts every rule', () => {
    const run = promtool(['check', 'rules', RULES]);
    assert.equal(run.status, 0, run.output);
    assert.match(run.output, /SUCCESS: 7 rules found/);
  });

  it('promtool test rules passes the unit tests beside them', () => {
    const run = promtool(['test', 'rules', RULE_TESTS]);
    assert.equal(run.status, 0, run.output);
    assert.match(run.output, /SUCCESS/);
  });

  it('every PromQL query of deploy/grafana/porttop-dashboard.json parses (as recording rules for promtool)', () => {
    const dashboard = JSON.parse(readFileSync(fileURLToPath(new URL('../../deploy/grafana/porttop-dashboard.json', import.meta.url)), 'utf8')) as {
      panels: { targets: { expr: string }[] }[];
    };
    const exprs = dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr.replaceAll('$instance', '.*')));
    assert.ok(exprs.length >= 12);
    const rules = `groups:\n  - name: dashboard\n    rules:\n${exprs.map((expr, index) => `      - record: porttop_dashboard_query_${index}\n        expr: ${JSON.stringify(expr)}\n`).join('')}`;
    writeFileSync(join(scratch, 'dashboard-rules.yml'), rules);
    const run = promtool(['check', 'rules', join(scratch, 'dashboard-rules.yml')]);
    assert.equal(run.status, 0, run.output);
    // the metrics it shows are the exporter's
    for (const expr of exprs) assert.match(expr, /porttop_/);
  });

  it('the warning fires at 70 % as the verdict does: a copy expecting no alert at exactly 0.7 fails', () => {
    copyFileSync(RULES, join(scratch, 'porttop-rules.yml'));
    const tests = readFileSync(RULE_TESTS, 'utf8');
    // the first expectation at 5m names h2 (exactly 0.7); claim instead that nothing fires then
    const broken = tests.replace(/(- eval_time: 5m\n\s+alertname: PorttopEphemeralPortsLow\n\s+)exp_alerts:\n(\s+- exp_labels: \{severity: warning, instance: h2[^\n]*\n\s+exp_annotations:\n[^\n]*\n[^\n]*\n)/, '$1exp_alerts: []\n');
    assert.notEqual(broken, tests, 'the test file changed shape: update this test');
    writeFileSync(join(scratch, 'porttop-rules.test.yml'), broken);
    const run = promtool(['test', 'rules', 'porttop-rules.test.yml'], scratch);
    assert.equal(run.status, 1, run.output);
    assert.match(run.output, /PorttopEphemeralPortsLow/);
  });
});
