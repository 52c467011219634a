-- Fair shares go to whoever answers for the load, not to each tenant: an organization has several
-- tenants (sandboxes), and a platform any number of sub-accounts and EXPRESS accounts, each a tenant
-- of its own, so shares per tenant let one platform take every share (an outsider's probe: one key
-- and five sandboxes held all 32 webhook sends, and 4 tenants every verification slot).
-- Written by hand: Prisma does not manage functions.

-- The organization that answers for a tenant's load: the platform of a sub-account's or an EXPRESS
-- account's tenant (neither has keys of its own beside what its platform gives it), else the tenant's
-- own organization (a STANDARD grantor's tenants stay its own).
CREATE FUNCTION accountable_organization(tenant_id TEXT) RETURNS TEXT
LANGUAGE SQL STABLE AS $$
  SELECT COALESCE(
    (SELECT s."platformOrganizationId" FROM "SubAccount" s WHERE s."tenantId" = tenant_id),
    (SELECT a."platformOrganizationId" FROM "ConnectedAccount" a
      WHERE a."connectedTenantId" = tenant_id AND a."connectionType" = 'EXPRESS' ORDER BY a."createdAt" LIMIT 1),
    (SELECT t."organizationId" FROM "Tenant" t WHERE t."id" = tenant_id))
$$;

-- A webhook queue's share: the platform for an endpoint made while acting for an account, else its tenant's.
ALTER TABLE "WebhookQueue" RENAME COLUMN "tenantId" TO "accountableOrganizationId";
UPDATE "WebhookQueue" q SET "accountableOrganizationId" = COALESCE(
  (SELECT a."platformOrganizationId" FROM "WebhookEndpoint" e JOIN "ConnectedAccount" a ON a."id" = e."actingForAccountId" WHERE e."id" = q."endpointId"),
  (SELECT accountable_organization(e."tenantId") FROM "WebhookEndpoint" e WHERE e."id" = q."endpointId"),
  q."accountableOrganizationId");
