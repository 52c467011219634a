// One process per embedded database. PGlite keeps no lock of its own: a second process opening the
// same folder died inside its WebAssembly (`RuntimeError: Aborted()`, a minified dump), or could have
// corrupted it. The first process puts `<folder>/connect.pid` in place whole (written aside, then
// hard-linked, which fails when the file exists, so no one ever reads it half-written): its pid and,
// where the system tells (Linux's /proc), when that process started. A process that finds a live
// owner there is refused by name; a pid file whose process is gone (kill -9, a crash, a power cut),
// or whose pid now belongs to a process started at another time, is taken over. Two processes
// taking over the same stale file in the same instant could both succeed; a folder's starts are a
// person's, not a fleet's.
import { linkSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export class DataDirInUseError extends Error {
  constructor(
    readonly folder: string,
    readonly pid: number,
    readonly program: string | undefined,
  ) {
    super(`${folder} is in use by process ${pid}${program ? ` (${program})` : ''}`);
  }
}

/** The folders this process holds: opening one twice is refused too. */
const held = new Set<string>();

/** When `pid` started, in clock ticks since boot (/proc/<pid>/stat, field 22), where the system says. */
function startOf(pid: number): string | undefined {
  try {
    // The command name, field 2, is in parentheses and may hold spaces: fields are counted after it.
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(')').at(-1)?.trim().split(' ')[19];
  } catch {
    return undefined;
  }
}

/**
 * The program's name only: a command line may carry secrets of its own. Its executable's file name
 * (/proc/<pid>/exe), where readable; else the main thread's name (/proc/<pid>/comm), which Node 24
 * sets to `MainThread`, so it is not asked first.
 */
function programOf(pid: number): string | undefined {
  try {
    return path.basename(readlinkSync(`/proc/${pid}/exe`));
  } catch {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() || undefined;
    } catch {
      return undefined;
    }
  }
}

interface Owner {
  pid: number;
  start: string | undefined;
}

function ownerOf(pidFile: string): Owner | null {
  try {
    const [pidText, start] = readFileSync(pidFile, 'utf8').trim().split(' ');
    const pid = Number(pidText);
    return Number.isSafeInteger(pid) && pid > 0 ? { pid, start } : null;
  } catch {
    return null;
  }
}

function isRunning({ pid, start }: Owner): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it runs, as another user.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const now = startOf(pid);
  // The same pid, started at another time: another process, the owner is gone.
  return start === undefined || now === undefined || now === start;
}

/**
 * Takes `folder` for this process, or throws DataDirInUseError naming the process that has it.
 * Returns the release (also run when the process exits).
 */
export function lockDataDir(folder: string): () => void {
  const resolved = path.resolve(folder);
  if (held.has(resolved)) throw new DataDirInUseError(folder, process.pid, 'this process');
  const pidFile = path.join(resolved, 'connect.pid');
  const draft = `${pidFile}.${process.pid}`;
  writeFileSync(draft, `${process.pid} ${startOf(process.pid) ?? ''}`.trim());
  try {
    for (;;) {
      try {
        linkSync(draft, pidFile);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const owner = ownerOf(pidFile);
        // Our own pid, not held by us: left by an earlier process that had it (a container's pid 1).
        if (owner !== null && owner.pid !== process.pid && isRunning(owner))
          throw new DataDirInUseError(folder, owner.pid, programOf(owner.pid));
        // Its process is gone (or it is not a pid file of ours): taken over.
        rmSync(pidFile, { force: true });
      }
    }
  } finally {
    rmSync(draft, { force: true });
  }
  held.add(resolved);
  const release = () => {
    if (ownerOf(pidFile)?.pid === process.pid) rmSync(pidFile, { force: true });
    held.delete(resolved);
    process.off('exit', release);
  };
  process.on('exit', release);
  return release;
}
