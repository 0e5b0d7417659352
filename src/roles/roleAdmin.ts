import type { Database } from '../db/client.ts';
import { recordEvent } from '../db/auditEvents.ts';
import { UserFacingError } from '../errors.ts';
import { parseId } from '../ids.ts';
import type { NameResolver } from '../esi/index.ts';
import type { Logger } from '../log.ts';
import type { EveDirectory } from '../services.ts';
import { addRule, readRoleConfig, removeRules, saveRoleSettings, type RoleRule, type RoleSettings, type RuleTarget } from './ruleStore.ts';

export class RoleRuleError extends UserFacingError {}

export interface RoleAccess {
  /** Manage Roles or Manage Server in this guild (the edge reads it from Discord) */
  canManageRoles: boolean;
  discordUserId: bigint;
}

/** Which corporations and alliances the guild's members' characters are in, with names: where typed names are looked for first. */
export interface KnownAffiliations {
  corporations: Map<bigint, string>;
  alliances: Map<bigint, string>;
}

/**
 * /roles' settings side: rules, nickname template, grace, and the names
 * officers type. Every change needs Manage Roles (or Manage Server), checked
 * on every use, and is recorded in the audit trail.
 */
export class RoleAdmin {
  constructor(private readonly options: { database: Database; names: NameResolver; directory: EveDirectory; logger: Logger }) {}

  assertMayManage(access: RoleAccess): void {
    if (!access.canManageRoles) throw new UserFacingError('You need the Manage Roles (or Manage Server) permission in this server to use /roles.');
  }

  async config(guildId: bigint): Promise<{ rules: RoleRule[]; settings: RoleSettings }> {
    return readRoleConfig(this.options.database, guildId);
  }

  /**
   * A rule from what the officer typed: exactly one of corporation, alliance
   * or linked. Names are matched among the affiliations of this guild's
   * members' characters, then through ESI's exact name search; ids are
   * checked at ESI. ESI calls spend the guild's own error allowance. Returns
   * the rule and the target's name.
   */
  async addRule(
    guildId: bigint,
    access: RoleAccess,
    input: { roleId: bigint; corporation: string | null; alliance: string | null; linked: boolean | null; through: 'main' | 'any' },
    memberIds: readonly bigint[],
  ): Promise<{ rule: RoleRule; targetName: string; added: boolean }> {
    this.assertMayManage(access);
    const given = [input.corporation !== null, input.alliance !== null, input.linked === true].filter(Boolean).length;
    if (given !== 1 || input.linked === false) {
      throw new RoleRuleError('Give exactly one of `corporation:`, `alliance:` or `linked:True` for a rule.');
    }
    let target: RuleTarget;
    let targetName: string;
    if (input.linked) {
      target = { kind: 'linked' };
      targetName = 'a live linked login';
    } else {
      const kind = input.corporation !== null ? 'corporation' : 'alliance';
      const resolved = await this.#resolve(guildId, kind, (input.corporation ?? input.alliance)!, memberIds);
      target = { kind, id: resolved.id };
      targetName = resolved.name;
    }
    const rule: RoleRule = { roleId: input.roleId, target, through: input.through };
    const added = await addRule(this.options.database, guildId, rule, access.discordUserId);
    if (added) {
      await this.#configChanged(guildId);
      await recordEvent(this.options.database, {
        kind: 'settings_changed',
        guildId,
        discordUserId: access.discordUserId,
        detail: { roleRule: 'added', roleId: String(input.roleId), target: target.kind === 'linked' ? 'linked' : `${target.kind}:${target.id}`, through: input.through },
      });
    }
    return { rule, targetName, added };
  }

  async removeRules(guildId: bigint, access: RoleAccess, roleId: bigint): Promise<number> {
    this.assertMayManage(access);
    const removed = await removeRules(this.options.database, guildId, roleId);
    if (removed > 0) {
      await this.#configChanged(guildId);
      await recordEvent(this.options.database, { kind: 'settings_changed', guildId, discordUserId: access.discordUserId, detail: { roleRule: 'removed', roleId: String(roleId) } });
    }
    return removed;
  }

  async saveSettings(guildId: bigint, access: RoleAccess, change: Partial<RoleSettings>): Promise<RoleSettings> {
    this.assertMayManage(access);
    if (change.graceHours !== undefined && !(Number.isInteger(change.graceHours) && change.graceHours >= 0 && change.graceHours <= 168)) {
      throw new RoleRuleError('`grace_hours` must be a whole number from 0 to 168.');
    }
    const saved = await saveRoleSettings(this.options.database, guildId, change);
    await this.#configChanged(guildId);
    await recordEvent(this.options.database, {
      kind: 'settings_changed',
      guildId,
      discordUserId: access.discordUserId,
      detail: Object.fromEntries(Object.entries(change).map(([k, v]) => [`roles.${k}`, v === null || v === undefined ? null : String(v)])),
    });
    return saved;
  }

  /**
   * The rules changed: a reconcile interrupted before starts over (members it
   * passed were checked against the old rules), and refusals recorded under
   * the old configuration are tried again.
   */
  async #configChanged(guildId: bigint): Promise<void> {
    await this.options.database.$transaction([
      this.options.database.roleSyncCursor.deleteMany({ where: { guildId } }),
      this.options.database.roleProblem.deleteMany({ where: { guildId } }),
    ]);
  }

  /** Names of corporations and alliances, for showing rules. */
  async names(ids: readonly bigint[]): Promise<Map<bigint, string>> {
    const resolved = await this.options.names.resolve([...new Set(ids)]);
    return new Map([...resolved].map(([id, n]) => [id, n.name]));
  }

  /**
   * An id is checked at ESI; a name is looked for among the corporations and
   * alliances of this guild's members' characters, then asked of ESI
   * (POST /universe/ids, exact and case-insensitive). Both ESI calls spend
   * the guild's own error allowance.
   */
  async #resolve(guildId: bigint, kind: 'corporation' | 'alliance', text: string, memberIds: readonly bigint[]): Promise<{ id: bigint; name: string }> {
    const typed = text.trim();
    const errorScope = { errorScope: `guild:${guildId}` };
    const id = parseId(typed);
    if (id !== undefined) {
      const found = await (kind === 'corporation'
        ? this.options.directory.corporation(id, undefined, errorScope)
        : this.options.directory.alliance(id, undefined, errorScope));
      if (!found) throw new RoleRuleError(`EVE Online knows no ${kind} with the id ${id}.`);
      return { id, name: found.name };
    }
    const known = await this.#known(memberIds);
    const pool = kind === 'corporation' ? known.corporations : known.alliances;
    const match = [...pool].find(([, name]) => name.toLowerCase() === typed.toLowerCase());
    if (match) return { id: match[0], name: match[1] };
    // ESI refuses an empty name or one over 100 characters, and no EVE name is either
    if (typed.length > 0 && typed.length <= 100) {
      const found = await this.options.directory.idsByName([typed], undefined, errorScope);
      const hit = (kind === 'corporation' ? found.corporations : found.alliances).find((row) => row.name.toLowerCase() === typed.toLowerCase());
      if (hit) return { id: hit.id, name: hit.name };
    }
    throw new RoleRuleError(
      `No ${kind} named "${typed.slice(0, 60)}" among this server's members' characters, and EVE Online knows none by that exact name either. Check the spelling, or give its id instead (the number in its zKillboard or EVE Who address).`,
    );
  }

  async #known(memberIds: readonly bigint[]): Promise<KnownAffiliations> {
    if (memberIds.length === 0) return { corporations: new Map(), alliances: new Map() };
    const rows = await this.options.database.character.findMany({
      where: { discordUserId: { in: [...memberIds] } },
      select: { corporationId: true, allianceId: true },
      distinct: ['corporationId', 'allianceId'],
    });
    const corporationIds = [...new Set(rows.flatMap((r) => (r.corporationId === null ? [] : [r.corporationId])))];
    const allianceIds = [...new Set(rows.flatMap((r) => (r.allianceId === null ? [] : [r.allianceId])))];
    const names = await this.names([...corporationIds, ...allianceIds]);
    const pick = (ids: bigint[]) => new Map(ids.flatMap((id) => (names.has(id) ? [[id, names.get(id)!] as const] : [])));
    return { corporations: pick(corporationIds), alliances: pick(allianceIds) };
  }
}
