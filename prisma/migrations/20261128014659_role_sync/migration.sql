-- CreateTable
CREATE TABLE "role_rule" (
    "id" SERIAL NOT NULL,
    "guild_id" BIGINT NOT NULL,
    "role_id" BIGINT NOT NULL,
    "kind" TEXT NOT NULL,
    "target_id" BIGINT,
    "through" TEXT NOT NULL DEFAULT 'main',
    "created_by" BIGINT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "role_rule_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "role_settings" (
    "guild_id" BIGINT NOT NULL,
    "grace_hours" INTEGER NOT NULL DEFAULT 24,
    "nickname_template" TEXT,
    "nickname_exempt_role_id" BIGINT,
    "unlinked_role_id" BIGINT,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "role_settings_pkey" PRIMARY KEY ("guild_id")
);

-- CreateTable
CREATE TABLE "role_problem" (
    "guild_id" BIGINT NOT NULL,
    "subject" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "detail" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "role_problem_pkey" PRIMARY KEY ("guild_id","subject")
);

-- CreateTable
CREATE TABLE "role_sync_cursor" (
    "guild_id" BIGINT NOT NULL,
    "after" BIGINT NOT NULL,
    "checked" INTEGER NOT NULL DEFAULT 0,
    "changed" INTEGER NOT NULL DEFAULT 0,
    "started_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "role_sync_cursor_pkey" PRIMARY KEY ("guild_id")
);

-- CreateIndex
CREATE INDEX "role_rule_guild_id_idx" ON "role_rule"("guild_id");

-- CreateIndex
CREATE UNIQUE INDEX "role_rule_guild_id_role_id_kind_target_id_through_key" ON "role_rule"("guild_id", "role_id", "kind", "target_id", "through");
