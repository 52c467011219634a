-- Who receives an event, as one SQL function: written in src/db/event-recipients.ts (recipientRule)
-- and printed here by recipientFunctionSql(); test/db/event-recipients.test.ts fails when the two
-- differ. The recording SQL (src/events/record.ts) calls it for each webhook endpoint; the Event
-- confinement rule is compiled from the same rule. Written by hand: Prisma does not manage functions.
CREATE OR REPLACE FUNCTION event_reaches(
  event_organization TEXT, event_tenant TEXT, event_account TEXT, event_platform TEXT,
  organization_id TEXT, tenant_id TEXT, organization_wide BOOLEAN, sandbox BOOLEAN, part TEXT
) RETURNS BOOLEAN
LANGUAGE SQL IMMUTABLE AS $$
  SELECT CASE
    WHEN NOT organization_wide THEN event_tenant = tenant_id
    WHEN sandbox AND part = 'all' THEN (event_organization = organization_id AND (event_tenant = tenant_id OR (event_tenant IS NULL AND event_account IS NULL)))
    WHEN sandbox AND part = 'own' THEN (event_organization = organization_id AND (event_tenant = tenant_id OR (event_tenant IS NULL AND event_account IS NULL)))
    WHEN sandbox AND part = 'connect' THEN FALSE
    WHEN NOT sandbox AND part = 'all' THEN ((event_organization = organization_id AND (event_tenant = tenant_id OR event_tenant IS NULL)) OR event_platform = organization_id)
    WHEN NOT sandbox AND part = 'own' THEN ((event_organization = organization_id AND (event_tenant = tenant_id OR event_tenant IS NULL)) AND event_platform IS DISTINCT FROM organization_id)
    WHEN NOT sandbox AND part = 'connect' THEN event_platform = organization_id
    ELSE FALSE
  END
$$;
