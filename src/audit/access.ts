import { AuditAccessDeniedError, AuditSettingsAccessDeniedError } from './errors.ts';
import type { AuditSettings } from './settings.ts';

/** What Discord says about the member running /audit, as plain facts (the edge reads them). */
export interface AuditRequester {
  discordUserId: bigint;
  /** the member has Manage Server in this guild */
  canManageGuild: boolean;
  roleIds: readonly bigint[];
}

/**
 * Discord hides the command from members without Manage Server by default,
 * but server admins can change that, so every use is checked again: Manage
 * Server, or the guild's audit admin role.
 */
export function assertMayAudit(settings: AuditSettings, requester: AuditRequester): void {
  if (requester.canManageGuild) return;
  if (settings.adminRoleId !== null && requester.roleIds.includes(settings.adminRoleId)) return;
  throw new AuditAccessDeniedError();
}

/** Settings decide who may audit, so only Manage Server may change them (an admin-role holder could otherwise open the audit to anyone). */
export function assertMayChangeSettings(requester: AuditRequester): void {
  if (!requester.canManageGuild) throw new AuditSettingsAccessDeniedError();
}
