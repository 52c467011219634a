-- Connections: several per provider and tenant, named uniquely in any letter case, with a health
-- that the last check of their credentials against the provider sets.

CREATE TYPE "ConnectionHealthStatus" AS ENUM ('UNKNOWN', 'HEALTHY', 'FAILING', 'NEEDS_REAUTH');

-- One live connection per provider and tenant is no longer the rule: the constraint goes, and with
-- it the column that only served it (the provider stays in "providerType").
DROP INDEX "Connection_tenantId_liveProviderType_key";

-- Existing connections were never checked: their health is UNKNOWN (the column's default), with no
-- verification time and no error. The background re-verification checks the PUBLISHED ones soon.
ALTER TABLE "Connection" DROP COLUMN "liveProviderType",
ADD COLUMN     "healthStatus" "ConnectionHealthStatus" NOT NULL DEFAULT 'UNKNOWN',
ADD COLUMN     "lastError" TEXT,
ADD COLUMN     "lastVerifiedAt" TIMESTAMPTZ(3);

CREATE INDEX "Connection_status_lastVerifiedAt_idx" ON "Connection"("status", "lastVerifiedAt");

-- Existing names that differ only in letter case within a tenant (possible until now: one live
-- connection per provider, any names): among the connections that are not DELETED, the oldest (by
-- createdAt, then id) keeps its name; each later one is renamed to its name followed by its own id,
-- e.g. "Stripe (conn_4xT…)", which is unique and tells the tenant which one it is; the name is
-- shortened first so that the whole stays within the 255 characters a name may have. DELETED
-- connections keep their names: they hold no name (see the index below).
UPDATE "Connection" AS "later"
SET "name" = left("later"."name", 255 - length("later"."id") - 3) || ' (' || "later"."id" || ')'
WHERE "later"."status" <> 'DELETED'
  AND EXISTS (
    SELECT 1
    FROM "Connection" AS "earlier"
    WHERE "earlier"."tenantId" = "later"."tenantId"
      AND "earlier"."status" <> 'DELETED'
      AND lower("earlier"."name") = lower("later"."name")
      AND ("earlier"."createdAt", "earlier"."id") < ("later"."createdAt", "later"."id")
  );

-- A name is unique per tenant in any letter case, among connections that are not DELETED: a deleted
-- connection keeps its row (and name) for audit, and its name can be used again. Prisma cannot
-- express an index on an expression or a partial one: written by hand, and schema.prisma says so.
-- lower() folds letters by the database's LC_CTYPE (every letter under a UTF-8 locale, ASCII only
-- under C); the service compares names with the same lower(), so they always agree.
CREATE UNIQUE INDEX "Connection_tenantId_lower_name_key"
  ON "Connection" ("tenantId", lower("name"))
  WHERE "status" <> 'DELETED';
