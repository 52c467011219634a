-- DropIndex
DROP INDEX "ConnectedAccount_platformOrganizationId_createdAt_idx";

-- DropIndex
DROP INDEX "ConnectedAccount_platformOrganizationId_status_idx";

-- CreateIndex
CREATE INDEX "ConnectedAccount_platformOrganizationId_createdAt_id_idx" ON "ConnectedAccount"("platformOrganizationId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "ConnectedAccount_platformOrganizationId_status_createdAt_id_idx" ON "ConnectedAccount"("platformOrganizationId", "status", "createdAt", "id");
