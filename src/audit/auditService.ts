import { performance } from 'node:perf_hooks';
import { budgetFromNow, type Budget } from '../budget.ts';
import type { Database } from '../db/client.ts';
import { clearBotGuildMissing, forgetGuild, markBotGuildMissing, missingBotGuilds, recordBotGuilds } from '../db/guildData.ts';
import type { EsiClient, NameResolver } from '../esi/index.ts';
import type { Logger } from '../log.ts';
import type { EveDirectory } from '../services.ts';
import type { TokenService } from '../tokens/tokenService.ts';
import { assertMayAudit, assertMayChangeSettings, type AuditRequester } from './access.ts';
import { currentAffiliations, saveAffiliationChanges } from './affiliations.ts';
import { trackedMemberLists } from './corporationMembers.ts';
import { TrackedCorporationsError } from './errors.ts';
import { expireSightings, forgetGuildMember, recordedGuildMembers, type GuildMemberRecorder } from './guildMembers.ts';
import { affiliationChanges, assembleReport, type AuditMember, type AuditReport } from './report.ts';
import { charactersOf, type StoredCharacter } from '../links/roster.ts';
import { MAX_TRACKED_CORPORATIONS, parseCorporationList, readSettings, saveSettings, type AuditSettings } from './settings.ts';
import { eventCorporationIds, recentEvents, type TrailEvent } from './trail.ts';

/** What forgetting departed guilds needs of Discord. */
export interface GuildPresence {
  /** every guild the bot is in; throws rather than answer with part of the list */
  botGuildIds(): Promise<Set<bigint>>;
  /** false only when Discord says the bot is not in the guild (Unknown Guild, Missing Access); any other answer throws */
  botIsIn(guildId: bigint): Promise<boolean>;
}

/** A server found missing is forgotten only when a check at least this much later finds it missing again (longer than most Discord incidents). */
const CONFIRM_MISSING_AFTER_MS = 6 * 60 * 60 * 1000;
/** More servers than this newly missing at once (3, or a tenth of the known ones if more) looks like a fault, not removals: none is marked. */
const mostNewlyMissing = (known: number) => Math.max(3, Math.ceil(known / 10));

export interface AuditServiceOptions {
  database: Database;
  esi: EsiClient;
  tokens: TokenService;
  names: NameResolver;
  directory: EveDirectory;
  logger: Logger;
  /** the scopes /link asks for: a grant without one of them has "missing scopes" */
  requiredScopes: readonly string[];
  /** DISCORD_MEMBERS_INTENT: the edge can list the guild's members from Discord */
  membersIntent: boolean;
  /** sightings not yet written are written before the members are read */
  recorder?: GuildMemberRecorder;
  /** without the members intent, a user not seen in a guild for this long is no longer its member */
  sightingTtlMs?: number;
}

const DEFAULT_SIGHTING_TTL_MS = 90 * 24 * 60 * 60 * 1000;

/** A guild member as Discord lists it (the edge passes plain ids and names). */
export interface ListedMember {
  discordUserId: bigint;
  name: string;
}

declare const authorized: unique symbol;

/** Proof that the access check passed; only AuditService.authorize makes one. */
export interface AuthorizedAudit {
  readonly guildId: bigint;
  readonly requester: AuditRequester;
  readonly settings: AuditSettings;
  readonly [authorized]: true;
}

export interface MemberAudit {
  member: AuditMember;
  events: TrailEvent[];
  names: Map<bigint, string>;
  affiliationsLive: boolean;
}

const REPORT_EVENTS = 10;
const MEMBER_EVENTS = 10;

/**
 * /audit: who in the guild linked what, whose logins died, and who in the
 * tracked corporations never linked. The database work is a fixed number of
 * queries whatever the member count (counted and logged per report); ESI
 * calls are batched (affiliations and names by 1000) or one per tracked
 * corporation. Only members of the guild are ever read or shown.
 */
export class AuditService {
  constructor(private readonly options: AuditServiceOptions) {}

  /** True when the edge should list the guild's members from Discord for report() and events(). */
  get listsGuildMembers(): boolean {
    return this.options.membersIntent;
  }

  /** Discord says a member left the guild: they leave its audit at once. */
  async memberLeft(guildId: bigint, discordUserId: bigint): Promise<void> {
    this.options.recorder?.forget(guildId, discordUserId);
    await forgetGuildMember(this.options.database, guildId, discordUserId);
    this.options.logger.info({ guildId: String(guildId), discordUserId: String(discordUserId) }, 'member left a guild: forgotten there');
  }

  /** The bot was removed from the guild (Discord said so): what it knew of the guild goes (the append-only trail stays). */
  async botRemoved(guildId: bigint): Promise<void> {
    this.options.recorder?.forget(guildId);
    const forgotten = await forgetGuild(this.options.database, guildId);
    this.options.logger.info({ guildId: String(guildId), members: forgotten?.members ?? 0 }, 'removed from a guild: its members and settings are forgotten');
  }

  /**
   * Forgets the servers that removed the bot while no process heard it (it
   * was down, or has no gateway). Only on knowledge that holds up: a server
   * the application's bot was seen in (never one where only the commands
   * were installed, nor another application's), missing from its complete
   * guild list, which Discord then refuses to show (Unknown Guild or Missing
   * Access: any other answer keeps it), on two checks at least 6 hours
   * apart; and none newly marked when many go missing at once. Returns the
   * servers forgotten.
   */
  async forgetGuildsLeft(discord: GuildPresence, applicationId: bigint): Promise<bigint[]> {
    const { database: db, logger } = this.options;
    const present = [...(await discord.botGuildIds())];
    await recordBotGuilds(db, applicationId, present);
    const { missing, known } = await missingBotGuilds(db, applicationId, present, CONFIRM_MISSING_AFTER_MS);
    // Servers marked by an earlier check go on to their own second check; a crowd of new ones is a fault, not removals.
    const newlyMissing = missing.filter((m) => !m.marked).length;
    const tooMany = newlyMissing > mostNewlyMissing(known);
    if (tooMany) {
      logger.error({ newlyMissing, known }, 'too many servers missing from the bot\'s guild list at once: marking none (is DISCORD_TOKEN the bot that used this database?)');
    }
    const forgotten: bigint[] = [];
    const failures: unknown[] = [];
    for (const { guildId, marked, confirmed } of missing) {
      if (tooMany && !marked) continue;
      try {
        if (await discord.botIsIn(guildId)) {
          await clearBotGuildMissing(db, applicationId, guildId);
          logger.warn({ guildId: String(guildId) }, 'a guild missing from the bot\'s guild list still answers: kept');
        } else if (!confirmed) {
          await markBotGuildMissing(db, applicationId, guildId);
          logger.info({ guildId: String(guildId) }, 'the bot seems to have been removed from a guild: forgotten if a later check agrees');
        } else {
          const done = await forgetGuild(db, guildId, { by: 'check', applicationId, confirmAfterMs: CONFIRM_MISSING_AFTER_MS });
          if (done) {
            this.options.recorder?.forget(guildId);
            forgotten.push(guildId);
            logger.info({ guildId: String(guildId), members: done.members }, 'removed from a guild while nobody heard it: its members and settings are forgotten');
          }
        }
      } catch (error) {
        failures.push(error);
        logger.warn({ err: error, guildId: String(guildId) }, 'could not check whether the bot is still in a guild: kept');
      }
    }
    if (failures.length) throw new AggregateError(failures, `${failures.length} of ${missing.length} missing guild(s) could not be checked`);
    return forgotten;
  }

  /** Deletes sightings past their lifetime (housekeeping; reads already ignore them). */
  async expireSightings(): Promise<number> {
    return expireSightings(this.options.database, new Date(Date.now() - (this.options.sightingTtlMs ?? DEFAULT_SIGHTING_TTL_MS)));
  }

  /** Reads the guild's settings and checks the requester may audit; throws AuditAccessDeniedError otherwise. */
  async authorize(guildId: bigint, requester: AuditRequester): Promise<AuthorizedAudit> {
    const settings = await readSettings(this.options.database, guildId);
    assertMayAudit(settings, requester);
    return { guildId, requester, settings } as AuthorizedAudit;
  }

  async report(audit: AuthorizedAudit, listed?: readonly ListedMember[]): Promise<AuditReport> {
    const started = performance.now();
    const { database, esi, logger } = this.options;
    const budget = budgetFromNow();
    let queries = 1; // the settings, read by authorize()

    if (!listed) queries += 1;
    const members = await this.#members(audit, listed);
    const memberIds = members.map((m) => m.discordUserId);
    queries += 1;
    const characters = await charactersOf(database, memberIds);

    const affiliations = await currentAffiliations(esi, characters.map((c) => c.id), budget, logger);
    const changes = affiliationChanges(characters, affiliations);
    if (changes.length > 0) {
      queries += 1;
      await saveAffiliationChanges(database, changes);
    }

    const tracked = audit.settings.trackedCorporationIds;
    if (tracked.length > 0) queries += 1;
    const memberLists = await trackedMemberLists({ database, tokens: this.options.tokens, esi, logger }, { guildId: audit.guildId, corporationIds: tracked, memberIds }, budget);
    // Who of the listed characters a member of this guild linked: the members' characters are already read.
    const listedIds = new Set([...memberLists.values()].flatMap((list) => (list.status === 'ok' ? list.memberIds : [])));
    const linkedOwners = new Map(characters.filter((c) => listedIds.has(c.id)).map((c) => [c.id, c.discordUserId]));

    queries += 1;
    const events = await recentEvents(database, { guildId: audit.guildId, memberIds, limit: REPORT_EVENTS });

    const assembled = assembleReport({
      guildId: audit.guildId,
      membersListed: listed !== undefined,
      members,
      characters,
      affiliations,
      trackedCorporationIds: tracked,
      memberLists,
      linkedOwners,
      requiredScopes: this.options.requiredScopes,
      names: new Map(),
      events,
    });
    const missing = assembled.tracked.flatMap((t) => t.missing);
    const entities = [...assembled.corporations.map((t) => t.id), ...assembled.alliances.map((t) => t.id), ...tracked, ...previousCorporations(assembled.members), ...eventCorporationIds(events)];
    queries += 2;
    const report: AuditReport = { ...assembled, names: await this.#names([...entities, ...missing], budget), ...(await this.#roleSyncHealth(audit.guildId, characters)) };

    logger.info(
      {
        guildId: String(audit.guildId),
        members: report.totals.members,
        characters: report.totals.characters,
        tracked: tracked.length,
        missing: report.totals.missing,
        affiliationChanges: changes.length,
        queries,
        ms: Math.round(performance.now() - started),
      },
      'audit report',
    );
    return report;
  }

  /** One member's characters, logins and recent events; the edge has checked the user is in the guild. */
  async member(audit: AuthorizedAudit, target: { discordUserId: bigint; name: string | null }): Promise<MemberAudit> {
    const { database, esi, logger } = this.options;
    const budget = budgetFromNow();
    const characters = await charactersOf(database, [target.discordUserId]);
    const affiliations = await currentAffiliations(esi, characters.map((c) => c.id), budget, logger);
    await saveAffiliationChanges(database, affiliationChanges(characters, affiliations));
    const events = await recentEvents(database, { guildId: audit.guildId, memberIds: [target.discordUserId], limit: MEMBER_EVENTS });
    const report = assembleReport({
      guildId: audit.guildId,
      membersListed: false,
      members: [target],
      characters,
      affiliations,
      trackedCorporationIds: audit.settings.trackedCorporationIds,
      memberLists: new Map(),
      linkedOwners: new Map(),
      requiredScopes: this.options.requiredScopes,
      names: new Map(),
      events,
    });
    const member = report.members[0]!;
    const ids = [
      ...member.characters.flatMap((c) => [c.corporationId, c.allianceId, c.previousCorporationId]).filter((id): id is bigint => id !== null),
      ...eventCorporationIds(events),
    ];
    return { member, events, names: await this.#names(ids, budget), affiliationsLive: report.affiliationsLive };
  }

  /** The latest audit-trail events about the guild's members. */
  async events(audit: AuthorizedAudit, listed: readonly ListedMember[] | undefined, limit: number): Promise<{ events: TrailEvent[]; names: Map<bigint, string> }> {
    const memberIds = (await this.#members(audit, listed)).map((m) => m.discordUserId);
    const events = await recentEvents(this.options.database, { guildId: audit.guildId, memberIds, limit });
    return { events, names: await this.#names(eventCorporationIds(events), budgetFromNow()) };
  }

  /** Names of the tracked corporations, for showing the settings. */
  async trackedNames(audit: AuthorizedAudit): Promise<Map<bigint, string>> {
    return this.#names(audit.settings.trackedCorporationIds, budgetFromNow());
  }

  /**
   * Changes the admin role and/or the tracked corporations. Corporations are
   * given by id or name, and only those a member of this guild has a linked
   * character in can be tracked (a guild never reads another's corporation
   * through grants of people outside it); nothing typed is looked up at ESI.
   * Any problem throws TrackedCorporationsError and nothing is saved.
   */
  async updateSettings(
    audit: AuthorizedAudit,
    change: { adminRoleId?: bigint | null; corporations?: string },
    listed?: readonly ListedMember[],
  ): Promise<{ settings: AuditSettings; names: Map<bigint, string> }> {
    assertMayChangeSettings(audit.requester);
    const trackedCorporationIds = change.corporations === undefined ? undefined : await this.#resolveCorporations(audit, change.corporations, listed);
    const settings = await saveSettings(this.options.database, {
      guildId: audit.guildId,
      changedBy: audit.requester.discordUserId,
      ...(change.adminRoleId !== undefined ? { adminRoleId: change.adminRoleId } : {}),
      ...(trackedCorporationIds !== undefined ? { trackedCorporationIds } : {}),
    });
    this.options.logger.info(
      { guildId: String(audit.guildId), by: String(audit.requester.discordUserId), adminRoleId: settings.adminRoleId?.toString() ?? null, tracked: settings.trackedCorporationIds.map(String) },
      'audit settings changed',
    );
    return { settings, names: await this.#names(settings.trackedCorporationIds, budgetFromNow()) };
  }

  async #resolveCorporations(audit: AuthorizedAudit, text: string, listed: readonly ListedMember[] | undefined): Promise<bigint[]> {
    // "none" clears the list (Discord does not allow an empty option).
    const { ids, names } = parseCorporationList(/^\s*none\s*$/i.test(text) ? '' : text);
    if (ids.length + names.length > MAX_TRACKED_CORPORATIONS) throw new TrackedCorporationsError({ tooMany: ids.length + names.length });
    if (ids.length + names.length === 0) return [];
    // The corporations of this guild's members' characters: the only ones it may track.
    const memberIds = (await this.#members(audit, listed)).map((m) => m.discordUserId);
    const groups = memberIds.length
      ? await this.options.database.character.groupBy({ by: ['corporationId'], where: { discordUserId: { in: memberIds }, corporationId: { not: null } } })
      : [];
    const allowed = new Set(groups.map((g) => g.corporationId!));
    const resolved = ids.filter((id) => allowed.has(id));
    const notHere = ids.filter((id) => !allowed.has(id)).map(String);
    const unknown: string[] = [];
    if (names.length > 0) {
      const known = await this.options.names.resolve([...allowed]);
      for (const name of names) {
        const match = [...known].find(([, n]) => n.category === 'corporation' && n.name.toLowerCase() === name.toLowerCase());
        if (match) resolved.push(match[0]);
        else unknown.push(name);
      }
    }
    if (notHere.length > 0 || unknown.length > 0) throw new TrackedCorporationsError({ notHere, unknown });
    return [...new Set(resolved)];
  }

  /**
   * The guild's members: the list Discord sent (members intent), or the users
   * the bot saw in the guild within the sighting lifetime.
   */
  async #members(audit: AuthorizedAudit, listed: readonly ListedMember[] | undefined): Promise<{ discordUserId: bigint; name: string | null }[]> {
    if (listed) return listed.map((m) => ({ discordUserId: m.discordUserId, name: m.name }));
    await this.options.recorder?.flush();
    const since = new Date(Date.now() - (this.options.sightingTtlMs ?? DEFAULT_SIGHTING_TTL_MS));
    return recordedGuildMembers(this.options.database, audit.guildId, since);
  }

  /** Role sync's health for the summary: refusals recorded, and members whose roles hang on a dead login's grace. */
  async #roleSyncHealth(guildId: bigint, characters: readonly StoredCharacter[]): Promise<Pick<AuditReport, 'roleSync'>> {
    const { database } = this.options;
    const [rules, settings] = await Promise.all([database.roleRule.count({ where: { guildId } }), database.roleSettings.findUnique({ where: { guildId }, select: { graceHours: true } })]);
    if (rules === 0) return {};
    const problems = await database.roleProblem.count({ where: { guildId } });
    const graceMs = (settings?.graceHours ?? 24) * 3_600_000;
    const now = Date.now();
    const inGrace = new Set(
      characters.filter((c) => c.grant?.status === 'invalid' && c.grant.invalidSince !== null && now - c.grant.invalidSince.getTime() < graceMs).map((c) => c.discordUserId),
    ).size;
    return { roleSync: { problems, inGrace } };
  }

  async #names(ids: readonly bigint[], budget: Budget): Promise<Map<bigint, string>> {
    const resolved = await this.options.names.resolve([...new Set(ids)], budget);
    return new Map([...resolved].map(([id, n]) => [id, n.name]));
  }
}

function previousCorporations(members: readonly AuditMember[]): bigint[] {
  return members.flatMap((m) => m.characters.flatMap((c) => (c.previousCorporationId === null ? [] : [c.previousCorporationId])));
}
