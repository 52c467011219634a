-- Every process caches API-key authentication and connected-account resolution. The database tells
-- them when a cached answer stops being true, whatever code path (or person with psql) changed it:
-- a trigger NOTIFYs on channel connect_auth, delivered to listeners when the transaction commits.
CREATE FUNCTION "connect_notify_auth_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'ApiKey' THEN
    PERFORM pg_notify('connect_auth', 'key:' || OLD."secretHash");
  ELSE
    PERFORM pg_notify('connect_auth', 'account:' || OLD."id");
  END IF;
  RETURN NULL;
END
$$;

-- A key stops authenticating when revoked or deleted (lastUsedAt updates do not notify).
CREATE TRIGGER "ApiKey_auth_change"
  AFTER UPDATE OF "revokedAt", "tenantId", "secretHash" OR DELETE ON "ApiKey"
  FOR EACH ROW EXECUTE FUNCTION "connect_notify_auth_change"();

-- Acting on behalf depends on the account's status, tenant and grant, and the request sees the
-- whole row (viewer.actingAs): any change invalidates it.
CREATE TRIGGER "ConnectedAccount_auth_change"
  AFTER UPDATE OR DELETE ON "ConnectedAccount"
  FOR EACH ROW EXECUTE FUNCTION "connect_notify_auth_change"();
