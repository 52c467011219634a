-- Account sessions (issue 25): a platform's browser credential for one connected account, and the
-- origins whose pages may use them. Existing platforms get no origins: their sessions are refused
-- until they name some with updateConnectPlatform.

-- CreateEnum
CREATE TYPE "AccountSessionComponent" AS ENUM ('ACCOUNT_ONBOARDING', 'ACCOUNT_MANAGEMENT', 'NOTIFICATION_BANNER', 'CONNECTIONS', 'EVENTS');

-- AlterTable
ALTER TABLE "ConnectPlatform" ADD COLUMN     "allowedOrigins" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- CreateTable
CREATE TABLE "AccountSession" (
    "id" TEXT NOT NULL,
    "platformOrganizationId" TEXT NOT NULL,
    "connectedAccountId" TEXT NOT NULL,
    "apiKeyId" TEXT NOT NULL,
    "components" "AccountSessionComponent"[],
    "secretHash" TEXT NOT NULL,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "revokedAt" TIMESTAMPTZ(3),
    "onboardingEmail" TEXT,
    "onboardingUserId" TEXT,
    "onboardingCodeHash" TEXT,
    "onboardingCodeExpiresAt" TIMESTAMPTZ(3),
    "onboardingCodeFailures" INTEGER NOT NULL DEFAULT 0,
    "onboardingEmailVerifiedAt" TIMESTAMPTZ(3),
    "onboardingPasswordHash" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "AccountSession_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "AccountSession_secretHash_key" ON "AccountSession"("secretHash");

-- CreateIndex
CREATE INDEX "AccountSession_connectedAccountId_idx" ON "AccountSession"("connectedAccountId");

-- CreateIndex
CREATE INDEX "AccountSession_apiKeyId_idx" ON "AccountSession"("apiKeyId");

-- CreateIndex
CREATE INDEX "AccountSession_platformOrganizationId_createdAt_idx" ON "AccountSession"("platformOrganizationId", "createdAt");

-- AddForeignKey
ALTER TABLE "AccountSession" ADD CONSTRAINT "AccountSession_connectedAccountId_fkey" FOREIGN KEY ("connectedAccountId") REFERENCES "ConnectedAccount"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AccountSession" ADD CONSTRAINT "AccountSession_apiKeyId_fkey" FOREIGN KEY ("apiKeyId") REFERENCES "ApiKey"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Every process caches a session by its secret's hash (src/auth/session-authentication.ts), as it
-- caches keys (migration 20261122234500_auth_change_notifications). Written by hand: Prisma does not
-- manage triggers. A session stops authenticating when revoked or deleted.
CREATE FUNCTION "connect_notify_session_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('connect_auth', 'session:' || OLD."secretHash");
  RETURN NULL;
END
$$;

CREATE TRIGGER "AccountSession_auth_change"
  AFTER UPDATE OF "revokedAt", "secretHash" OR DELETE ON "AccountSession"
  FOR EACH ROW EXECUTE FUNCTION "connect_notify_session_change"();

-- Revoking a key ends the sessions it minted: each live one is named, so every process forgets it.
-- (Deleting a key deletes its sessions, whose own trigger then names them.)
CREATE FUNCTION "connect_notify_minted_sessions"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('connect_auth', 'session:' || "secretHash")
  FROM "AccountSession"
  WHERE "apiKeyId" = NEW."id" AND "revokedAt" IS NULL;
  RETURN NULL;
END
$$;

CREATE TRIGGER "ApiKey_minted_sessions_change"
  AFTER UPDATE OF "revokedAt" ON "ApiKey"
  FOR EACH ROW WHEN (OLD."revokedAt" IS DISTINCT FROM NEW."revokedAt")
  EXECUTE FUNCTION "connect_notify_minted_sessions"();

-- The origins every process answers session requests and their CORS preflights for.
CREATE FUNCTION "connect_notify_platform_origins"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('connect_auth', 'origins:' || OLD."organizationId");
  ELSE
    PERFORM pg_notify('connect_auth', 'origins:' || NEW."organizationId");
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER "ConnectPlatform_origins_change"
  AFTER INSERT OR UPDATE OF "allowedOrigins" OR DELETE ON "ConnectPlatform"
  FOR EACH ROW EXECUTE FUNCTION "connect_notify_platform_origins"();
