-- CreateEnum
CREATE TYPE "ConnectionType" AS ENUM ('STANDARD', 'EXPRESS');

-- CreateEnum
CREATE TYPE "OnboardingMode" AS ENUM ('EXPRESS', 'FULL');

-- CreateEnum
CREATE TYPE "ConnectedAccountStatus" AS ENUM ('PENDING', 'ACTIVE', 'SUSPENDED', 'REVOKED');

-- CreateEnum
CREATE TYPE "ConnectedAccountEventType" AS ENUM ('CREATED', 'ONBOARDING_LINK_CREATED', 'ONBOARDING_COMPLETED', 'SUSPENDED', 'REACTIVATED', 'REVOKED');

-- CreateTable
CREATE TABLE "ConnectPlatform" (
    "organizationId" TEXT NOT NULL,
    "redirectUrl" TEXT NOT NULL,
    "brandingInvoicingEntityId" TEXT,
    "onboardingLinkTtlSeconds" INTEGER NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ConnectPlatform_pkey" PRIMARY KEY ("organizationId")
);

-- CreateTable
CREATE TABLE "ConnectedAccount" (
    "id" TEXT NOT NULL,
    "platformOrganizationId" TEXT NOT NULL,
    "connectionType" "ConnectionType" NOT NULL,
    "onboardingMode" "OnboardingMode" NOT NULL,
    "status" "ConnectedAccountStatus" NOT NULL,
    "connectedOrganizationId" TEXT,
    "connectedTenantId" TEXT,
    "platformCustomerId" TEXT,
    "metadata" JSONB,
    "pendingEmail" TEXT,
    "pendingOrganizationName" TEXT,
    "pendingCountry" TEXT,
    "onboardingCompletedAt" TIMESTAMPTZ(3),
    "suspendedAt" TIMESTAMPTZ(3),
    "revokedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ConnectedAccount_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OnboardingLink" (
    "id" TEXT NOT NULL,
    "platformOrganizationId" TEXT NOT NULL,
    "connectedAccountId" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "usedAt" TIMESTAMPTZ(3),
    "invalidatedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OnboardingLink_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ConnectedAccountEvent" (
    "id" TEXT NOT NULL,
    "platformOrganizationId" TEXT NOT NULL,
    "connectedAccountId" TEXT NOT NULL,
    "type" "ConnectedAccountEventType" NOT NULL,
    "fromStatus" "ConnectedAccountStatus",
    "toStatus" "ConnectedAccountStatus" NOT NULL,
    "actorApiKeyId" TEXT,
    "actorUserId" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ConnectedAccountEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ConnectedAccount_platformOrganizationId_createdAt_idx" ON "ConnectedAccount"("platformOrganizationId", "createdAt");

-- CreateIndex
CREATE INDEX "ConnectedAccount_platformOrganizationId_status_idx" ON "ConnectedAccount"("platformOrganizationId", "status");

-- CreateIndex
CREATE INDEX "ConnectedAccount_platformOrganizationId_platformCustomerId_idx" ON "ConnectedAccount"("platformOrganizationId", "platformCustomerId");

-- CreateIndex
CREATE UNIQUE INDEX "OnboardingLink_tokenHash_key" ON "OnboardingLink"("tokenHash");

-- CreateIndex
CREATE INDEX "OnboardingLink_connectedAccountId_idx" ON "OnboardingLink"("connectedAccountId");

-- CreateIndex
CREATE INDEX "ConnectedAccountEvent_connectedAccountId_createdAt_idx" ON "ConnectedAccountEvent"("connectedAccountId", "createdAt");

-- AddForeignKey
ALTER TABLE "ConnectPlatform" ADD CONSTRAINT "ConnectPlatform_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConnectPlatform" ADD CONSTRAINT "ConnectPlatform_brandingInvoicingEntityId_fkey" FOREIGN KEY ("brandingInvoicingEntityId") REFERENCES "InvoicingEntity"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConnectedAccount" ADD CONSTRAINT "ConnectedAccount_platformOrganizationId_fkey" FOREIGN KEY ("platformOrganizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConnectedAccount" ADD CONSTRAINT "ConnectedAccount_connectedOrganizationId_fkey" FOREIGN KEY ("connectedOrganizationId") REFERENCES "Organization"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConnectedAccount" ADD CONSTRAINT "ConnectedAccount_connectedTenantId_fkey" FOREIGN KEY ("connectedTenantId") REFERENCES "Tenant"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OnboardingLink" ADD CONSTRAINT "OnboardingLink_connectedAccountId_fkey" FOREIGN KEY ("connectedAccountId") REFERENCES "ConnectedAccount"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConnectedAccountEvent" ADD CONSTRAINT "ConnectedAccountEvent_connectedAccountId_fkey" FOREIGN KEY ("connectedAccountId") REFERENCES "ConnectedAccount"("id") ON DELETE CASCADE ON UPDATE CASCADE;
