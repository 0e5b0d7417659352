import { recordEvent } from './auditEvents.ts';
import type { Database } from './client.ts';

/**
 * What the bot keeps of a Discord server, apart from the append-only audit
 * trail: who was seen there, its /audit settings, and its role sync rules,
 * settings, problems and progress.
 */

/** Every guild the bot holds data of (sightings, settings, role rules and role sync state). */
export async function guildsWithData(db: Database): Promise<bigint[]> {
  const rows = await db.$queryRaw<{ guild_id: bigint }[]>`
    SELECT guild_id FROM guild_member
    UNION SELECT guild_id FROM guild_settings
    UNION SELECT guild_id FROM role_rule
    UNION SELECT guild_id FROM role_settings
    UNION SELECT guild_id FROM role_problem
    UNION SELECT guild_id FROM role_sync_cursor`;
  return rows.map((row) => BigInt(row.guild_id));
}

/**
 * The bot is no longer in the guild: everything it kept of the guild goes,
 * in one transaction with a `guild_left` event (the trail itself stays).
 * `how`: Discord said so (`event`), or the bot found it out later (`check`:
 * it was removed while no process held the gateway).
 */
export async function forgetGuild(db: Database, guildId: bigint, how: 'event' | 'check' = 'event'): Promise<{ members: number }> {
  return db.$transaction(async (tx) => {
    const { count } = await tx.guildMember.deleteMany({ where: { guildId } });
    await tx.guildSettings.deleteMany({ where: { guildId } });
    await tx.roleRule.deleteMany({ where: { guildId } });
    await tx.roleSettings.deleteMany({ where: { guildId } });
    await tx.roleProblem.deleteMany({ where: { guildId } });
    await tx.roleSyncCursor.deleteMany({ where: { guildId } });
    await recordEvent(tx, { kind: 'guild_left', guildId, detail: { botRemoved: true, membersForgotten: count, ...(how === 'check' ? { foundLater: true } : {}) } });
    return { members: count };
  });
}
