-- Sub-accounts and the catalog (permissible purposes, account packages) belong to the platform
-- TENANT that made them, no longer to the whole platform organization: a sandbox key neither sees
-- nor manages production's sub-accounts (it could mint live keys for them), nor archives or renames
-- production's catalog. Sandbox and production are separate: names are unique per platform tenant.

ALTER TABLE "SubAccount" ADD COLUMN "platformTenantId" TEXT;
ALTER TABLE "PermissiblePurpose" ADD COLUMN "platformTenantId" TEXT;
ALTER TABLE "AccountPackage" ADD COLUMN "platformTenantId" TEXT;

-- Carry-over: every existing row was made with a production key (sub-accounts got PRODUCTION keys
-- only), so it goes to its platform organization's PRODUCTION tenant, the earliest if several (an
-- organization has exactly one today).
CREATE TEMPORARY TABLE "_platform_production_tenant" AS
  SELECT DISTINCT ON ("organizationId") "organizationId", "id" AS "tenantId"
  FROM "Tenant" WHERE "environment" = 'PRODUCTION'
  ORDER BY "organizationId", "createdAt", "id";

UPDATE "SubAccount" s SET "platformTenantId" = p."tenantId"
  FROM "_platform_production_tenant" p WHERE p."organizationId" = s."platformOrganizationId";
UPDATE "PermissiblePurpose" c SET "platformTenantId" = p."tenantId"
  FROM "_platform_production_tenant" p WHERE p."organizationId" = c."platformOrganizationId";
UPDATE "AccountPackage" c SET "platformTenantId" = p."tenantId"
  FROM "_platform_production_tenant" p WHERE p."organizationId" = c."platformOrganizationId";

-- The events of those sub-accounts (and of their keys) were recorded in no tenant, which every key
-- of the platform organization, sandbox ones included, reads: they move to that production tenant,
-- where new ones are recorded (src/sub-accounts/events.ts).
UPDATE "Event" e SET "tenantId" = p."tenantId"
  FROM "_platform_production_tenant" p
  WHERE p."organizationId" = e."organizationId" AND e."tenantId" IS NULL AND e."connectedAccountId" IS NULL
    AND e."type" LIKE 'sub\_account.%';

DROP TABLE "_platform_production_tenant";

ALTER TABLE "SubAccount" ALTER COLUMN "platformTenantId" SET NOT NULL;
ALTER TABLE "PermissiblePurpose" ALTER COLUMN "platformTenantId" SET NOT NULL;
ALTER TABLE "AccountPackage" ALTER COLUMN "platformTenantId" SET NOT NULL;

DROP INDEX "AccountPackage_platformOrganizationId_name_key";
DROP INDEX "PermissiblePurpose_platformOrganizationId_name_key";
DROP INDEX "SubAccount_platformOrganizationId_accountName_key";
DROP INDEX "SubAccount_platformOrganizationId_createdAt_idx";
DROP INDEX "SubAccount_platformOrganizationId_lower_accountName_key";

CREATE UNIQUE INDEX "AccountPackage_platformTenantId_name_key" ON "AccountPackage"("platformTenantId", "name");
CREATE UNIQUE INDEX "PermissiblePurpose_platformTenantId_name_key" ON "PermissiblePurpose"("platformTenantId", "name");
CREATE INDEX "SubAccount_platformTenantId_createdAt_idx" ON "SubAccount"("platformTenantId", "createdAt");
CREATE UNIQUE INDEX "SubAccount_platformTenantId_accountName_key" ON "SubAccount"("platformTenantId", "accountName");
-- The name in any letter case, as the service looks it up (src/sub-accounts/access.ts); lower()
-- folds letters by the database's LC_CTYPE, as in 20261123103000_sub_account_names_any_case.
CREATE UNIQUE INDEX "SubAccount_platformTenantId_lower_accountName_key"
  ON "SubAccount" ("platformTenantId", lower("accountName"));

ALTER TABLE "SubAccount" ADD CONSTRAINT "SubAccount_platformTenantId_fkey" FOREIGN KEY ("platformTenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "PermissiblePurpose" ADD CONSTRAINT "PermissiblePurpose_platformTenantId_fkey" FOREIGN KEY ("platformTenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "AccountPackage" ADD CONSTRAINT "AccountPackage_platformTenantId_fkey" FOREIGN KEY ("platformTenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;
