// Key rotation for signing secrets (scripts/reencrypt-secrets.ts): an endpoint's current secret and
// the rotated-away ones still signing are sealed again under the newest key, so that the old key can
// leave ENCRYPTION_KEYS without an endpoint failing to sign. Rotated-away secrets past their 24 h sign
// nothing any more and are dropped on the way.
import type { Prisma } from '../db/database.ts';
import { Prisma as Sql } from '../generated/prisma/client.ts';
import { keyVersionOf } from '../crypto/encryption.ts';
import type { KeyRing } from '../crypto/key-ring.ts';
import { livePreviousSecrets, openSecret, sealSecret } from './signing.ts';

interface StaleEndpoint {
  id: string;
  tenantId: string;
  secretCiphertext: string;
  previousSecrets: unknown;
}

/** An endpoint `e` with a secret that signs at `now` sealed under an older key than the newest. */
const sealedUnderOlderKey = (keyRing: KeyRing, now: Date) => {
  const newest = `v${keyRing.current.version}.%`;
  return Sql.sql`(e."secretCiphertext" NOT LIKE ${newest}
    OR EXISTS (SELECT 1 FROM jsonb_array_elements(e."previousSecrets") p
               WHERE p->>'ciphertext' NOT LIKE ${newest} AND (p->>'expiresAt')::timestamptz > ${now}))`;
};

const resealed = (keyRing: KeyRing, endpoint: StaleEndpoint, stored: string) =>
  keyVersionOf(stored) === keyRing.current.version ? stored : sealSecret(keyRing, endpoint, openSecret(keyRing, endpoint, stored));

/**
 * Re-seals up to `batchSize` endpoints' signing secrets under the newest key; returns how many
 * endpoints it took. Call until it returns 0 (an interrupted run resumes where it stopped).
 */
export async function reencryptWebhookSecretsBatch(prisma: Prisma, keyRing: KeyRing, batchSize: number, now = new Date()): Promise<number> {
  const endpoints = await prisma.$queryRaw<StaleEndpoint[]>`
    SELECT "id", "tenantId", "secretCiphertext", "previousSecrets" FROM "WebhookEndpoint" e
    WHERE ${sealedUnderOlderKey(keyRing, now)} ORDER BY "id" LIMIT ${batchSize}`;
  for (const endpoint of endpoints) {
    const previousSecrets = livePreviousSecrets(endpoint.previousSecrets, now).map((secret) => ({
      ...secret,
      ciphertext: resealed(keyRing, endpoint, secret.ciphertext),
    }));
    // Only if nobody rotated the secret meanwhile (a rotation seals under the newest key itself).
    await prisma.webhookEndpoint.updateMany({
      where: { id: endpoint.id, secretCiphertext: endpoint.secretCiphertext },
      data: { secretCiphertext: resealed(keyRing, endpoint, endpoint.secretCiphertext), previousSecrets },
    });
  }
  return endpoints.length;
}

export async function pendingWebhookReencryption(prisma: Prisma, keyRing: KeyRing, now = new Date()): Promise<number> {
  const [row] = await prisma.$queryRaw<{ count: bigint }[]>`
    SELECT count(*) AS "count" FROM "WebhookEndpoint" e WHERE ${sealedUnderOlderKey(keyRing, now)}`;
  return Number(row?.count ?? 0);
}
