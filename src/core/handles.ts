// Microsoft's port-exhaustion rule of thumb on handle counts (sockets show as \Device\AFD handles).

/** More handles than this makes a process suspect. */
export const HANDLE_SUSPECT_THRESHOLD = 3000;
/** Past this, with outbound connections already failing, the process is the likely cause. */
export const HANDLE_FAILING_THRESHOLD = 10_000;
/** Processes that normally hold many handles and are not suspects (lower case, .exe optional). */
export const HANDLE_RULE_EXEMPT = ['system', 'lsass', 'store', 'sqlservr'] as const;

export function isHandleRuleExempt(processName: string): boolean {
  const bare = processName.toLowerCase().replace(/\.exe$/, '');
  return (HANDLE_RULE_EXEMPT as readonly string[]).includes(bare);
}

/** True when the process breaks the handle rule: over the threshold and not exempt. */
export function exceedsHandleRule(processName: string, handles: number | null): boolean {
  return handles !== null && handles > HANDLE_SUSPECT_THRESHOLD && !isHandleRuleExempt(processName);
}
