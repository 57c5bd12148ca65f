// Every descendant of a process, read from Linux /proc: tests check that nothing they started lives on.
import { readdirSync, readFileSync } from 'node:fs';

/** PIDs of every descendant of a process (Linux /proc). */
export function descendants(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(') ') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length) {
    const parent = queue.shift()!;
    for (const [pid, ppid] of parents) if (ppid === parent) (found.push(pid), queue.push(pid));
  }
  return found;
}
