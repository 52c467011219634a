-- The deadline check looks for details not yet past due whose deadline passed. On (deadline) alone it
-- read every detail already past due on the way (they stay until submitted), each poll, in each
-- process: a platform with many restricted accounts made every poll slower. On (pastDueAt, deadline)
-- the search is one index range. Existing rows: the index is rebuilt, nothing else changes.
-- DropIndex
DROP INDEX "AccountRequirement_deadline_idx";

-- CreateIndex
CREATE INDEX "AccountRequirement_pastDueAt_deadline_idx" ON "AccountRequirement"("pastDueAt", "deadline");
