import type { Database } from '../db/client.ts';

import type { RoleRule, RoleSyncSettings } from './types.ts';

export type { RoleRule, RuleTarget } from './types.ts';
export type RoleSettings = RoleSyncSettings;

export const DEFAULT_ROLE_SETTINGS: RoleSettings = Object.freeze({ graceHours: 24, unlinkedRoleId: null, nicknameTemplate: null, nicknameExemptRoleId: null });

/** A guild's role rules and settings, as stored. */
export async function readRoleConfig(db: Database, guildId: bigint): Promise<{ rules: RoleRule[]; settings: RoleSettings }> {
  const [rows, settings] = await Promise.all([
    db.roleRule.findMany({ where: { guildId }, orderBy: { id: 'asc' } }),
    db.roleSettings.findUnique({ where: { guildId } }),
  ]);
  const rules = rows.map((row): RoleRule => ({
    roleId: row.roleId,
    through: row.through === 'any' ? 'any' : 'main',
    target: row.kind === 'linked' ? { kind: 'linked' } : { kind: row.kind === 'alliance' ? 'alliance' : 'corporation', id: row.targetId! },
  }));
  return {
    rules,
    settings: settings
      ? { graceHours: settings.graceHours, unlinkedRoleId: settings.unlinkedRoleId, nicknameTemplate: settings.nicknameTemplate, nicknameExemptRoleId: settings.nicknameExemptRoleId }
      : { ...DEFAULT_ROLE_SETTINGS },
  };
}

/** Adds a rule; false when the same rule exists already. */
export async function addRule(db: Database, guildId: bigint, rule: RoleRule, by: bigint): Promise<boolean> {
  const targetId = rule.target.kind === 'linked' ? null : rule.target.id;
  const existing = await db.roleRule.findFirst({ where: { guildId, roleId: rule.roleId, kind: rule.target.kind, targetId, through: rule.through } });
  if (existing) return false;
  await db.roleRule.create({ data: { guildId, roleId: rule.roleId, kind: rule.target.kind, targetId, through: rule.through, createdBy: by } });
  return true;
}

/** Removes every rule of the role; how many there were. */
export async function removeRules(db: Database, guildId: bigint, roleId: bigint): Promise<number> {
  const { count } = await db.roleRule.deleteMany({ where: { guildId, roleId } });
  return count;
}

export async function saveRoleSettings(db: Database, guildId: bigint, change: Partial<RoleSettings>): Promise<RoleSettings> {
  const saved = await db.roleSettings.upsert({ where: { guildId }, create: { guildId, ...change }, update: change });
  return { graceHours: saved.graceHours, unlinkedRoleId: saved.unlinkedRoleId, nicknameTemplate: saved.nicknameTemplate, nicknameExemptRoleId: saved.nicknameExemptRoleId };
}
