-- CreateEnum
CREATE TYPE "grant_status" AS ENUM ('ok', 'invalid');

-- CreateTable
CREATE TABLE "discord_user" (
    "id" BIGINT NOT NULL,
    "main_character_id" BIGINT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "discord_user_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "character" (
    "id" BIGINT NOT NULL,
    "name" TEXT NOT NULL,
    "owner_hash" TEXT NOT NULL,
    "corporation_id" BIGINT,
    "alliance_id" BIGINT,
    "discord_user_id" BIGINT NOT NULL,
    "linked_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "character_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "grant" (
    "character_id" BIGINT NOT NULL,
    "key_id" TEXT NOT NULL,
    "refresh_token" BYTEA NOT NULL,
    "access_token" BYTEA,
    "access_token_expires_at" TIMESTAMP(3),
    "scopes" TEXT[],
    "status" "grant_status" NOT NULL DEFAULT 'ok',
    "invalid_since" TIMESTAMP(3),
    "invalid_reason" TEXT,
    "notified_at" TIMESTAMP(3),
    "last_refreshed_at" TIMESTAMP(3),
    "version" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "grant_pkey" PRIMARY KEY ("character_id")
);

-- CreateTable
CREATE TABLE "pending_login" (
    "state" TEXT NOT NULL,
    "discord_user_id" BIGINT NOT NULL,
    "guild_id" BIGINT,
    "scopes" TEXT[],
    "key_id" TEXT NOT NULL,
    "secrets" BYTEA NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "pending_login_pkey" PRIMARY KEY ("state")
);

-- CreateTable
CREATE TABLE "guild_settings" (
    "guild_id" BIGINT NOT NULL,
    "admin_role_id" BIGINT,
    "tracked_corporation_ids" BIGINT[] DEFAULT ARRAY[]::BIGINT[],
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "guild_settings_pkey" PRIMARY KEY ("guild_id")
);

-- CreateTable
CREATE TABLE "command_registration" (
    "scope" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "registered_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "command_registration_pkey" PRIMARY KEY ("scope")
);

-- CreateTable
CREATE TABLE "audit_event" (
    "id" BIGSERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "guild_id" BIGINT,
    "discord_user_id" BIGINT,
    "character_id" BIGINT,
    "detail" JSONB NOT NULL DEFAULT '{}',
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_event_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "discord_user_main_character_id_key" ON "discord_user"("main_character_id");

-- CreateIndex
CREATE INDEX "character_discord_user_id_idx" ON "character"("discord_user_id");

-- CreateIndex
CREATE INDEX "character_corporation_id_idx" ON "character"("corporation_id");

-- CreateIndex
CREATE INDEX "grant_status_idx" ON "grant"("status");

-- CreateIndex
CREATE INDEX "pending_login_discord_user_id_created_at_idx" ON "pending_login"("discord_user_id", "created_at");

-- CreateIndex
CREATE INDEX "pending_login_expires_at_idx" ON "pending_login"("expires_at");

-- CreateIndex
CREATE INDEX "audit_event_character_id_at_idx" ON "audit_event"("character_id", "at");

-- CreateIndex
CREATE INDEX "audit_event_discord_user_id_at_idx" ON "audit_event"("discord_user_id", "at");

-- CreateIndex
CREATE INDEX "audit_event_at_idx" ON "audit_event"("at");

-- AddForeignKey
ALTER TABLE "discord_user" ADD CONSTRAINT "discord_user_main_character_id_fkey" FOREIGN KEY ("main_character_id") REFERENCES "character"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "character" ADD CONSTRAINT "character_discord_user_id_fkey" FOREIGN KEY ("discord_user_id") REFERENCES "discord_user"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "grant" ADD CONSTRAINT "grant_character_id_fkey" FOREIGN KEY ("character_id") REFERENCES "character"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Append-only audit trail (hand-written; Prisma's schema language cannot express triggers).
-- audit_event is the record of who linked/unlinked what and which admin changed which setting.
-- Its value is that it cannot be rewritten after the fact, whether by a bug, a compromised
-- bot process or a careless query, so the database itself refuses UPDATE and DELETE
-- (row triggers) and TRUNCATE (a statement trigger: TRUNCATE fires no row triggers).
-- Prisma's schema diff ignores functions and triggers, so this does not show up in the
-- next generated migration. Should a retention policy ever be needed, a migration must drop
-- these triggers explicitly: that is deliberate.
CREATE FUNCTION "audit_event_append_only"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_event is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'restrict_violation',
              HINT = 'Audit events can only be inserted.';
END;
$$;

CREATE TRIGGER "audit_event_no_update_or_delete"
    BEFORE UPDATE OR DELETE ON "audit_event"
    FOR EACH ROW EXECUTE FUNCTION "audit_event_append_only"();

CREATE TRIGGER "audit_event_no_truncate"
    BEFORE TRUNCATE ON "audit_event"
    FOR EACH STATEMENT EXECUTE FUNCTION "audit_event_append_only"();
