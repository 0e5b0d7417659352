-- AlterTable
ALTER TABLE "character" ADD COLUMN     "affiliation_at" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "grant" ADD COLUMN     "first_refusal_at" TIMESTAMP(3),
ADD COLUMN     "refresh_lease_id" TEXT,
ADD COLUMN     "refresh_lease_until" TIMESTAMP(3),
ADD COLUMN     "refresh_uncertain_at" TIMESTAMP(3),
ADD COLUMN     "rotated_at" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "link_confirmation" (
    "id" TEXT NOT NULL,
    "discord_user_id" BIGINT NOT NULL,
    "guild_id" BIGINT,
    "character_id" BIGINT NOT NULL,
    "key_id" TEXT NOT NULL,
    "secrets" BYTEA NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMP(3) NOT NULL,
    "claimed_until" TIMESTAMP(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "link_confirmation_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "link_confirmation_expires_at_idx" ON "link_confirmation"("expires_at");

-- CreateIndex
CREATE INDEX "guild_member_seen_at_idx" ON "guild_member"("seen_at");
