import { recordGuildMember, recordGuildMembers, recordedGuildMembers } from '../audit/guildMembers.ts';
import { recordEvent } from '../db/auditEvents.ts';
import { UserFacingError } from '../errors.ts';
import type { Database } from '../db/client.ts';
import { charactersOf, type StoredCharacter } from '../links/roster.ts';
import type { Logger } from '../log.ts';
import type { EveDirectory } from '../services.ts';
import { nextAfter, type DiscordGuilds, type GuildSnapshot, type MemberSnapshot } from './discordGuilds.ts';
import { escapeMarkdown as escapeName } from '../text.ts';
import { auditLogReason, needsWrite, planMember, validateTemplate, type LinkedCharacter, type MemberPlan } from './index.ts';
import { DEFAULT_ROLE_SETTINGS, readRoleConfig, type RoleRule, type RoleSettings } from './ruleStore.ts';

export interface RoleSyncOptions {
  database: Database;
  guilds: DiscordGuilds;
  directory: EveDirectory;
  logger: Logger;
  /** the bot can list a guild's members (DISCORD_MEMBERS_INTENT) */
  membersIntent: boolean;
  /** without the intent: who was seen in a guild within this long counts as a member */
  sightingTtlMs: number;
  /** schedules a reconcile of the guild (the job queue) */
  requestGuildSync: (guildId: bigint) => Promise<void>;
}

export type MemberOutcome = 'changed' | 'unchanged' | 'not-member' | 'refused' | 'not-configured';

export interface ReconcileProgress {
  checked: number;
  changed: number;
  refused: number;
  /** members known to need checking, when known */
  total: number | undefined;
}

interface GuildContext {
  guild: GuildSnapshot;
  rules: RoleRule[];
  settings: RoleSettings;
}

const PAGE = 1000;
/** After this many refused members in a row, a reconcile stops: the problem is the guild's, not theirs. */
const MAX_REFUSALS_IN_A_ROW = 5;

export class RoleSyncError extends UserFacingError {}

/**
 * Applies a guild's role rules and nickname template to its members. A
 * member's managed roles are computed in full and written in one PATCH with
 * the reason, and only when something changes; every other role stays as it
 * is. Decisions are made on positive knowledge only: stored affiliations and
 * grant states, never on an outage.
 */
export class RoleSync {
  constructor(private readonly options: RoleSyncOptions) {}

  /** Whether the guild has anything for the bot to do. */
  async configured(guildId: bigint): Promise<boolean> {
    const { rules, settings } = await readRoleConfig(this.options.database, guildId);
    return rules.length > 0 || settings.unlinkedRoleId !== null || settings.nicknameTemplate !== null;
  }

  /** Syncs one member of one guild now; `graceUntil`: when a dead login's grace ends and the member must be synced again. */
  async syncMember(guildId: bigint, userId: bigint): Promise<{ outcome: MemberOutcome; graceUntil: Date | null }> {
    const context = await this.#context(guildId);
    if (!context) return { outcome: 'not-configured', graceUntil: null };
    // Discord refused this member before: not retried until the next full reconcile (never hammer a refusal).
    const refused = await this.options.database.roleProblem.count({ where: { guildId, subject: `member:${userId}` } });
    if (refused > 0) return { outcome: 'refused', graceUntil: null };
    const member = await this.options.guilds.member(guildId, userId);
    if (!member || member.bot) return { outcome: 'not-member', graceUntil: null };
    const characters = await charactersOf(this.options.database, [userId]);
    const tickers = await this.#tickers(context, characters);
    return this.#apply(context, member, characters, tickers);
  }

  /** For the DM about a dead login: until when the roles it earns stay (the shortest grace of the user's servers with rules). */
  async deadLoginNotice(userId: bigint): Promise<string | undefined> {
    const guilds = await this.guildsOf(userId);
    if (guilds.length === 0) return undefined;
    const settings = await this.options.database.roleSettings.findMany({ where: { guildId: { in: guilds } }, select: { guildId: true, graceHours: true } });
    const grace = new Map(settings.map((s) => [s.guildId, s.graceHours]));
    const hours = Math.min(...guilds.map((id) => grace.get(id) ?? DEFAULT_ROLE_SETTINGS.graceHours));
    if (hours === 0) return 'The Discord roles it earned you are removed until you do.';
    const until = Math.floor((Date.now() + hours * 3_600_000) / 1000);
    return `Log in again before <t:${until}:f> to keep the Discord roles it earns you.`;
  }

  /** Guilds that have rules or settings. */
  async configuredGuilds(): Promise<bigint[]> {
    const [rules, settings] = await Promise.all([
      this.options.database.roleRule.findMany({ select: { guildId: true }, distinct: ['guildId'] }),
      this.options.database.roleSettings.findMany({ where: { OR: [{ unlinkedRoleId: { not: null } }, { nicknameTemplate: { not: null } }] }, select: { guildId: true } }),
    ]);
    return [...new Set([...rules, ...settings].map((r) => r.guildId))];
  }

  /** The configured guilds a user was seen in (where a change of their characters may change roles). */
  async guildsOf(userId: bigint): Promise<bigint[]> {
    const configured = new Set(await this.configuredGuilds());
    const since = new Date(Date.now() - this.options.sightingTtlMs);
    const seen = await this.options.database.guildMember.findMany({ where: { discordUserId: userId, seenAt: { gte: since } }, select: { guildId: true } });
    return seen.map((s) => s.guildId).filter((id) => configured.has(id));
  }

  /**
   * Every member of the guild, page by page (1000 at a time), writing only
   * those that change; discord.js paces the writes by Discord's buckets.
   * With `resume`, a reconcile a restart interrupted continues where it stopped.
   */
  async reconcileGuild(guildId: bigint, onProgress?: (progress: ReconcileProgress) => void | Promise<void>, options: { resume?: boolean } = {}): Promise<ReconcileProgress> {
    const { database } = this.options;
    const context = await this.#context(guildId);
    if (!context) return { checked: 0, changed: 0, refused: 0, total: undefined };
    // A background reconcile that a restart interrupted continues after the last member it checked;
    // an officer's /roles sync checks everyone.
    const cursor = options.resume ? await database.roleSyncCursor.findUnique({ where: { guildId } }) : null;
    const progress: ReconcileProgress = { checked: cursor?.checked ?? 0, changed: cursor?.changed ?? 0, refused: 0, total: undefined };
    // Members whose refusal was recorded: a reconcile tries them again, and forgets the refusal when nothing needs writing.
    const refusedBefore = new Set((await database.roleProblem.findMany({ where: { guildId, subject: { startsWith: 'member:' } }, select: { subject: true } })).map((p) => p.subject));
    let refusedInARow = 0;
    for await (const { members: page, last } of this.#memberPages(guildId, progress, cursor?.after ?? 0n)) {
      const characters = await charactersOf(database, page.map((m) => m.userId));
      const tickers = await this.#tickers(context, characters);
      const byUser = groupBy(characters, (c) => c.discordUserId);
      for (const listed of page) {
        if (listed.bot) continue;
        let member = listed;
        let plan = this.#plan(context, member, byUser.get(member.userId) ?? [], tickers);
        if (needsWrite(plan)) {
          // The page is minutes old by now: the member as they are, so a role given meanwhile stays.
          const now = await this.options.guilds.member(guildId, member.userId);
          if (!now) continue;
          member = now;
          plan = this.#plan(context, member, byUser.get(member.userId) ?? [], tickers);
        }
        const outcome = await this.#write(context, member, plan);
        progress.checked += 1;
        if (outcome === 'changed') progress.changed += 1;
        if (outcome === 'unchanged' && refusedBefore.has(`member:${member.userId}`)) {
          await database.roleProblem.deleteMany({ where: { guildId, subject: `member:${member.userId}` } });
        }
        if (outcome === 'refused') {
          progress.refused += 1;
          refusedInARow += 1;
          if (refusedInARow >= MAX_REFUSALS_IN_A_ROW) {
            // Discord refuses everyone: the bot's place or permission, not one member. Stop and say so.
            await this.#guildProblem(guildId, `Discord refused ${refusedInARow} members in a row: check that the bot has Manage Roles and that its role is above the managed roles (Server Settings → Roles).`);
            await database.roleSyncCursor.deleteMany({ where: { guildId } });
            return progress;
          }
        } else refusedInARow = 0;
      }
      const position = { after: last, checked: progress.checked, changed: progress.changed };
      await database.roleSyncCursor.upsert({ where: { guildId }, create: { guildId, ...position }, update: position });
      await onProgress?.({ ...progress });
    }
    await database.roleProblem.deleteMany({ where: { guildId, subject: 'guild' } });
    await database.roleSyncCursor.deleteMany({ where: { guildId } });
    this.options.logger.info({ guildId: String(guildId), ...progress }, 'role reconcile');
    return progress;
  }

  /** What a sync would do, writing nothing: the plan for one member, or for every member. */
  async preview(guildId: bigint, userId?: bigint): Promise<{ context: GuildContext; plans: { member: MemberSnapshot; plan: MemberPlan }[] } | undefined> {
    const context = await this.#context(guildId, true);
    if (!context) return undefined;
    const plans: { member: MemberSnapshot; plan: MemberPlan }[] = [];
    const pages = userId === undefined ? this.#memberPages(guildId, { checked: 0, changed: 0, refused: 0, total: undefined }) : this.#one(guildId, userId);
    for await (const { members: page } of pages) {
      const characters = await charactersOf(this.options.database, page.map((m) => m.userId));
      const tickers = await this.#tickers(context, characters);
      const byUser = groupBy(characters, (c) => c.discordUserId);
      for (const member of page) if (!member.bot) plans.push({ member, plan: this.#plan(context, member, byUser.get(member.userId) ?? [], tickers) });
    }
    return { context, plans };
  }

  /** Users seen in the guild within the sighting lifetime (without the members intent, the members the bot knows). */
  async knownMemberIds(guildId: bigint): Promise<bigint[]> {
    const seen = await recordedGuildMembers(this.options.database, guildId, new Date(Date.now() - this.options.sightingTtlMs));
    return seen.map((s) => s.discordUserId);
  }

  /** Asks for the whole guild to be reconciled soon (a rule or setting changed). */
  async requestGuildSync(guildId: bigint): Promise<void> {
    await this.options.requestGuildSync(guildId);
  }

  templateProblems(template: string): string[] {
    return validateTemplate(template);
  }

  /**
   * The rules, how many members hold or qualify for each role, and every
   * problem that stops the sync, in words an officer can act on.
   */
  async status(guildId: bigint): Promise<{ rules: RoleRule[]; counts: Map<bigint, { holders: number; qualify: number }>; problems: string[] }> {
    const previewed = await this.preview(guildId);
    const { rules, settings } = previewed?.context ?? (await readRoleConfig(this.options.database, guildId));
    const problems: string[] = [];
    const counts = new Map<bigint, { holders: number; qualify: number }>();
    if (!previewed) return { rules, counts, problems: ['The bot cannot read this server (is it still a member?).'] };
    const { guild } = previewed.context;
    const managed = new Set([...rules.map((r) => r.roleId), ...(settings.unlinkedRoleId === null ? [] : [settings.unlinkedRoleId])]);
    for (const roleId of managed) {
      counts.set(roleId, {
        holders: previewed.plans.filter((p) => p.member.roleIds.includes(roleId)).length,
        qualify: previewed.plans.filter((p) => p.plan.roles.next.includes(roleId)).length,
      });
    }
    if (!guild.botCanManageRoles && managed.size > 0) problems.push('The bot lacks the **Manage Roles** permission: give it to the bot\'s role in Server Settings → Roles.');
    if (!guild.botCanManageNicknames && settings.nicknameTemplate !== null) problems.push('The bot lacks the **Manage Nicknames** permission, so nicknames are not set.');
    for (const roleId of managed) {
      const role = guild.roles.find((r) => r.id === roleId);
      if (!role) problems.push(`A managed role (${roleId}) no longer exists: remove it with /roles remove.`);
      else if (role.id === guild.everyoneId) problems.push('@everyone cannot be managed.');
      else if (role.managed) problems.push(`**${escapeName(role.name)}** is managed by an integration: nobody can give or take it.`);
      else if (role.position >= guild.botHighestPosition) {
        problems.push(`**${escapeName(role.name)}** is above the bot's highest role **${escapeName(guild.botHighestRoleName ?? 'none')}**: drag the bot's role above it in Server Settings → Roles.`);
      }
    }
    if (settings.nicknameTemplate !== null) problems.push("The server owner's nickname is never changed: Discord does not allow it.");
    if (!this.options.membersIntent) {
      problems.push('The members intent is off: only members the bot has seen (who used a command or linked here) are synced, and new members on their first command.');
    }
    const refused = await this.options.database.roleProblem.findMany({ where: { guildId }, take: 10, orderBy: { at: 'desc' } });
    for (const r of refused) problems.push(r.detail);
    return { rules, counts, problems };
  }

  /** The preview as lines: per role who would gain and lose it, nickname changes; or one member's plan with reasons. */
  async previewText(guildId: bigint, userId?: bigint): Promise<string[]> {
    const previewed = await this.preview(guildId, userId);
    if (!previewed) return ['The bot cannot read this server.'];
    const roleName = (id: bigint) => `<@&${id}>`;
    if (userId !== undefined) {
      const one = previewed.plans[0];
      if (!one) return ['That user is not a member of this server.'];
      const { plan, member } = one;
      return [
        ...plan.roles.add.map((id) => `+ ${roleName(id)}: ${plan.reasons.get(id) ?? ''}`),
        ...plan.roles.remove.map((id) => `− ${roleName(id)}: ${plan.reasons.get(id) ?? ''}`),
        ...(plan.nick.change ? [`Nickname: ${escapeName(plan.nick.from ?? member.username)} → ${escapeName(plan.nick.to ?? member.username)}`] : []),
      ];
    }
    const lines: string[] = [];
    const managed = new Set(previewed.plans.flatMap((p) => [...p.plan.roles.add, ...p.plan.roles.remove]));
    for (const roleId of managed) {
      const gain = previewed.plans.filter((p) => p.plan.roles.add.includes(roleId)).map((p) => escapeName(p.member.username));
      const lose = previewed.plans.filter((p) => p.plan.roles.remove.includes(roleId)).map((p) => escapeName(p.member.username));
      const some = (names: string[]) => `${names.slice(0, 10).join(', ')}${names.length > 10 ? ', …' : ''}`;
      const parts = [...(gain.length ? [`${gain.length} would gain it (${some(gain)})`] : []), ...(lose.length ? [`${lose.length} would lose it (${some(lose)})`] : [])];
      lines.push(`${roleName(roleId)}: ${parts.join('; ')}`);
    }
    const nicks = previewed.plans.filter((p) => p.plan.nick.change);
    if (nicks.length > 0) lines.push(`${nicks.length} nickname${nicks.length === 1 ? '' : 's'} would change (${nicks.slice(0, 10).map((p) => escapeName(p.plan.nick.to ?? p.member.username)).join(', ')}${nicks.length > 10 ? ', …' : ''})`);
    return lines;
  }

  /**
   * Takes a role that is no longer managed from every member who has it (an
   * officer asked, with the button of /roles remove). Only a role the bot may
   * touch and no rule names any more; stops at Discord's first refusal.
   */
  async stripRole(guildId: bigint, roleId: bigint, by: bigint): Promise<number> {
    const { database, guilds } = this.options;
    const { rules, settings } = await readRoleConfig(database, guildId);
    if (rules.some((r) => r.roleId === roleId) || settings.unlinkedRoleId === roleId) throw new RoleSyncError('That role is still managed by a rule: remove the rule first with /roles remove.');
    const guild = await guilds.guild(guildId);
    const role = guild?.roles.find((r) => r.id === roleId);
    if (!guild || !role || role.managed || role.id === guild.everyoneId || role.position >= guild.botHighestPosition || !guild.botCanManageRoles) {
      throw new RoleSyncError('The bot cannot remove that role (it is above the bot, given by an integration, or gone). Nothing was changed.');
    }
    let stripped = 0;
    for await (const { members } of this.#memberPages(guildId, { checked: 0, changed: 0, refused: 0, total: undefined })) {
      for (const member of members) {
        if (!member.roleIds.includes(roleId)) continue;
        const result = await guilds.editMember(guildId, member.userId, { roles: member.roleIds.filter((id) => id !== roleId) }, 'EVE role sync: the role is no longer managed; an officer removed it from everyone');
        if (result === 'ok') stripped += 1;
        // Never hammer a refusal: the next member would be refused alike.
        else if (result !== 'unknown-member') return stripped;
      }
    }
    await recordEvent(database, { kind: 'settings_changed', guildId, discordUserId: by, detail: { roleStripped: String(roleId), members: stripped } });
    return stripped;
  }

  async #context(guildId: bigint, evenIfEmpty = false): Promise<GuildContext | undefined> {
    const { rules, settings } = await readRoleConfig(this.options.database, guildId);
    if (!evenIfEmpty && rules.length === 0 && settings.unlinkedRoleId === null && settings.nicknameTemplate === null) return undefined;
    const guild = await this.options.guilds.guild(guildId);
    return guild && { guild, rules, settings };
  }

  #plan(context: GuildContext, member: MemberSnapshot, characters: StoredCharacter[], tickers: Map<bigint, string>): MemberPlan {
    const plan = planMember({
      guild: context.guild,
      rules: context.rules,
      settings: context.settings,
      member: { userId: member.userId, roleIds: member.roleIds, nick: member.nick, username: member.username, isOwner: member.userId === context.guild.ownerId },
      characters: characters.map((c) => toPlanCharacter(c, tickers)),
      now: new Date(),
    });
    return onKnownFacts(plan, context, characters, tickers);
  }

  async #apply(context: GuildContext, member: MemberSnapshot, characters: StoredCharacter[], tickers: Map<bigint, string>): Promise<{ outcome: MemberOutcome; graceUntil: Date | null }> {
    const plan = this.#plan(context, member, characters, tickers);
    return { outcome: await this.#write(context, member, plan), graceUntil: plan.graceUntil };
  }

  async #guildProblem(guildId: bigint, detail: string): Promise<void> {
    await this.options.database.roleProblem.upsert({
      where: { guildId_subject: { guildId, subject: 'guild' } },
      create: { guildId, subject: 'guild', code: 'refused', detail },
      update: { detail, at: new Date() },
    });
    this.options.logger.warn({ guildId: String(guildId) }, detail);
  }

  async #write(context: GuildContext, member: MemberSnapshot, plan: MemberPlan): Promise<MemberOutcome> {
    const { database, guilds, logger } = this.options;
    const guildId = context.guild.guildId;
    const rolesChange = plan.roles.add.length > 0 || plan.roles.remove.length > 0;
    if (!rolesChange && !plan.nick.change) return 'unchanged';
    const reason = auditLogReason(plan, context.guild) ?? 'EVE role sync';
    const result = await guilds.editMember(
      guildId,
      member.userId,
      { ...(rolesChange ? { roles: plan.roles.next } : {}), ...(plan.nick.change ? { nick: plan.nick.to } : {}) },
      reason,
    );
    if (result === 'unknown-member') return 'not-member';
    if (result !== 'ok') {
      await database.roleProblem.upsert({
        where: { guildId_subject: { guildId, subject: `member:${member.userId}` } },
        create: { guildId, subject: `member:${member.userId}`, code: result, detail: `Discord refused to change ${member.username} (${result})` },
        update: { code: result, detail: `Discord refused to change ${member.username} (${result})`, at: new Date() },
      });
      logger.warn({ guildId: String(guildId), userId: String(member.userId), result }, 'role sync refused by Discord');
      return 'refused';
    }
    const events = [
      ...plan.roles.add.map((roleId) => ({ kind: 'role_added', roleId })),
      ...plan.roles.remove.map((roleId) => ({ kind: 'role_removed', roleId })),
    ].map((e) => ({
      kind: e.kind,
      guildId,
      discordUserId: member.userId,
      detail: { roleId: String(e.roleId), role: context.guild.roles.find((r) => r.id === e.roleId)?.name ?? null, reason: plan.reasons.get(e.roleId) ?? null },
    }));
    if (plan.nick.change) {
      events.push({ kind: 'nickname_changed', guildId, discordUserId: member.userId, detail: { roleId: '', role: null, reason: `${plan.nick.from ?? member.username} → ${plan.nick.to ?? member.username}` } });
    }
    await database.$transaction([
      database.auditEvent.createMany({ data: events }),
      database.roleProblem.deleteMany({ where: { guildId, subject: `member:${member.userId}` } }),
    ]);
    // A member the bot wrote is a member: the audit knows them too.
    await recordGuildMember(database, guildId, member.userId, member.username);
    return 'changed';
  }

  /** Corporation and alliance tickers for the nickname template (only when one is set). */
  async #tickers(context: GuildContext, characters: StoredCharacter[]): Promise<Map<bigint, string>> {
    const tickers = new Map<bigint, string>();
    if (context.settings.nicknameTemplate === null) return tickers;
    const mains = characters.filter((c) => c.isMain);
    const corporations = new Set(mains.flatMap((c) => (c.corporationId === null ? [] : [c.corporationId])));
    const alliances = new Set(mains.flatMap((c) => (c.allianceId === null ? [] : [c.allianceId])));
    await Promise.all([
      ...[...corporations].map(async (id) => {
        const found = await this.options.directory.corporation(id).catch(() => undefined);
        if (found) tickers.set(id, found.ticker);
      }),
      ...[...alliances].map(async (id) => {
        const found = await this.options.directory.alliance(id).catch(() => undefined);
        if (found) tickers.set(id, found.ticker);
      }),
    ]);
    return tickers;
  }

  /** The guild's members in id order, after `start`, a page at a time; `last`: the id to continue after. */
  async *#memberPages(guildId: bigint, progress: ReconcileProgress, start = 0n): AsyncGenerator<{ members: MemberSnapshot[]; last: bigint }> {
    if (this.options.membersIntent) {
      for (let after = start; ; ) {
        const page = await this.options.guilds.members(guildId, after, PAGE);
        if (page.length === 0) return;
        after = nextAfter(page, after);
        // Everyone listed is a member: recorded, so a change of their characters finds this guild.
        await recordGuildMembers(this.options.database, guildId, page.filter((m) => !m.bot));
        yield { members: page, last: after };
        if (page.length < PAGE) return;
      }
    }
    // Without the intent: the members the bot has seen, each read from Discord (it may have left).
    const seen = (await recordedGuildMembers(this.options.database, guildId, new Date(Date.now() - this.options.sightingTtlMs)))
      .filter((s) => s.discordUserId > start)
      .sort((a, b) => (a.discordUserId < b.discordUserId ? -1 : 1));
    progress.total = progress.checked + seen.length;
    for (let i = 0; i < seen.length; i += 50) {
      const slice = seen.slice(i, i + 50);
      const members = await Promise.all(slice.map((s) => this.options.guilds.member(guildId, s.discordUserId)));
      yield { members: members.filter((m): m is MemberSnapshot => m !== undefined), last: slice[slice.length - 1]!.discordUserId };
    }
  }

  async *#one(guildId: bigint, userId: bigint): AsyncGenerator<{ members: MemberSnapshot[]; last: bigint }> {
    const member = await this.options.guilds.member(guildId, userId);
    if (member) yield { members: [member], last: userId };
  }
}

/**
 * Roles and nicknames change on positive knowledge only. A character whose
 * corporation is not known yet (ESI did not answer at link time) takes no
 * corporation or alliance role away; a main whose tickers cannot be read
 * right now keeps the nickname it has.
 */
function onKnownFacts(plan: MemberPlan, context: GuildContext, characters: StoredCharacter[], tickers: Map<bigint, string>): MemberPlan {
  let result = plan;
  if (characters.some((c) => c.corporationId === null)) {
    const affiliationRoles = new Set(context.rules.filter((r) => r.target.kind !== 'linked').map((r) => r.roleId));
    const kept = plan.roles.remove.filter((id) => affiliationRoles.has(id));
    if (kept.length > 0) {
      result = { ...result, roles: { add: plan.roles.add, remove: plan.roles.remove.filter((id) => !affiliationRoles.has(id)), next: [...plan.roles.next, ...kept] } };
    }
  }
  const main = characters.find((c) => c.isMain);
  const unknownTicker = main && ((main.corporationId !== null && !tickers.has(main.corporationId)) || (main.allianceId !== null && !tickers.has(main.allianceId)));
  if (context.settings.nicknameTemplate !== null && unknownTicker && plan.nick.change) {
    result = { ...result, nick: { ...plan.nick, to: plan.nick.from, change: false } };
  }
  return result;
}

function toPlanCharacter(c: StoredCharacter, tickers: Map<bigint, string>): LinkedCharacter {
  const dead = !c.grant || c.grant.status === 'invalid';
  return {
    id: c.id,
    name: c.name,
    isMain: c.isMain,
    corporationId: c.corporationId,
    allianceId: c.allianceId,
    corporationTicker: c.corporationId === null ? null : (tickers.get(c.corporationId) ?? null),
    allianceTicker: c.allianceId === null ? null : (tickers.get(c.allianceId) ?? null),
    login: dead ? 'dead' : 'ok',
    deadSince: dead ? (c.grant?.invalidSince ?? new Date(0)) : null,
  };
}

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k) ?? [];
    list.push(item);
    groups.set(k, list);
  }
  return groups;
}
