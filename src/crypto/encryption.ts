// AES-256-GCM for secrets at rest. Each value gets a random 96-bit nonce, and is bound to where it
// belongs through additional authenticated data (e.g. tenant and connection id), so a ciphertext
// copied to another row does not decrypt. Stored form: `v<key version>.<nonce>.<ciphertext+tag>`.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { KeyRing } from './key-ring.ts';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export class DecryptionError extends Error {}

export function encryptSecret(ring: KeyRing, plaintext: string, associatedData: string): string {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', ring.current.key, nonce);
  cipher.setAAD(Buffer.from(associatedData));
  const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `v${ring.current.version}.${nonce.toString('base64url')}.${sealed.toString('base64url')}`;
}

export function keyVersionOf(stored: string): number {
  const match = /^v(\d+)\./.exec(stored);
  if (!match) throw new DecryptionError('Not an encrypted value');
  return Number(match[1]);
}

export function decryptSecret(ring: KeyRing, stored: string, associatedData: string): string {
  const [, nonceText, sealedText] = stored.split('.');
  const key = ring.keys.get(keyVersionOf(stored));
  if (!key) throw new DecryptionError(`Key version ${keyVersionOf(stored)} is not in the key ring`);
  if (!nonceText || !sealedText) throw new DecryptionError('Malformed encrypted value');
  const sealed = Buffer.from(sealedText, 'base64url');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonceText, 'base64url'));
    decipher.setAAD(Buffer.from(associatedData));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    throw new DecryptionError('The value does not decrypt: wrong key, tampered, or bound to another record');
  }
}
