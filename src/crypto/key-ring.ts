// The encryption key ring: versioned AES-256 keys. The newest (highest version) encrypts; any
// listed key decrypts, so a key can be added, everything re-encrypted, and the old key removed.
// Format of ENCRYPTION_KEYS: comma-separated `<version>:<base64 of 32 random bytes>`.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface KeyRing {
  current: { version: number; key: Buffer };
  keys: ReadonlyMap<number, Buffer>;
}

const KEY_BYTES = 32;

/** The ring described by ENCRYPTION_KEYS, or an Error saying what is wrong (never echoing a key). */
export function parseKeyRing(text: string): KeyRing {
  const keys = new Map<number, Buffer>();
  for (const [index, entry] of text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .entries()) {
    const match = /^(\d+):([A-Za-z0-9+/_-]+={0,2})$/.exec(entry);
    const version = Number(match?.[1]);
    const key = match?.[2] ? Buffer.from(match[2], 'base64') : undefined;
    if (!match || !Number.isSafeInteger(version) || version < 1 || key?.length !== KEY_BYTES) {
      throw new Error(`entry ${index + 1} must be <version>:<base64 of ${KEY_BYTES} bytes>, version a positive integer`);
    }
    if (keys.has(version)) throw new Error(`version ${version} appears twice`);
    keys.set(version, key);
  }
  const [current] = [...keys].sort(([a], [b]) => b - a);
  if (!current) throw new Error('must list at least one key');
  return { current: { version: current[0], key: current[1] }, keys };
}

export function newKeyEntry(version: number): string {
  return `${version}:${randomBytes(KEY_BYTES).toString('base64')}`;
}

/**
 * Development only: the key ring kept in the data folder, made on first start. Losing the file
 * makes the stored secrets unreadable, so it lives next to the embedded database it protects.
 */
async function localKeyRing(dataDir: string): Promise<{ ring: KeyRing; file: string; created: boolean }> {
  const file = path.resolve(dataDir, 'encryption-keys');
  const existing = await readFile(file, 'utf8').catch(() => null);
  if (existing !== null) return { ring: parseKeyRing(existing), file, created: false };
  await mkdir(dataDir, { recursive: true });
  const entry = newKeyEntry(1);
  await writeFile(file, `${entry}\n`, { mode: 0o600, flag: 'wx' });
  return { ring: parseKeyRing(entry), file, created: true };
}

/** ENCRYPTION_KEYS when set; otherwise (development: config refuses production without it) the local ring. */
export async function configuredKeyRing(config: { encryptionKeys: KeyRing | undefined; dataDir: string }) {
  if (config.encryptionKeys) return { ring: config.encryptionKeys, local: null };
  const { ring, file, created } = await localKeyRing(config.dataDir);
  return { ring, local: { file, created } };
}
