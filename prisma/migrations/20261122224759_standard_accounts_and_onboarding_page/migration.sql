-- CreateEnum
CREATE TYPE "OutboxStatus" AS ENUM ('PENDING', 'SENT', 'FAILED');

-- AlterEnum
ALTER TYPE "ConnectedAccountEventType" ADD VALUE 'CONNECTED_BY_CONSENT';

-- AlterTable
ALTER TABLE "ConnectPlatform" ADD COLUMN     "oauthClientId" TEXT,
ADD COLUMN     "oauthClientSecretHash" TEXT,
ADD COLUMN     "oauthRedirectUris" TEXT[];

-- AlterTable
ALTER TABLE "ConnectedAccount" ADD COLUMN     "grantedScopes" TEXT[],
ADD COLUMN     "grantedTenantIds" TEXT[];

-- CreateTable
CREATE TABLE "OAuthAuthorization" (
    "id" TEXT NOT NULL,
    "platformOrganizationId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "redirectUri" TEXT NOT NULL,
    "requestedScopes" TEXT[],
    "state" TEXT,
    "codeChallenge" TEXT NOT NULL,
    "consentTokenHash" TEXT NOT NULL,
    "consentExpiresAt" TIMESTAMPTZ(3) NOT NULL,
    "decidedAt" TIMESTAMPTZ(3),
    "connectedOrganizationId" TEXT,
    "grantedTenantIds" TEXT[],
    "codeHash" TEXT,
    "codeExpiresAt" TIMESTAMPTZ(3),
    "codeUsedAt" TIMESTAMPTZ(3),
    "connectedAccountId" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OAuthAuthorization_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OnboardingSession" (
    "id" TEXT NOT NULL,
    "onboardingLinkId" TEXT NOT NULL,
    "secretHash" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "userId" TEXT,
    "verificationTokenHash" TEXT,
    "emailVerifiedAt" TIMESTAMPTZ(3),
    "passwordHash" TEXT,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "OnboardingSession_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OutboxEmail" (
    "id" TEXT NOT NULL,
    "to" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "status" "OutboxStatus" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastError" TEXT,
    "sentAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "OutboxEmail_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "OAuthAuthorization_consentTokenHash_key" ON "OAuthAuthorization"("consentTokenHash");

-- CreateIndex
CREATE UNIQUE INDEX "OAuthAuthorization_codeHash_key" ON "OAuthAuthorization"("codeHash");

-- CreateIndex
CREATE INDEX "OAuthAuthorization_platformOrganizationId_idx" ON "OAuthAuthorization"("platformOrganizationId");

-- CreateIndex
CREATE UNIQUE INDEX "OnboardingSession_secretHash_key" ON "OnboardingSession"("secretHash");

-- CreateIndex
CREATE UNIQUE INDEX "OnboardingSession_verificationTokenHash_key" ON "OnboardingSession"("verificationTokenHash");

-- CreateIndex
CREATE INDEX "OnboardingSession_onboardingLinkId_idx" ON "OnboardingSession"("onboardingLinkId");

-- CreateIndex
CREATE INDEX "OutboxEmail_status_nextAttemptAt_idx" ON "OutboxEmail"("status", "nextAttemptAt");

-- CreateIndex
CREATE UNIQUE INDEX "ConnectPlatform_oauthClientId_key" ON "ConnectPlatform"("oauthClientId");

-- CreateIndex
CREATE INDEX "ConnectedAccount_connectedOrganizationId_idx" ON "ConnectedAccount"("connectedOrganizationId");

-- AddForeignKey
ALTER TABLE "OAuthAuthorization" ADD CONSTRAINT "OAuthAuthorization_connectedAccountId_fkey" FOREIGN KEY ("connectedAccountId") REFERENCES "ConnectedAccount"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OnboardingSession" ADD CONSTRAINT "OnboardingSession_onboardingLinkId_fkey" FOREIGN KEY ("onboardingLinkId") REFERENCES "OnboardingLink"("id") ON DELETE CASCADE ON UPDATE CASCADE;
