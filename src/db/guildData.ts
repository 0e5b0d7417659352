import { recordEvent } from './auditEvents.ts';
import type { Database } from './client.ts';

/**
 * What the bot keeps of a Discord server, apart from the append-only audit
 * trail: who was seen there, its /audit settings, its role sync rules,
 * settings, problems and progress; and, per Discord application, that the
 * bot was seen in it (bot_guild).
 */

/** The servers the bot is in now, by the application's complete guild list: recorded as seen (and no longer missing). */
export async function recordBotGuilds(db: Database, applicationId: bigint, guildIds: readonly bigint[]): Promise<void> {
  if (guildIds.length === 0) return;
  await db.$executeRaw`
    INSERT INTO bot_guild (application_id, guild_id, seen_at)
    SELECT ${applicationId}, id, now() FROM unnest(${guildIds}::bigint[]) AS id
    ON CONFLICT (application_id, guild_id) DO UPDATE SET seen_at = now(), missing_since = NULL`;
}

export interface MissingGuild {
  guildId: bigint;
  /** an earlier check found it missing too */
  marked: boolean;
  /** ... at least `confirmAfterMs` ago (on the database's clock) */
  confirmed: boolean;
}

/** Servers the application's bot was seen in and that are not in `present` (its complete list now). */
export async function missingBotGuilds(db: Database, applicationId: bigint, present: readonly bigint[], confirmAfterMs: number): Promise<{ missing: MissingGuild[]; known: number }> {
  const rows = await db.$queryRaw<{ guild_id: bigint; marked: boolean; confirmed: boolean }[]>`
    SELECT guild_id, missing_since IS NOT NULL AS marked,
      (missing_since IS NOT NULL AND missing_since <= now() - make_interval(secs => ${confirmAfterMs / 1000})) AS confirmed
    FROM bot_guild WHERE application_id = ${applicationId} AND NOT (guild_id = ANY(${[...present]}::bigint[]))`;
  const known = await db.botGuild.count({ where: { applicationId } });
  return { missing: rows.map((row) => ({ guildId: BigInt(row.guild_id), marked: row.marked, confirmed: row.confirmed })), known };
}

/** A check found the bot gone from the server: noted the first time (the next check, later, confirms it). */
export async function markBotGuildMissing(db: Database, applicationId: bigint, guildId: bigint): Promise<void> {
  await db.$executeRaw`UPDATE bot_guild SET missing_since = now() WHERE application_id = ${applicationId} AND guild_id = ${guildId} AND missing_since IS NULL`;
}

/** Discord still shows the server: it is not missing. */
export async function clearBotGuildMissing(db: Database, applicationId: bigint, guildId: bigint): Promise<void> {
  await db.$executeRaw`UPDATE bot_guild SET missing_since = NULL, seen_at = now() WHERE application_id = ${applicationId} AND guild_id = ${guildId}`;
}

/**
 * The bot is no longer in the guild: everything it kept of the guild goes,
 * in one transaction with a `guild_left` event (the trail itself stays).
 * `event`: Discord said so (GUILD_DELETE). `check`: found out later (it was
 * removed while no process held the gateway); then only if the server is
 * still marked missing for `applicationId` since `confirmAfterMs` ago, read
 * in the delete itself (a mark cleared and set again meanwhile is too new),
 * which also makes a second run of the same check do nothing. Undefined when
 * nothing was forgotten.
 */
export async function forgetGuild(
  db: Database,
  guildId: bigint,
  how: { by: 'event' } | { by: 'check'; applicationId: bigint; confirmAfterMs: number } = { by: 'event' },
): Promise<{ members: number } | undefined> {
  return db.$transaction(async (tx) => {
    if (how.by === 'check') {
      const count = await tx.$executeRaw`
        DELETE FROM bot_guild WHERE application_id = ${how.applicationId} AND guild_id = ${guildId}
          AND missing_since <= now() - make_interval(secs => ${how.confirmAfterMs / 1000})`;
      if (count === 0) return undefined;
    } else {
      await tx.botGuild.deleteMany({ where: { guildId } });
    }
    const { count } = await tx.guildMember.deleteMany({ where: { guildId } });
    await tx.guildSettings.deleteMany({ where: { guildId } });
    await tx.roleRule.deleteMany({ where: { guildId } });
    await tx.roleSettings.deleteMany({ where: { guildId } });
    await tx.roleProblem.deleteMany({ where: { guildId } });
    await tx.roleSyncCursor.deleteMany({ where: { guildId } });
    await recordEvent(tx, { kind: 'guild_left', guildId, detail: { botRemoved: true, membersForgotten: count, ...(how.by === 'check' ? { foundLater: true } : {}) } });
    return { members: count };
  });
}
