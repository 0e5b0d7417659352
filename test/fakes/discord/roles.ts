// Roles and the hierarchy rules Discord applies when a bot edits members:
// permissions are the union of @everyone and the member's roles (Administrator
// grants all), and a bot can only touch roles and members below its own
// highest role.

import type { FakeRole } from './types.ts';

export const Permission = {
  Administrator: 1n << 3n,
  ChangeNickname: 1n << 26n,
  ManageNicknames: 1n << 27n,
  ManageRoles: 1n << 28n,
} as const;

/** A stored role: position and managed always set. */
export interface RoleRecord extends FakeRole {
  position: number;
  managed: boolean;
}

/** What a freshly invited bot with "manage roles/nicknames" in its invite gets. */
export function defaultBotPermissions(channelPermissions: string): string {
  return String(BigInt(channelPermissions) | Permission.ManageRoles | Permission.ManageNicknames);
}

/** Store roles ordered by position (input order breaks ties), renumbered 1..n like Discord after a move. */
export function orderRoles(roles: FakeRole[]): RoleRecord[] {
  const records = roles.map((role, index) => ({ role, index, position: role.position ?? index + 1 }));
  records.sort((a, b) => a.position - b.position || a.index - b.index);
  return records.map(({ role }, index) => ({ ...role, position: index + 1, managed: role.managed ?? false }));
}

/** Move a role to `position` (clamped to 1..n); the others shift. Returns the roles whose position changed. */
export function moveRole(roles: RoleRecord[], roleId: string, position: number): RoleRecord[] {
  const index = roles.findIndex((r) => r.id === roleId);
  if (index < 0) throw new Error(`fake discord: unknown role ${roleId}`);
  const before = new Map(roles.map((r) => [r.id, r.position]));
  const [role] = roles.splice(index, 1);
  roles.splice(Math.max(0, Math.min(roles.length, Math.floor(position) - 1)), 0, role!);
  roles.forEach((r, i) => (r.position = i + 1));
  return roles.filter((r) => before.get(r.id) !== r.position);
}

/** Renumber after a removal. */
export function renumber(roles: RoleRecord[]): void {
  roles.forEach((r, i) => (r.position = i + 1));
}

/** A member's guild permissions: @everyone plus each role; Administrator means everything. */
export function memberPermissions(everyone: string, roles: RoleRecord[], memberRoleIds: string[]): bigint {
  let bits = BigInt(everyone);
  for (const role of roles) if (memberRoleIds.includes(role.id)) bits |= BigInt(role.permissions);
  return bits;
}

export function hasPermission(bits: bigint, permission: bigint): boolean {
  return (bits & Permission.Administrator) !== 0n || (bits & permission) === permission;
}

/** Position of a member's highest role; 0 (@everyone) when it has none. */
export function highestPosition(roles: RoleRecord[], memberRoleIds: string[]): number {
  let highest = 0;
  for (const role of roles) if (memberRoleIds.includes(role.id) && role.position > highest) highest = role.position;
  return highest;
}
