-- createTenant (issue 15): an organization's tenants have names unique in any letter case, so that
-- "Staging" and "staging" cannot both exist and a person picking a tenant (the consent page, the
-- x-meteroid-tenant a platform sends) is never shown two that read alike. Prisma cannot express an
-- index on an expression: this file is written by hand, like 20261123103000_sub_account_names_any_case.
--
-- Existing names that differ only in case (none were possible through the API: every organization
-- had its one "Production" tenant): the oldest tenant keeps its name, each later one gets its own id
-- appended, e.g. "Production (ten_4xT…)", shortened first to stay within 100 characters.
UPDATE "Tenant" AS "later"
SET "name" = left("later"."name", 100 - length("later"."id") - 3) || ' (' || "later"."id" || ')'
WHERE EXISTS (
  SELECT 1
  FROM "Tenant" AS "earlier"
  WHERE "earlier"."organizationId" = "later"."organizationId"
    AND lower("earlier"."name") = lower("later"."name")
    AND ("earlier"."createdAt", "earlier"."id") < ("later"."createdAt", "later"."id")
);

CREATE UNIQUE INDEX "Tenant_organizationId_lower_name_key" ON "Tenant" ("organizationId", lower("name"));
