-- Sub-accounts: lifecycle, keys, catalog (issue 15).
-- Existing sub-accounts become ACTIVE (the status column's default), with no status reason and no
-- deactivation time. Existing catalog entries stay unarchived (archivedAt null).

-- CreateEnum
CREATE TYPE "SubAccountStatus" AS ENUM ('ACTIVE', 'DEACTIVATED');

-- CreateEnum
CREATE TYPE "SubAccountStatusReason" AS ENUM ('REQUESTED_BY_ACCOUNT', 'FRAUD', 'TERMS_OF_SERVICE', 'OTHER');

-- AlterTable
ALTER TABLE "AccountPackage" ADD COLUMN     "archivedAt" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "PermissiblePurpose" ADD COLUMN     "archivedAt" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "SubAccount" ADD COLUMN     "deactivatedAt" TIMESTAMPTZ(3),
ADD COLUMN     "provisionedApiKeyId" TEXT,
ADD COLUMN     "status" "SubAccountStatus" NOT NULL DEFAULT 'ACTIVE',
ADD COLUMN     "statusReason" "SubAccountStatusReason";

-- The provisioned key: the one createSubAccount issued, which the same name again replaces (and no
-- named key). Before this migration createSubAccount and rotateSubAccountApiKey left a sub-account
-- at most one unrevoked key, the one they issued last: that key becomes its provisioned key. A
-- sub-account whose key was revoked, or that never had one, gets none (null): the same name again
-- then revokes nothing and issues a new provisioned key.
UPDATE "SubAccount" AS "account"
SET "provisionedApiKeyId" = (
  SELECT "key"."id"
  FROM "ApiKey" AS "key"
  WHERE "key"."tenantId" = "account"."tenantId" AND "key"."revokedAt" IS NULL
  ORDER BY "key"."createdAt" DESC, "key"."id" DESC
  LIMIT 1
);

-- A sub-account's keys authenticate only while it is ACTIVE, and every process caches a key together
-- with its sub-account's status (src/auth/api-key-authentication.ts). When the status changes,
-- whatever changed it, this trigger names each unrevoked key of the sub-account on channel
-- connect_auth, as a key's own revocation does (migration 20261122234500_auth_change_notifications):
-- every process forgets those keys and reads the status again on their next request, and a live
-- subscription on one of them ends. Revoked keys are never cached, so they need no notification.
CREATE FUNCTION "connect_notify_sub_account_status"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('connect_auth', 'key:' || "secretHash")
  FROM "ApiKey"
  WHERE "tenantId" = NEW."tenantId" AND "revokedAt" IS NULL;
  RETURN NULL;
END
$$;

CREATE TRIGGER "SubAccount_status_auth_change"
  AFTER UPDATE OF "status" ON "SubAccount"
  FOR EACH ROW WHEN (OLD."status" IS DISTINCT FROM NEW."status")
  EXECUTE FUNCTION "connect_notify_sub_account_status"();
