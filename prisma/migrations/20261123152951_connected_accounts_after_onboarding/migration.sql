-- Connected accounts after onboarding (issue 15). Existing rows: platforms require no business detail
-- (as before), accounts have no status reason, every existing link is an onboarding link, and the
-- links keep no return or refresh URL (the hosted pages then use the platform's redirectUrl).

-- CreateEnum
CREATE TYPE "ConnectedAccountStatusReason" AS ENUM ('REQUESTED_BY_ACCOUNT', 'FRAUD', 'TERMS_OF_SERVICE', 'OTHER');

-- CreateEnum
CREATE TYPE "BusinessDetail" AS ENUM ('LEGAL_NAME', 'ADDRESS', 'VAT_NUMBER', 'PHONE');

-- CreateEnum
CREATE TYPE "AccountLinkKind" AS ENUM ('ONBOARDING', 'ACCOUNT_UPDATE');

-- AlterTable
ALTER TABLE "ConnectPlatform" ADD COLUMN     "requiredBusinessDetails" "BusinessDetail"[] DEFAULT ARRAY[]::"BusinessDetail"[];

-- AlterTable
ALTER TABLE "ConnectedAccount" ADD COLUMN     "statusReason" "ConnectedAccountStatusReason";

-- AlterTable
ALTER TABLE "InvoicingEntity" ADD COLUMN     "phone" TEXT;

-- AlterTable
ALTER TABLE "OnboardingLink" ADD COLUMN     "kind" "AccountLinkKind" NOT NULL DEFAULT 'ONBOARDING',
ADD COLUMN     "refreshUrl" TEXT,
ADD COLUMN     "returnUrl" TEXT;
