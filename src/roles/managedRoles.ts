import type { RoleRule, RoleSyncSettings } from './types.ts';

/**
 * The roles the bot owns in a guild: those named by a rule, and the
 * "unlinked" role. Every other role on a member is left exactly as it is,
 * so admins can hand out their own roles next to the bot's.
 * In rule order, unlinked last, without duplicates (stable output for previews and tests).
 */
export function managedRoleIds(rules: readonly RoleRule[], settings: Pick<RoleSyncSettings, 'unlinkedRoleId'>): bigint[] {
  const ids = new Set<bigint>(rules.map((rule) => rule.roleId));
  if (settings.unlinkedRoleId !== null) ids.add(settings.unlinkedRoleId);
  return [...ids];
}
