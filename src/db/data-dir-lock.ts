// One process per embedded database. PGlite keeps no lock of its own: a second process opening the
// same folder died inside its WebAssembly (`RuntimeError: Aborted()`, a minified dump), or could have
// corrupted it. The first process writes its pid into `<folder>/connect.pid`, created exclusively; a
// process that finds a live pid there is refused by name; a pid file left by a process that is gone
// (kill -9, a crash, a power cut) is taken over. Two processes starting in the same instant over a
// stale pid file could both take it over; a folder's starts are a person's, not a fleet's.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

export class DataDirInUseError extends Error {
  constructor(
    readonly folder: string,
    readonly pid: number,
    readonly command: string | undefined,
  ) {
    super(`${folder} is in use by process ${pid}${command ? ` (${command})` : ''}`);
  }
}

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** What the process runs, where the system says (Linux's /proc), for the message. */
function commandOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ').slice(0, 200) || undefined;
  } catch {
    return undefined;
  }
}

function ownerOf(pidFile: string): number | null {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/**
 * Takes `folder` for this process, or throws DataDirInUseError naming the process that has it.
 * Returns the release (also run when the process exits).
 */
export function lockDataDir(folder: string): () => void {
  const pidFile = path.join(folder, 'connect.pid');
  for (;;) {
    try {
      const descriptor = openSync(pidFile, 'wx');
      writeSync(descriptor, `${process.pid}\n`);
      closeSync(descriptor);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = ownerOf(pidFile);
      if (owner !== null && owner !== process.pid && isRunning(owner)) throw new DataDirInUseError(folder, owner, commandOf(owner));
      // Left by a process that is gone (or half-written by one that died writing it): taken over.
      rmSync(pidFile, { force: true });
    }
  }
  const release = () => {
    if (ownerOf(pidFile) === process.pid) rmSync(pidFile, { force: true });
    process.off('exit', release);
  };
  process.on('exit', release);
  return release;
}
