-- One event log (Event) replaces the connected-account history (ConnectedAccountEvent); webhook
-- endpoints and their deliveries; idempotency keys.
--
-- Existing history is carried over, one Event per old row, in the order it happened: ids keep their
-- random part (caevt_X becomes evt_X), types are renamed (ONBOARDING_COMPLETED and CONNECTED_BY_CONSENT
-- both become connected_account.activated; the account's connectionType tells them apart), and
-- `data` holds what the old row knew: the account's id, connection type and status, and the status
-- before. Old rows have no webhook deliveries: nothing is sent for the past.

-- CreateEnum
CREATE TYPE "EventActorType" AS ENUM ('API_KEY', 'USER', 'SYSTEM');

-- CreateEnum
CREATE TYPE "WebhookEndpointStatus" AS ENUM ('ENABLED', 'DISABLED');

-- CreateEnum
CREATE TYPE "WebhookDeliveryStatus" AS ENUM ('PENDING', 'DELIVERED', 'FAILED');

-- CreateEnum
CREATE TYPE "IdempotencyStatus" AS ENUM ('IN_PROGRESS', 'COMPLETED');

-- CreateTable
CREATE TABLE "Event" (
    "id" TEXT NOT NULL,
    "sequence" BIGSERIAL NOT NULL,
    "type" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "tenantId" TEXT,
    "connectedAccountId" TEXT,
    "platformOrganizationId" TEXT,
    "objectId" TEXT NOT NULL,
    "data" JSONB NOT NULL,
    "actorType" "EventActorType" NOT NULL,
    "actorId" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebhookEndpoint" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "actingForAccountId" TEXT,
    "url" TEXT NOT NULL,
    "description" TEXT,
    "eventTypes" TEXT[],
    "connect" BOOLEAN NOT NULL DEFAULT false,
    "status" "WebhookEndpointStatus" NOT NULL DEFAULT 'ENABLED',
    "disabledReason" TEXT,
    "secretCiphertext" TEXT NOT NULL,
    "previousSecretCiphertext" TEXT,
    "previousSecretExpiresAt" TIMESTAMPTZ(3),
    "failingSince" TIMESTAMPTZ(3),
    "consecutiveFailures" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "WebhookEndpoint_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebhookDelivery" (
    "id" TEXT NOT NULL,
    "endpointId" TEXT NOT NULL,
    "eventId" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "eventSequence" BIGINT NOT NULL,
    "status" "WebhookDeliveryStatus" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMPTZ(3) DEFAULT CURRENT_TIMESTAMP,
    "lastAttemptAt" TIMESTAMPTZ(3),
    "lastResponseStatus" INTEGER,
    "lastResponseBody" TEXT,
    "lastError" TEXT,
    "leasedUntil" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WebhookDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "IdempotencyKey" (
    "callerHash" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "status" "IdempotencyStatus" NOT NULL,
    "responseStatus" INTEGER,
    "responseHeaders" JSONB,
    "responseBody" TEXT,
    "lockedUntil" TIMESTAMPTZ(3) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "IdempotencyKey_pkey" PRIMARY KEY ("callerHash","key")
);

-- CreateIndex
CREATE UNIQUE INDEX "Event_sequence_key" ON "Event"("sequence");

-- CreateIndex
CREATE INDEX "Event_organizationId_sequence_idx" ON "Event"("organizationId", "sequence");

-- CreateIndex
CREATE INDEX "Event_platformOrganizationId_sequence_idx" ON "Event"("platformOrganizationId", "sequence");

-- CreateIndex
CREATE INDEX "Event_tenantId_sequence_idx" ON "Event"("tenantId", "sequence");

-- CreateIndex
CREATE INDEX "Event_connectedAccountId_sequence_idx" ON "Event"("connectedAccountId", "sequence");

-- CreateIndex
CREATE INDEX "Event_objectId_sequence_idx" ON "Event"("objectId", "sequence");

-- CreateIndex
CREATE INDEX "Event_createdAt_idx" ON "Event"("createdAt");

-- CreateIndex
CREATE INDEX "WebhookEndpoint_organizationId_connect_idx" ON "WebhookEndpoint"("organizationId", "connect");

-- CreateIndex
CREATE INDEX "WebhookEndpoint_tenantId_idx" ON "WebhookEndpoint"("tenantId");

-- CreateIndex
CREATE INDEX "WebhookDelivery_status_nextAttemptAt_idx" ON "WebhookDelivery"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "WebhookDelivery_endpointId_eventSequence_idx" ON "WebhookDelivery"("endpointId", "eventSequence");

-- CreateIndex
CREATE UNIQUE INDEX "WebhookDelivery_endpointId_eventId_key" ON "WebhookDelivery"("endpointId", "eventId");

-- CreateIndex
CREATE INDEX "IdempotencyKey_createdAt_idx" ON "IdempotencyKey"("createdAt");

-- AddForeignKey
ALTER TABLE "Event" ADD CONSTRAINT "Event_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Event" ADD CONSTRAINT "Event_connectedAccountId_fkey" FOREIGN KEY ("connectedAccountId") REFERENCES "ConnectedAccount"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebhookEndpoint" ADD CONSTRAINT "WebhookEndpoint_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebhookDelivery" ADD CONSTRAINT "WebhookDelivery_endpointId_fkey" FOREIGN KEY ("endpointId") REFERENCES "WebhookEndpoint"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebhookDelivery" ADD CONSTRAINT "WebhookDelivery_eventId_fkey" FOREIGN KEY ("eventId") REFERENCES "Event"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Carry the history over, then drop the old table.
INSERT INTO "Event" ("id", "type", "organizationId", "tenantId", "connectedAccountId", "platformOrganizationId", "objectId", "data", "actorType", "actorId", "createdAt")
SELECT
  'evt_' || substring(e."id" FROM position('_' IN e."id") + 1),
  CASE e."type"
    WHEN 'CREATED' THEN 'connected_account.created'
    WHEN 'ONBOARDING_LINK_CREATED' THEN 'connected_account.onboarding_link.created'
    WHEN 'ONBOARDING_COMPLETED' THEN 'connected_account.activated'
    WHEN 'CONNECTED_BY_CONSENT' THEN 'connected_account.activated'
    WHEN 'SUSPENDED' THEN 'connected_account.suspended'
    WHEN 'REACTIVATED' THEN 'connected_account.reactivated'
    WHEN 'REVOKED' THEN 'connected_account.revoked'
  END,
  e."platformOrganizationId",
  NULL,
  e."connectedAccountId",
  e."platformOrganizationId",
  e."connectedAccountId",
  jsonb_build_object('object', jsonb_build_object('id', e."connectedAccountId", 'connectionType', a."connectionType", 'status', e."toStatus"))
    || CASE WHEN e."fromStatus" IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('previous', jsonb_build_object('status', e."fromStatus")) END,
  (CASE WHEN e."actorApiKeyId" IS NOT NULL THEN 'API_KEY' WHEN e."actorUserId" IS NOT NULL THEN 'USER' ELSE 'SYSTEM' END)::"EventActorType",
  COALESCE(e."actorApiKeyId", e."actorUserId"),
  e."createdAt"
FROM "ConnectedAccountEvent" e
JOIN "ConnectedAccount" a ON a."id" = e."connectedAccountId"
ORDER BY e."createdAt", e."id";

DROP TABLE "ConnectedAccountEvent";
DROP TYPE "ConnectedAccountEventType";
