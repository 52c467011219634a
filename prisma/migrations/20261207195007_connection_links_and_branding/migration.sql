-- Connection links (issue 26): single-use links to the hosted page where a member types a provider's
-- credentials, and the platform's logo and colour for every hosted page. Existing platforms keep no
-- logo of their own (their branding entity's, if any, still shows) and the default colour.

-- AlterTable
ALTER TABLE "ConnectPlatform" ADD COLUMN     "logoUrl" TEXT,
ADD COLUMN     "primaryColor" TEXT;

-- CreateTable
CREATE TABLE "ConnectionLink" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "connectedAccountId" TEXT,
    "platformOrganizationId" TEXT,
    "providerType" "ProviderType" NOT NULL,
    "connectionId" TEXT,
    "name" TEXT,
    "returnUrl" TEXT NOT NULL,
    "refreshUrl" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "usedAt" TIMESTAMPTZ(3),
    "refusedChecks" INTEGER NOT NULL DEFAULT 0,
    "sessionSecretHash" TEXT,
    "sessionUserId" TEXT,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ConnectionLink_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ConnectionLink_tokenHash_key" ON "ConnectionLink"("tokenHash");

-- CreateIndex
CREATE UNIQUE INDEX "ConnectionLink_sessionSecretHash_key" ON "ConnectionLink"("sessionSecretHash");

-- CreateIndex
CREATE INDEX "ConnectionLink_tenantId_createdAt_idx" ON "ConnectionLink"("tenantId", "createdAt");

-- AddForeignKey
ALTER TABLE "ConnectionLink" ADD CONSTRAINT "ConnectionLink_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;
