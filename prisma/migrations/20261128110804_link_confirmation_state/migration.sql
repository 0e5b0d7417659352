-- AlterTable
ALTER TABLE "link_confirmation" ADD COLUMN     "state_digest" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "link_confirmation_state_digest_key" ON "link_confirmation"("state_digest");
