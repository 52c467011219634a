// Signing secrets: made here, stored only encrypted with the key ring (bound to the endpoint), and
// used to sign by the Standard Webhooks specification through its reference package.
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { decryptSecret, encryptSecret } from '../crypto/encryption.ts';
import type { KeyRing } from '../crypto/key-ring.ts';

/** `whsec_` and the base64 of 32 random bytes: what Standard Webhooks libraries take. */
export const newWebhookSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

const associatedData = (endpoint: { id: string; tenantId: string }) => `webhook_endpoint:${endpoint.tenantId}:${endpoint.id}`;

export const sealSecret = (keyRing: KeyRing, endpoint: { id: string; tenantId: string }, secret: string) =>
  encryptSecret(keyRing, secret, associatedData(endpoint));

export const openSecret = (keyRing: KeyRing, endpoint: { id: string; tenantId: string }, stored: string) =>
  decryptSecret(keyRing, stored, associatedData(endpoint));

/** After a rotation, the old secret goes on signing (one more signature) this long. */
export const PREVIOUS_SECRET_MS = 24 * 60 * 60 * 1000;

/**
 * Secrets an endpoint may have signing at once, the current one included: each is one more
 * signature in every delivery's header, so a rotation past it waits until the oldest expires.
 */
export const MAX_SIGNING_SECRETS = 5;

/** A secret rotated away that still signs: `WebhookEndpoint.previousSecrets` holds a list of them, newest first. */
export interface PreviousSecret {
  ciphertext: string;
  expiresAt: string;
}

const isPreviousSecret = (value: unknown): value is PreviousSecret =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as PreviousSecret).ciphertext === 'string' &&
  typeof (value as PreviousSecret).expiresAt === 'string';

/** The previous secrets still signing at `now` (the stored JSON, read defensively). */
export function livePreviousSecrets(stored: unknown, now: Date): PreviousSecret[] {
  return (Array.isArray(stored) ? stored : []).filter(isPreviousSecret).filter((secret) => Date.parse(secret.expiresAt) > now.getTime());
}

/** Every secret that signs a delivery at `now`: the current one first, then those rotated away less than 24 h ago. */
export function signingSecrets(
  keyRing: KeyRing,
  endpoint: { id: string; tenantId: string; secretCiphertext: string; previousSecrets: unknown },
  now: Date,
): string[] {
  return [endpoint.secretCiphertext, ...livePreviousSecrets(endpoint.previousSecrets, now).map((secret) => secret.ciphertext)].map(
    (stored) => openSecret(keyRing, endpoint, stored),
  );
}

/**
 * The `webhook-signature` header: `v1,<base64>` for each secret, space-separated (the newest first),
 * so a receiver still holding the old secret accepts the message during the overlap.
 */
export function signatureHeader(secrets: string[], messageId: string, timestamp: Date, body: string): string {
  return secrets.map((secret) => new Webhook(secret).sign(messageId, timestamp, body)).join(' ');
}
