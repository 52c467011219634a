// The cipher on its own: what the connections rely on.
import { describe, expect, it } from 'vitest';
import { decryptSecret, encryptSecret, keyVersionOf } from '../../src/crypto/encryption.ts';
import { newKeyEntry, parseKeyRing } from '../../src/crypto/key-ring.ts';

const v1 = newKeyEntry(1);
const v2 = newKeyEntry(2);

describe('AES-256-GCM secrets', () => {
  it('round-trips under the newest key, with a fresh nonce each time', () => {
    const ring = parseKeyRing(`${v1},${v2}`);
    const first = encryptSecret(ring, 'sk_live_4242', 'tenant:conn');
    const second = encryptSecret(ring, 'sk_live_4242', 'tenant:conn');
    expect(first).not.toBe(second);
    expect(first).not.toContain('sk_live');
    expect(keyVersionOf(first)).toBe(2);
    expect(decryptSecret(ring, first, 'tenant:conn')).toBe('sk_live_4242');
  });

  it('refuses a tampered value, another record’s binding, and a key it does not hold', () => {
    const ring = parseKeyRing(v1);
    const sealed = encryptSecret(ring, 'secret', 'tenant-a:conn-1');
    const last = sealed.at(-2) === 'A' ? 'B' : 'A';
    const tampered = `${sealed.slice(0, -2)}${last}${sealed.at(-1)}`;
    expect(() => decryptSecret(ring, tampered, 'tenant-a:conn-1')).toThrow(/does not decrypt/);
    expect(() => decryptSecret(ring, sealed, 'tenant-b:conn-1')).toThrow(/does not decrypt/);
    expect(() => decryptSecret(parseKeyRing(newKeyEntry(1)), sealed, 'tenant-a:conn-1')).toThrow(/does not decrypt/);
    expect(() => decryptSecret(parseKeyRing(v2), sealed, 'tenant-a:conn-1')).toThrow(/not in the key ring/);
  });

  it('reads ENCRYPTION_KEYS strictly, without quoting a key in its complaints', () => {
    expect(() => parseKeyRing('')).toThrow(/at least one key/);
    expect(() => parseKeyRing('1:c2hvcnQ=')).toThrow(/base64 of 32 bytes/);
    expect(() => parseKeyRing(`${v1},${v1}`)).toThrow(/appears twice/);
    try {
      parseKeyRing(`0:${v1.slice(2)}`);
    } catch (error) {
      expect((error as Error).message).not.toContain(v1.slice(2));
    }
  });
});
