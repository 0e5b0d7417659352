-- CreateTable
CREATE TABLE "bot_guild" (
    "application_id" BIGINT NOT NULL,
    "guild_id" BIGINT NOT NULL,
    "seen_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "missing_since" TIMESTAMP(3),

    CONSTRAINT "bot_guild_pkey" PRIMARY KEY ("application_id","guild_id")
);
