import { recordEvent } from '../db/auditEvents.ts';
import { Prisma, type Database } from '../db/client.ts';
import type { Logger } from '../log.ts';

type Sql = Pick<Prisma.TransactionClient, '$executeRaw'>;

/**
 * Remembers that a user is in a guild (see GuildMember in the schema). One
 * statement; the row is rewritten only when the name changed or the last
 * sighting is an hour old, so busy users do not turn every command into a write.
 * `name` undefined keeps the stored one (the SSO callback does not know it).
 * Times are UTC, like every time Prisma stores, whatever the server's time zone.
 */
export async function recordGuildMember(db: Sql, guildId: bigint, discordUserId: bigint, name?: string): Promise<void> {
  await db.$executeRaw`
    INSERT INTO "guild_member" ("guild_id", "discord_user_id", "name", "seen_at")
    VALUES (${guildId}, ${discordUserId}, ${name ?? null}, timezone('utc', now()))
    ON CONFLICT ("guild_id", "discord_user_id") DO UPDATE
      SET "name" = COALESCE(EXCLUDED."name", "guild_member"."name"), "seen_at" = EXCLUDED."seen_at"
      WHERE "guild_member"."seen_at" < timezone('utc', now()) - interval '1 hour'
         OR "guild_member"."name" IS DISTINCT FROM COALESCE(EXCLUDED."name", "guild_member"."name")`;
}

export interface GuildMemberRecorderOptions {
  /** how often pending sightings are written, in one statement */
  flushEveryMs?: number;
  /** write at once when this many are pending */
  maxPending?: number;
  /** a user seen in a guild is not written again for this long (matches recordGuildMember's hour) */
  rememberMs?: number;
  /** bound on the in-memory "recently written" set */
  maxRemembered?: number;
}

/**
 * Sightings of users in guilds, off the commands' path: they are collected
 * in memory and written together (one multi-row upsert every couple of
 * seconds), and a user already written in the last hour is not written
 * again. A burst of a thousand commands costs a handful of statements, not
 * a thousand writes with their WAL flushes. `flush()` before reading
 * (the audit does) and at shutdown.
 */
export class GuildMemberRecorder {
  readonly #pending = new Map<string, { guildId: bigint; userId: bigint; name: string }>();
  readonly #written = new Map<string, number>();
  readonly #options: Required<GuildMemberRecorderOptions>;
  readonly #timer: NodeJS.Timeout;
  #flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly database: Database,
    private readonly logger: Logger,
    options: GuildMemberRecorderOptions = {},
  ) {
    this.#options = { flushEveryMs: 2_000, maxPending: 500, rememberMs: 60 * 60 * 1000, maxRemembered: 100_000, ...options };
    this.#timer = setInterval(() => void this.flush(), this.#options.flushEveryMs);
    this.#timer.unref();
  }

  /** True when this sighting is news (not seen in this process within `rememberMs`): worth a look at the member's roles. */
  record(guildId: bigint, userId: bigint, name: string): boolean {
    const key = `${guildId}:${userId}`;
    const writtenAt = this.#written.get(key);
    if (writtenAt !== undefined && Date.now() - writtenAt < this.#options.rememberMs) return false;
    const news = !this.#pending.has(key);
    this.#pending.set(key, { guildId, userId, name });
    if (this.#pending.size >= this.#options.maxPending) void this.flush();
    return news;
  }

  /** Writes what is pending; resolves when it is in the database. Never throws (a lost sighting is logged). */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#write());
    return this.#flushing;
  }

  /** Forgets that users were written recently (they left): a later sighting is written again at once. */
  forget(guildId: bigint, userId?: bigint): void {
    const prefix = `${guildId}:`;
    for (const key of [...this.#written.keys(), ...this.#pending.keys()]) {
      if (userId === undefined ? key.startsWith(prefix) : key === `${prefix}${userId}`) {
        this.#written.delete(key);
        this.#pending.delete(key);
      }
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }

  async #write(): Promise<void> {
    if (this.#pending.size === 0) return;
    const batch = [...this.#pending];
    this.#pending.clear();
    try {
      await recordSightings(this.database, batch.map(([, s]) => ({ guildId: s.guildId, userId: s.userId, name: s.name })));
      const now = Date.now();
      for (const [key] of batch) this.#written.set(key, now);
      // Oldest first: Map keeps insertion order, so trimming from the front drops the oldest.
      for (const key of this.#written.keys()) {
        if (this.#written.size <= this.#options.maxRemembered) break;
        this.#written.delete(key);
      }
    } catch (error) {
      this.logger.warn({ err: error, sightings: batch.length }, 'could not record guild members');
    }
  }
}

/** The users recorded in a guild and seen since `since`, with their last known names. */
export async function recordedGuildMembers(db: Database, guildId: bigint, since: Date): Promise<{ discordUserId: bigint; name: string | null }[]> {
  return db.guildMember.findMany({ where: { guildId, seenAt: { gte: since } }, select: { discordUserId: true, name: true } });
}

/** A member left the guild (Discord said so): they leave its audit at once. */
export async function forgetGuildMember(db: Database, guildId: bigint, discordUserId: bigint): Promise<void> {
  await db.$transaction(async (tx) => {
    const { count } = await tx.guildMember.deleteMany({ where: { guildId, discordUserId } });
    if (count > 0) await recordEvent(tx, { kind: 'guild_left', guildId, discordUserId });
  });
}

/** Deletes sightings older than `before` (they no longer count anyway: see recordedGuildMembers). */
export async function expireSightings(db: Database, before: Date): Promise<number> {
  const { count } = await db.guildMember.deleteMany({ where: { seenAt: { lt: before } } });
  return count;
}

/** Many members of one guild seen at once (a role reconcile listed them). */
export async function recordGuildMembers(db: Database, guildId: bigint, members: readonly { userId: bigint; username: string }[]): Promise<void> {
  await recordSightings(db, members.map((m) => ({ guildId, userId: m.userId, name: m.username })));
}

/**
 * Sightings in one statement; a row is rewritten only when its name changed
 * or it is an hour old, like recordGuildMember.
 */
async function recordSightings(db: Database, sightings: readonly { guildId: bigint; userId: bigint; name: string }[]): Promise<void> {
  if (sightings.length === 0) return;
  const rows = sightings.map((s) => Prisma.sql`(${s.guildId}, ${s.userId}, ${s.name}, timezone('utc', now()))`);
  await db.$executeRaw`
    INSERT INTO "guild_member" ("guild_id", "discord_user_id", "name", "seen_at")
    VALUES ${Prisma.join(rows)}
    ON CONFLICT ("guild_id", "discord_user_id") DO UPDATE
      SET "name" = EXCLUDED."name", "seen_at" = EXCLUDED."seen_at"
      WHERE "guild_member"."seen_at" < timezone('utc', now()) - interval '1 hour' OR "guild_member"."name" IS DISTINCT FROM EXCLUDED."name"`;
}
