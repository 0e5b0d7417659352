-- CreateTable
CREATE TABLE "guild_member" (
    "guild_id" BIGINT NOT NULL,
    "discord_user_id" BIGINT NOT NULL,
    "name" TEXT,
    "seen_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "guild_member_pkey" PRIMARY KEY ("guild_id","discord_user_id")
);

-- CreateIndex
CREATE INDEX "guild_member_discord_user_id_idx" ON "guild_member"("discord_user_id");
