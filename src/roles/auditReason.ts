import type { MemberPlan } from './planMember.ts';
import { reasonPhrase, reasonText } from './reasons.ts';
import type { GuildFacts } from './types.ts';

/**
 * The one X-Audit-Log-Reason for the member's PATCH (roles and nickname
 * change in one request, so their reasons share one header): the role's own
 * reason when it is the only change, else "+Role: …; -Role: …; nickname: …".
 */
export function auditLogReason(plan: Pick<MemberPlan, 'roles' | 'reasons' | 'nick'>, guild: Pick<GuildFacts, 'roles'>): string | null {
  const roleName = (roleId: bigint) => guild.roles.find((role) => role.id === roleId)?.name ?? String(roleId);
  const phrases = [
    ...plan.roles.add.map((roleId) => `+${roleName(roleId)}: ${reasonPhrase(plan.reasons.get(roleId) ?? '')}`),
    ...plan.roles.remove.map((roleId) => `-${roleName(roleId)}: ${reasonPhrase(plan.reasons.get(roleId) ?? '')}`),
  ];
  if (plan.nick.change) phrases.push(plan.nick.to === null ? 'nickname reset' : `nickname ${plan.nick.to} from the main character`);
  if (phrases.length === 0) return null;
  const onlyRole = plan.roles.add[0] ?? plan.roles.remove[0];
  if (phrases.length === 1 && onlyRole !== undefined) return plan.reasons.get(onlyRole) ?? reasonText(phrases);
  return reasonText(phrases);
}
