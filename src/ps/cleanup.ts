// No PowerShell left behind: every live pwsh child is killed when porttop exits, gets Ctrl-C (SIGINT),
// SIGTERM or SIGHUP, or dies of an uncaught error. Handlers exist only while a child is alive.
import type { ChildProcess } from 'node:child_process';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
type HandledSignal = (typeof SIGNALS)[number];

/** each spawned child, with the PIDs of processes it launched that must die with it */
const liveChildren = new Map<ChildProcess, Set<number>>();
let installed = false;

function killAll(): void {
  for (const [child, launched] of liveChildren) killTree(child, launched);
  liveChildren.clear();
}

/**
 * Kills what the child launched, then the child. A launcher (the dotnet global tool's `pwsh` shim
 * runs `dotnet pwsh.dll` as its own child) is only killed after the real PowerShell, which would
 * otherwise live on as an orphan.
 */
export function killTree(child: ChildProcess, launched: Iterable<number>): void {
  const childRunning = child.exitCode === null && child.signalCode === null;
  if (childRunning) {
    for (const pid of launched) {
      if (pid === child.pid) continue;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  try {
    if (childRunning) child.kill('SIGKILL');
  } catch {
    // already gone
  }
}

function onExit(): void {
  killAll();
}

function onSignal(signal: HandledSignal): void {
  killAll();
  uninstall();
  // keep the signal's meaning: if nobody else handles it, die of it as if we had never listened
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

const signalHandlers = new Map<HandledSignal, () => void>(SIGNALS.map((signal) => [signal, () => onSignal(signal)]));

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', onExit);
  // the monitor runs before Node prints the error and exits, without changing that behaviour
  process.on('uncaughtExceptionMonitor', onExit);
  for (const [signal, handler] of signalHandlers) process.on(signal, handler);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off('exit', onExit);
  process.off('uncaughtExceptionMonitor', onExit);
  for (const [signal, handler] of signalHandlers) process.off(signal, handler);
}

/**
 * Kill this child (and the PIDs later added to `launched`) when porttop goes, however it goes;
 * forgotten once the child exits.
 */
export function trackChild(child: ChildProcess, launched: Set<number>): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  liveChildren.set(child, launched);
  install();
  child.once('exit', () => {
    liveChildren.delete(child);
    if (liveChildren.size === 0) uninstall();
  });
}
