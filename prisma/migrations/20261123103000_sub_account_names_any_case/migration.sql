-- A sub-account's accountName is unique per platform regardless of letter case ("Acme" and "ACME"
-- are one name), so that the platform's idempotent create by name finds the same sub-account
-- whatever case it sends. Prisma cannot express an index on an expression: this file is written by
-- hand, and schema.prisma keeps the case-sensitive @@unique it knows (implied by this one, and used
-- to order by name).
--
-- Existing names that differ only in case: the oldest sub-account (by createdAt, then id) keeps its
-- name; each later one is renamed to its name followed by its own id, e.g. "ACME (sacc_4xT…)", which
-- is unique and tells its platform which one it is; the name is shortened first so that the whole
-- stays within the 100 characters an accountName may have. The platform may rename it afterwards.
UPDATE "SubAccount" AS "later"
SET "accountName" = left("later"."accountName", 100 - length("later"."id") - 3) || ' (' || "later"."id" || ')'
WHERE EXISTS (
  SELECT 1
  FROM "SubAccount" AS "earlier"
  WHERE "earlier"."platformOrganizationId" = "later"."platformOrganizationId"
    AND lower("earlier"."accountName") = lower("later"."accountName")
    AND ("earlier"."createdAt", "earlier"."id") < ("later"."createdAt", "later"."id")
);

-- lower() folds letters by the database's LC_CTYPE: every letter under a UTF-8 locale (C.UTF-8,
-- en_US.UTF-8, PGlite), ASCII letters only under the C locale. The service looks names up with the
-- same lower(), so lookups and this index always agree.
CREATE UNIQUE INDEX "SubAccount_platformOrganizationId_lower_accountName_key"
  ON "SubAccount" ("platformOrganizationId", lower("accountName"));
