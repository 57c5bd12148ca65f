// Building the one line of PowerShell a call sends. Values go in only as validated numbers, booleans
// or base64-encoded UTF-8 literals: no text from the user (or anyone) is ever pasted into PowerShell source.

export type PsValue = number | boolean | string | readonly number[] | readonly string[];
export type PsParameters = Readonly<Record<string, PsValue | undefined>>;

const PARAMETER_NAME = /^[A-Za-z][A-Za-z0-9]*$/;
/** scripts/ps1 file names (without .ps1), e.g. Get-PortTopSnapshot */
export const SCRIPT_NAME = /^[A-Za-z]+-[A-Za-z0-9]+$/;

/** A PowerShell expression that evaluates to the given text, whatever characters it holds. */
export function base64Literal(text: string): string {
  const encoded = Buffer.from(text, 'utf8').toString('base64');
  return `([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('${encoded}')))`;
}

export function psLiteral(value: PsValue): string {
  if (typeof value === 'number') return numberLiteral(value);
  if (typeof value === 'boolean') return value ? '$true' : '$false';
  if (typeof value === 'string') return base64Literal(value);
  const items = (value as readonly (number | string)[]).map((item) => psLiteral(item));
  return `@(${items.join(',')})`;
}

function numberLiteral(value: number): string {
  // plain decimal only: "1e21" or "NaN" would be parsed differently (or not at all) by PowerShell
  const text = String(value);
  if (!Number.isFinite(value) || !/^-?\d+(\.\d+)?$/.test(text)) {
    throw new TypeError(`not a plain decimal number for PowerShell: ${text}`);
  }
  return text;
}

/** `& $global:PortTopScripts['Name'] -Param value ...` on one line. */
export function invocationLine(script: string, parameters: PsParameters = {}): string {
  if (!SCRIPT_NAME.test(script)) throw new TypeError(`not a porttop script name: ${script}`);
  const parts = [`& $global:PortTopScripts['${script}']`];
  for (const [name, value] of Object.entries(parameters)) {
    if (value === undefined) continue;
    if (!PARAMETER_NAME.test(name)) throw new TypeError(`not a PowerShell parameter name: ${name}`);
    // -Name:value binds switches and arrays alike without a space-separated token to misread
    parts.push(`-${name}:${psLiteral(value)}`);
  }
  return parts.join(' ');
}

/** Defines (or redefines) a script block from the script's text, without touching execution policy. */
export function definitionLine(script: string, source: string): string {
  if (!SCRIPT_NAME.test(script)) throw new TypeError(`not a porttop script name: ${script}`);
  return `$global:PortTopScripts['${script}'] = [scriptblock]::Create(${base64Literal(source)})`;
}

/** Dot-sources PowerShell source into the session's global scope (used for test replacements). */
export function dotSourceLine(source: string): string {
  return `. ([scriptblock]::Create(${base64Literal(source)}))`;
}

/**
 * The session's first command: UTF-8 output without BOM, no progress/warning/verbose noise, plain
 * text (no ANSI colour) and a place for the script blocks. One line: `-Command -` reads stdin like
 * typed input, and a multi-line statement would wait for a blank line.
 */
export const SESSION_START_LINE = [
  'try { [Console]::OutputEncoding = [Text.UTF8Encoding]::new($false) } catch { }',
  '$OutputEncoding = [Text.UTF8Encoding]::new($false)',
  "$ProgressPreference = 'SilentlyContinue'",
  "$WarningPreference = 'SilentlyContinue'",
  "$VerbosePreference = 'SilentlyContinue'",
  "$InformationPreference = 'SilentlyContinue'",
  "$DebugPreference = 'SilentlyContinue'",
  '$MaximumHistoryCount = 1',
  "if ($PSStyle) { $PSStyle.OutputRendering = 'PlainText' }",
  '$global:PortTopScripts = @{}',
  // the version and the PID of the process running the scripts (not of a launcher in front of it)
  '"$($PSVersionTable.PSVersion) $PID"',
].join('; ');
