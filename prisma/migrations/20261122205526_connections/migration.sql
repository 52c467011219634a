-- CreateEnum
CREATE TYPE "ProviderType" AS ENUM ('FLEXPRICE', 'STRIPE', 'S3', 'HUBSPOT');

-- CreateEnum
CREATE TYPE "ConnectionStatus" AS ENUM ('PUBLISHED', 'ARCHIVED', 'DELETED');

-- CreateTable
CREATE TABLE "Connection" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "providerType" "ProviderType" NOT NULL,
    "status" "ConnectionStatus" NOT NULL,
    "liveProviderType" "ProviderType",
    "encryptedSecrets" TEXT,
    "secretKeyVersion" INTEGER,
    "secretHints" JSONB NOT NULL,
    "syncConfig" JSONB NOT NULL,
    "settings" JSONB NOT NULL,
    "metadata" JSONB,
    "createdBy" TEXT NOT NULL,
    "updatedBy" TEXT NOT NULL,
    "deletedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Connection_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Connection_tenantId_createdAt_idx" ON "Connection"("tenantId", "createdAt");

-- CreateIndex
CREATE INDEX "Connection_secretKeyVersion_idx" ON "Connection"("secretKeyVersion");

-- CreateIndex
CREATE UNIQUE INDEX "Connection_tenantId_liveProviderType_key" ON "Connection"("tenantId", "liveProviderType");

-- AddForeignKey
ALTER TABLE "Connection" ADD CONSTRAINT "Connection_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;
