-- Requirements with deadlines: what an already-onboarded account owes because its platform started
-- requiring a detail, and by when; past it, the account is restricted until the detail is given.
-- Existing rows: no account has a deadline (a detail required before this migration stays due with
-- none, as before), and none is restricted.

-- CreateEnum
CREATE TYPE "RequirementsDisabledReason" AS ENUM ('REQUIREMENTS_PAST_DUE');

-- AlterTable
ALTER TABLE "ConnectedAccount" ADD COLUMN     "requirementsDisabledReason" "RequirementsDisabledReason";

-- CreateTable
CREATE TABLE "AccountRequirement" (
    "connectedAccountId" TEXT NOT NULL,
    "detail" "BusinessDetail" NOT NULL,
    "platformOrganizationId" TEXT NOT NULL,
    "deadline" TIMESTAMPTZ(3) NOT NULL,
    "pastDueAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AccountRequirement_pkey" PRIMARY KEY ("connectedAccountId","detail")
);

-- CreateIndex
CREATE INDEX "AccountRequirement_deadline_idx" ON "AccountRequirement"("deadline");

-- AddForeignKey
ALTER TABLE "AccountRequirement" ADD CONSTRAINT "AccountRequirement_connectedAccountId_fkey" FOREIGN KEY ("connectedAccountId") REFERENCES "ConnectedAccount"("id") ON DELETE CASCADE ON UPDATE CASCADE;
