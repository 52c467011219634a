-- CreateEnum
CREATE TYPE "LegalEntityType" AS ENUM ('B_CORPORATION', 'CORPORATION', 'C_CORPORATION', 'LIMITED_LIABILITY_PARTNERSHIP', 'LIMITED_LIABILITY_CORPORATION', 'LIMITED_PARTNERSHIP', 'NON_PROFIT');

-- CreateTable
CREATE TABLE "SubAccount" (
    "id" TEXT NOT NULL,
    "platformOrganizationId" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "accountName" TEXT NOT NULL,
    "firstName" TEXT NOT NULL,
    "lastName" TEXT NOT NULL,
    "emailAddress" TEXT NOT NULL,
    "addressLine1" TEXT NOT NULL,
    "addressLine2" TEXT,
    "addressCity" TEXT NOT NULL,
    "addressState" TEXT,
    "addressPostalCode" TEXT NOT NULL,
    "addressCountry" TEXT NOT NULL,
    "url" TEXT,
    "techEmailAddress" TEXT,
    "supportEmailAddress" TEXT,
    "supportPhone" TEXT,
    "complianceEmailAddress" TEXT,
    "actionsEmailAddress" TEXT,
    "companyPhoneNumber" TEXT,
    "additionalCompanyInfo" TEXT,
    "ownerTitle" TEXT,
    "legalBusinessName" TEXT,
    "stateOfIncorporation" TEXT,
    "ein" TEXT,
    "legalEntityType" "LegalEntityType",
    "billingContactFirstName" TEXT,
    "billingContactLastName" TEXT,
    "billingEmail" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "SubAccount_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PermissiblePurpose" (
    "id" TEXT NOT NULL,
    "platformOrganizationId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "PermissiblePurpose_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AccountPackage" (
    "id" TEXT NOT NULL,
    "platformOrganizationId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "AccountPackage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AccountPackagePurpose" (
    "accountPackageId" TEXT NOT NULL,
    "permissiblePurposeId" TEXT NOT NULL,

    CONSTRAINT "AccountPackagePurpose_pkey" PRIMARY KEY ("accountPackageId","permissiblePurposeId")
);

-- CreateTable
CREATE TABLE "SubAccountPurpose" (
    "subAccountId" TEXT NOT NULL,
    "permissiblePurposeId" TEXT NOT NULL,

    CONSTRAINT "SubAccountPurpose_pkey" PRIMARY KEY ("subAccountId","permissiblePurposeId")
);

-- CreateTable
CREATE TABLE "SubAccountPackage" (
    "subAccountId" TEXT NOT NULL,
    "accountPackageId" TEXT NOT NULL,

    CONSTRAINT "SubAccountPackage_pkey" PRIMARY KEY ("subAccountId","accountPackageId")
);

-- CreateIndex
CREATE UNIQUE INDEX "SubAccount_organizationId_key" ON "SubAccount"("organizationId");

-- CreateIndex
CREATE UNIQUE INDEX "SubAccount_tenantId_key" ON "SubAccount"("tenantId");

-- CreateIndex
CREATE INDEX "SubAccount_platformOrganizationId_createdAt_idx" ON "SubAccount"("platformOrganizationId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "SubAccount_platformOrganizationId_accountName_key" ON "SubAccount"("platformOrganizationId", "accountName");

-- CreateIndex
CREATE UNIQUE INDEX "PermissiblePurpose_platformOrganizationId_name_key" ON "PermissiblePurpose"("platformOrganizationId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "AccountPackage_platformOrganizationId_name_key" ON "AccountPackage"("platformOrganizationId", "name");

-- AddForeignKey
ALTER TABLE "SubAccount" ADD CONSTRAINT "SubAccount_platformOrganizationId_fkey" FOREIGN KEY ("platformOrganizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SubAccount" ADD CONSTRAINT "SubAccount_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SubAccount" ADD CONSTRAINT "SubAccount_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PermissiblePurpose" ADD CONSTRAINT "PermissiblePurpose_platformOrganizationId_fkey" FOREIGN KEY ("platformOrganizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AccountPackage" ADD CONSTRAINT "AccountPackage_platformOrganizationId_fkey" FOREIGN KEY ("platformOrganizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AccountPackagePurpose" ADD CONSTRAINT "AccountPackagePurpose_accountPackageId_fkey" FOREIGN KEY ("accountPackageId") REFERENCES "AccountPackage"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AccountPackagePurpose" ADD CONSTRAINT "AccountPackagePurpose_permissiblePurposeId_fkey" FOREIGN KEY ("permissiblePurposeId") REFERENCES "PermissiblePurpose"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SubAccountPurpose" ADD CONSTRAINT "SubAccountPurpose_subAccountId_fkey" FOREIGN KEY ("subAccountId") REFERENCES "SubAccount"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SubAccountPurpose" ADD CONSTRAINT "SubAccountPurpose_permissiblePurposeId_fkey" FOREIGN KEY ("permissiblePurposeId") REFERENCES "PermissiblePurpose"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SubAccountPackage" ADD CONSTRAINT "SubAccountPackage_subAccountId_fkey" FOREIGN KEY ("subAccountId") REFERENCES "SubAccount"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SubAccountPackage" ADD CONSTRAINT "SubAccountPackage_accountPackageId_fkey" FOREIGN KEY ("accountPackageId") REFERENCES "AccountPackage"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
