import type { GuildFacts } from './types.ts';

/** Why the bot cannot add or remove a role; Discord would refuse with 50013 (or 10011 for a deleted role). */
export type BlockedWhy = 'no-permission' | 'everyone' | 'deleted' | 'managed' | 'above-bot';

/**
 * Whether the bot may add or remove this role, or why not. Checked before
 * writing so the bot never sends a request Discord is bound to refuse:
 * refused requests count towards Cloudflare's invalid-request ban.
 */
export function whyRoleBlocked(roleId: bigint, guild: GuildFacts): BlockedWhy | null {
  if (!guild.botCanManageRoles) return 'no-permission';
  if (roleId === guild.everyoneId) return 'everyone';
  const role = guild.roles.find((candidate) => candidate.id === roleId);
  // A rule can outlive its role (deleted in Discord); adding it would fail with Unknown Role.
  if (role === undefined) return 'deleted';
  if (role.managed) return 'managed';
  if (role.position >= guild.botHighestPosition) return 'above-bot';
  return null;
}

/** The position of the member's highest role; 0 (@everyone's) when they hold none the guild knows. */
export function highestPosition(roleIds: readonly bigint[], guild: GuildFacts): number {
  let highest = 0;
  for (const id of roleIds) {
    const role = guild.roles.find((candidate) => candidate.id === id);
    if (role !== undefined && role.position > highest) highest = role.position;
  }
  return highest;
}
