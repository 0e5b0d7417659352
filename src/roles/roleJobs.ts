import { currentAffiliations, saveAffiliationChanges } from '../audit/affiliations.ts';
import { affiliationChanges } from '../audit/report.ts';
import { budgetFromNow } from '../budget.ts';
import type { Database } from '../db/client.ts';
import type { EsiClient } from '../esi/index.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { charactersOf } from '../links/roster.ts';
import type { Logger } from '../log.ts';
import type { RoleSync } from './roleSync.ts';
import { reusedFor } from '../util/reused.ts';

const MEMBER = 'roles:member';
const GUILD = 'roles:guild';
const RECONCILE_ALL = 'roles:reconcile-all';
const AFFILIATION_SWEEP = 'roles:affiliation-sweep';

export interface RoleJobsOptions {
  queue: JobQueue;
  roleSync: RoleSync;
  database: Database;
  esi: EsiClient;
  logger: Logger;
  /** how often every linked character's corporation is asked of ESI */
  affiliationIntervalMs: number;
  /** how often every configured guild is reconciled in full */
  reconcileIntervalMs: number;
}

/** How long the set of guilds with role rules or settings is reused by sightings (a change in this process reads it again at once). */
const CONFIGURED_GUILDS_TTL_MS = 30_000;

/**
 * Role sync's background work, on the job queue: one member (key per guild
 * and member: never twice at once), one guild, the periodic full reconcile
 * and the periodic affiliation sweep (each once per period across processes).
 */
export class RoleJobs {
  constructor(private readonly options: RoleJobsOptions) {
    const { queue, roleSync } = options;
    queue.define<{ guildId: string; userId: string }>(MEMBER, async ({ guildId, userId }) => {
      const result = await roleSync.syncMember(BigInt(guildId), BigInt(userId));
      // A dead login's grace ends later: come back then (a later change replaces this waiting run).
      if (result.graceUntil) await this.member(BigInt(guildId), BigInt(userId), result.graceUntil);
    });
    queue.define<{ guildId: string }>(GUILD, async ({ guildId }) => {
      await roleSync.reconcileGuild(BigInt(guildId), undefined, { resume: true });
    });
    queue.define(RECONCILE_ALL, async () => {
      for (const guildId of await roleSync.configuredGuilds()) await this.guild(guildId);
    });
    queue.define(AFFILIATION_SWEEP, () => this.#sweepAffiliations());
  }

  /** Schedules the periodic work (every process may call it: each period runs once). */
  async schedule(): Promise<void> {
    await this.options.queue.every(RECONCILE_ALL, this.options.reconcileIntervalMs);
    await this.options.queue.every(AFFILIATION_SWEEP, this.options.affiliationIntervalMs);
  }

  /** Sync one member of one guild soon (or at `runAt`). */
  async member(guildId: bigint, userId: bigint, runAt?: Date): Promise<void> {
    await this.options.queue.add(MEMBER, { guildId: String(guildId), userId: String(userId) }, { key: `roles:member:${guildId}:${userId}`, ...(runAt ? { runAt } : {}) });
  }

  /**
   * A member seen in a guild (a command, a join): synced when the guild has
   * role rules or settings. Which guilds do is read at most every 30 s (and
   * again after a change here), so the commands of a guild without rules
   * cost no database work for roles.
   */
  async memberSeen(guildId: bigint, userId: bigint): Promise<void> {
    if (!(await this.#configuredGuilds()).has(guildId)) return;
    await this.member(guildId, userId);
  }

  /** Reconcile a whole guild soon. */
  async guild(guildId: bigint): Promise<void> {
    // Called when a guild's rules or settings change: the next sighting reads them again.
    this.#configuredGuilds.forget();
    await this.options.queue.add(GUILD, { guildId: String(guildId) }, { key: `roles:guild:${guildId}` });
  }

  readonly #configuredGuilds = reusedFor(CONFIGURED_GUILDS_TTL_MS, async () => new Set(await this.options.roleSync.configuredGuilds()));

  /** Something about a user's characters changed (link, unlink, main, dead login, new owner): sync them in every guild they are seen in. */
  async userChanged(userId: bigint): Promise<void> {
    for (const guildId of await this.options.roleSync.guildsOf(userId)) await this.member(guildId, userId);
  }

  /**
   * Every linked character's corporation and alliance, from ESI in batches of
   * 1000 (ESI's cache time is honoured by the client: a sweep inside it asks
   * nothing). Changes are stored and recorded; their owners are re-synced.
   */
  async #sweepAffiliations(): Promise<void> {
    const { database, esi, logger } = this.options;
    const owners = await database.character.findMany({ select: { discordUserId: true }, distinct: ['discordUserId'] });
    const characters = await charactersOf(database, owners.map((o) => o.discordUserId));
    const affiliations = await currentAffiliations(esi, characters.map((c) => c.id), budgetFromNow(60_000), logger);
    // No answer: nothing is known to have changed, and nothing changes.
    if (!affiliations) return;
    const changes = affiliationChanges(characters, affiliations);
    if (changes.length === 0) return;
    await saveAffiliationChanges(database, changes);
    logger.info({ characters: characters.length, changed: changes.length }, 'affiliation sweep');
    for (const userId of new Set(changes.map((c) => c.discordUserId))) await this.userChanged(userId);
  }
}
