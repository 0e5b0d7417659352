-- CreateTable
CREATE TABLE "completed_login" (
    "confirmation_digest" TEXT NOT NULL,
    "state_digest" TEXT,
    "character_name" TEXT NOT NULL,
    "guild_id" BIGINT,
    "expires_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "completed_login_pkey" PRIMARY KEY ("confirmation_digest")
);

-- CreateIndex
CREATE UNIQUE INDEX "completed_login_state_digest_key" ON "completed_login"("state_digest");

-- CreateIndex
CREATE INDEX "completed_login_expires_at_idx" ON "completed_login"("expires_at");
