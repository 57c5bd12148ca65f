// The one line of PowerShell each call sends: values only as numbers, booleans or base64 literals.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { base64Literal, definitionLine, invocationLine, psLiteral, SESSION_START_LINE } from '../../src/ps/command.js';
import { SCRIPTS_DIR } from '../../src/ps/session.js';

describe('PowerShell command lines', () => {
  test('text goes in base64-encoded, whatever it holds', () => {
    const hostile = `'; Remove-Item -Recurse C:\\ ; "$(Stop-Computer)" \`n Привет`;
    const literal = psLiteral(hostile);
    assert.match(literal, /^\(\[Text\.Encoding\]::UTF8\.GetString\(\[Convert\]::FromBase64String\('[A-Za-z0-9+/=]+'\)\)\)$/);
    const encoded = /'([A-Za-z0-9+/=]+)'/.exec(literal)![1]!;
    assert.equal(Buffer.from(encoded, 'base64').toString('utf8'), hostile);
  });

  test('numbers must be plain decimals; booleans and arrays have PowerShell literals', () => {
    assert.equal(psLiteral(8080), '8080');
    assert.equal(psLiteral(true), '$true');
    assert.equal(psLiteral([80, 443]), '@(80,443)');
    assert.equal(psLiteral([]), '@()');
    assert.equal(psLiteral(['tcp']), `@(${base64Literal('tcp')})`);
    for (const bad of [Number.NaN, Infinity, 1e21, 1e-7]) assert.throws(() => psLiteral(bad), /not a plain decimal/);
  });

  test('an invocation is one ASCII line naming the script block, with -Name:value parameters', () => {
    const line = invocationLine('Get-PortTopSnapshot', { LocalPort: [8080], Source: 'Auto', Skip: undefined, AllowCritical: false });
    assert.equal(line, `& $global:PortTopScripts['Get-PortTopSnapshot'] -LocalPort:@(8080) -Source:${base64Literal('Auto')} -AllowCritical:$false`);
    assert.doesNotMatch(line, /[\r\n]/);
    assert.throws(() => invocationLine("x'] ; Stop-Computer ; $a['", {}), /not a porttop script name/);
    assert.throws(() => invocationLine('Get-PortTopSnapshot', { 'Local Port': 1 }), /not a PowerShell parameter name/);
  });

  test('the start line and script definitions are single ASCII lines', () => {
    const definition = definitionLine('Get-DynamicPortRange', 'param()\n"ünïcödé"\n');
    for (const line of [SESSION_START_LINE, definition]) {
      assert.doesNotMatch(line, /[\r\n]/);
      assert.match(line, /^[\x20-\x7e]+$/);
    }
  });

  test('every script in scripts/ps1 is ASCII (Windows PowerShell 5.1 reads BOM-less files as ANSI) and has help', () => {
    const scripts = readdirSync(SCRIPTS_DIR).filter((name) => name.endsWith('.ps1'));
    assert.deepEqual(scripts.sort(), [
      'Get-DynamicPortRange.ps1',
      'Get-ExcludedPortRanges.ps1',
      'Get-PortExhaustionEvents.ps1',
      'Get-PortTopSnapshot.ps1',
      'PortTopCommon.ps1',
      'Set-DynamicPortRange.ps1',
      'Stop-PortTopProcess.ps1',
    ]);
    for (const name of scripts) {
      const text = readFileSync(`${SCRIPTS_DIR}/${name}`, 'utf8');
      assert.match(text, /^[\x00-\x7f]*$/, `${name} is ASCII`);
      assert.match(text, /^<#\n\.SYNOPSIS\n/, `${name} starts with comment-based help`);
      assert.match(text, /\.EXAMPLE\n/, `${name} has an example`);
    }
  });
});
