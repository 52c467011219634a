// CPU time spent by the processes under measurement, from /proc (Linux): what a request costs the
// server, and what it costs PostgreSQL, whatever else the shared 2-core machine is doing meanwhile.
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
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ').map(Number);
  const [parent, utime, stime, cutime, cstime] = [fields[1]!, fields[11]!, fields[12]!, fields[13]!, fields[14]!];
  return { own: (utime + stime) * TICK_MICROS, children: (cutime + cstime) * TICK_MICROS, parent };
}

/** CPU microseconds a process has used so far (all its threads). */
export function cpuMicrosOf(pid: number): number {
  return statOf(pid)?.own ?? 0;
}

/**
 * CPU microseconds a PostgreSQL server has used so far: the postmaster, its live children (one
 * backend per connection, the background workers) and the children that have exited.
 */
export function postgresCpuMicros(postmasterPid: number): number {
  const postmaster = statOf(postmasterPid);
  if (!postmaster) return 0;
  let total = postmaster.own + postmaster.children;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = statOf(Number(entry));
    if (stat?.parent === postmasterPid) total += stat.own;
  }
  return total;
}
