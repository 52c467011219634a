// The embedded database's folder belongs to one process (src/db/data-dir-lock.ts): who is refused,
// and which pid files are taken over.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirInUseError, lockDataDir } from '../../src/db/data-dir-lock.ts';

const folders: string[] = [];
// An argument no pid, folder name or message could contain: the refusal must not show the command line.
const sleeper = spawn('sleep', ['31337s']);
afterAll(() => {
  sleeper.kill('SIGKILL');
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function folderWithPidFile(content?: string): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'connect-lock-'));
  folders.push(folder);
  if (content !== undefined) writeFileSync(path.join(folder, 'connect.pid'), content);
  return folder;
}

const startOf = (pid: number) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(')').at(-1)?.trim().split(' ')[19];

describe('the data folder lock', () => {
  it('writes its pid, refuses the same folder twice in one process, and removes the file on release', () => {
    const folder = folderWithPidFile();
    const release = lockDataDir(folder);
    expect(readFileSync(path.join(folder, 'connect.pid'), 'utf8')).toBe(`${process.pid} ${startOf(process.pid)}`);
    expect(() => lockDataDir(folder)).toThrow(DataDirInUseError);
    release();
    expect(existsSync(path.join(folder, 'connect.pid'))).toBe(false);
    lockDataDir(folder)();
  });

  it('refuses a folder a live process holds, naming its pid and program only', () => {
    const pid = sleeper.pid ?? expect.fail('no sleeper');
    const folder = folderWithPidFile(`${pid} ${startOf(pid)}`);
    const refused = (() => {
      try {
        lockDataDir(folder);
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(DataDirInUseError);
    expect(refused).toMatchObject({ pid, program: 'sleep' });
    expect(String(refused)).not.toContain('31337s');
  });

  it.each([
    ['a process that is gone', '999999999 1'],
    ['a live pid started at another time (reused)', () => `${sleeper.pid} 1`],
    ['an empty file', ''],
    ['something that is not a pid file', 'not a pid'],
  ])('takes over the file of %s', (_case, content) => {
    const folder = folderWithPidFile(typeof content === 'function' ? content() : content);
    const release = lockDataDir(folder);
    expect(readFileSync(path.join(folder, 'connect.pid'), 'utf8')).toMatch(new RegExp(`^${process.pid} `));
    release();
  });
});
