/** Role and nickname sync decisions: pure functions over plain data, no I/O. */
export type * from './types.ts';
export { managedRoleIds } from './managedRoles.ts';
export { countsForRules, graceEndsAt, isInGrace } from './loginGrace.ts';
export { whyRoleBlocked, highestPosition, type BlockedWhy } from './roleAccess.ts';
export { evaluateRule, type RuleContext, type RuleOutcome } from './ruleMatch.ts';
export { planRoles, type BlockedRole, type RoleChanges, type RolePlan, type RolePlanInput } from './rolePlan.ts';
export { planNickname, type NicknamePlan, type NicknamePlanInput, type NicknameSkip } from './nicknamePlan.ts';
export { renderNickname, validateTemplate, NICKNAME_MAX, NICKNAME_PLACEHOLDERS, type NicknamePlaceholder } from './nicknameTemplate.ts';
export { textLength, cutTo, shortenTo } from './textLength.ts';
export { AUDIT_REASON_MAX, REASON_PREFIX } from './reasons.ts';
export { planMember, needsWrite, type MemberPlan, type MemberPlanInput } from './planMember.ts';
export { auditLogReason } from './auditReason.ts';
