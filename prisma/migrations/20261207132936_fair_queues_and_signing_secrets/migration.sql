-- Work queues that one tenant cannot take: webhook deliveries are found through a queue row per
-- endpoint instead of a scan of the deliveries filtered by status (whose plan went bad on stale
-- statistics: minutes per lease under a backlog), and an outbox e-mail says whose request queued it.
-- An endpoint keeps every secret it rotated away signing for its 24 hours, not just the last one.
-- Written from `npm run db:migration:create`, then by hand: the data of existing rows is carried over.

-- The old lease's index: nothing reads deliveries by status across endpoints any more.
DROP INDEX "WebhookDelivery_status_nextAttemptAt_idx";

-- Previous signing secrets: the one column pair becomes a list; a secret still signing keeps signing.
ALTER TABLE "WebhookEndpoint" ADD COLUMN "previousSecrets" JSONB NOT NULL DEFAULT '[]';
UPDATE "WebhookEndpoint"
SET "previousSecrets" = jsonb_build_array(jsonb_build_object(
  'ciphertext', "previousSecretCiphertext",
  'expiresAt', to_char("previousSecretExpiresAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')))
WHERE "previousSecretCiphertext" IS NOT NULL AND "previousSecretExpiresAt" > now();
ALTER TABLE "WebhookEndpoint" DROP COLUMN "previousSecretCiphertext",
DROP COLUMN "previousSecretExpiresAt";

-- CreateTable
CREATE TABLE "WebhookQueue" (
    "endpointId" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "dueAt" TIMESTAMPTZ(3),
    "leasedUntil" TIMESTAMPTZ(3),
    "unansweredInARow" INTEGER NOT NULL DEFAULT 0,
    "openUntil" TIMESTAMPTZ(3),

    CONSTRAINT "WebhookQueue_pkey" PRIMARY KEY ("endpointId")
);

-- CreateIndex
CREATE INDEX "WebhookQueue_dueAt_idx" ON "WebhookQueue"("dueAt");

-- CreateIndex
CREATE INDEX "WebhookDelivery_endpointId_status_eventSequence_idx" ON "WebhookDelivery"("endpointId", "status", "eventSequence");

-- CreateIndex
CREATE INDEX "WebhookDelivery_endpointId_nextAttemptAt_idx" ON "WebhookDelivery"("endpointId", "nextAttemptAt");

-- A delivery has a next attempt exactly while it is PENDING (DELIVERED and FAILED ones never had one
-- kept), so an endpoint's earliest nextAttemptAt is its earliest pending one, read from the index
-- above in one probe. Written by hand: Prisma does not manage CHECK constraints.
UPDATE "WebhookDelivery" SET "nextAttemptAt" = NULL WHERE "status" <> 'PENDING' AND "nextAttemptAt" IS NOT NULL;
UPDATE "WebhookDelivery" SET "nextAttemptAt" = "createdAt" WHERE "status" = 'PENDING' AND "nextAttemptAt" IS NULL;
ALTER TABLE "WebhookDelivery" ADD CONSTRAINT "WebhookDelivery_nextAttemptAt_while_pending"
  CHECK (("status" = 'PENDING') = ("nextAttemptAt" IS NOT NULL));

-- AddForeignKey
ALTER TABLE "WebhookQueue" ADD CONSTRAINT "WebhookQueue_endpointId_fkey" FOREIGN KEY ("endpointId") REFERENCES "WebhookEndpoint"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Every endpoint with something to send gets its queue row, due when its earliest delivery is
-- (a disabled one waits, with no due time, until it is enabled again).
INSERT INTO "WebhookQueue" ("endpointId", "tenantId", "dueAt")
SELECT e."id", e."tenantId", CASE WHEN e."status" = 'ENABLED' THEN min(d."nextAttemptAt") END
FROM "WebhookEndpoint" e JOIN "WebhookDelivery" d ON d."endpointId" = e."id" AND d."status" = 'PENDING'
GROUP BY e."id", e."tenantId", e."status";

-- E-mail in the outbox says whose request queued it, so that the worker takes turns between them.
ALTER TABLE "OutboxEmail" ADD COLUMN "organizationId" TEXT;
