// What the processes under measurement use, from /proc (Linux): CPU time (what a request costs the
// server, and what it costs PostgreSQL, whatever else the shared 2-core machine is doing meanwhile)
// and resident memory.
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MICROS = 10_000; // USER_HZ is 100 on Linux

/** utime, stime, cutime, cstime (fields 14-17 of /proc/<pid>/stat) and the parent pid, or null once it has gone. */
function statOf(pid: number): { own: number; children: number; parent: number } | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) may hold spaces: the numeric fields start after its closing parenthesis.
  const fields = text
    .slice(text.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number);
  const [parent, utime, stime, cutime, cstime] = [fields[1]!, fields[11]!, fields[12]!, fields[13]!, fields[14]!];
  return { own: (utime + stime) * TICK_MICROS, children: (cutime + cstime) * TICK_MICROS, parent };
}

/** CPU microseconds one process (all its threads) has used so far, without its children. */
export const cpuMicrosOf = (pid: number): number => statOf(pid)?.own ?? 0;

/** The live processes whose parent is `parentPid`. */
export function childPidsOf(parentPid: number): number[] {
  return readdirSync('/proc').flatMap((entry) =>
    /^\d+$/.test(entry) && statOf(Number(entry))?.parent === parentPid ? [Number(entry)] : [],
  );
}

/**
 * CPU microseconds a process tree has used so far: the process (all its threads), its live children
 * and the children that have exited. A PostgreSQL server: the postmaster, one backend per connection,
 * the background workers. Our server with WEB_CONCURRENCY > 1: the cluster's primary and its workers.
 */
export function cpuMicrosWithChildren(pid: number): number {
  const root = statOf(pid);
  if (!root) return 0;
  return childPidsOf(pid).reduce((total, child) => total + (statOf(child)?.own ?? 0), root.own + root.children);
}

/** Resident memory of one process in bytes; 0 once it has gone (a worker may exit between the listing and the reading). */
export function residentBytes(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}
