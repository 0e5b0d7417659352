import { graceEndsAt, isInGrace } from './loginGrace.ts';
import { planNickname, type NicknamePlan } from './nicknamePlan.ts';
import { planRoles, type RolePlan, type RolePlanInput } from './rolePlan.ts';

export type MemberPlanInput = RolePlanInput;

export interface MemberPlan extends RolePlan {
  nick: NicknamePlan;
  /**
   * The earliest moment a dead login's grace ends and the member's roles
   * would change with it: when to run this member again. Null when no
   * grace running now would change anything.
   */
  graceUntil: Date | null;
}

function sameRoles(a: readonly bigint[], b: readonly bigint[]): boolean {
  const set = new Set(a);
  return a.length === b.length && b.every((roleId) => set.has(roleId));
}

/**
 * The first grace end that changes the roles. A grace ending is no event
 * of its own (nothing is written to the database then), so whoever runs
 * the sync has to come back at that time; ends that change nothing (the
 * member holds the role through another character) are skipped, so no
 * needless job is scheduled.
 */
function firstEffectiveGraceEnd(input: MemberPlanInput, rolesNow: readonly bigint[]): Date | null {
  const ends = input.characters
    .filter((character) => isInGrace(character, input.settings.graceHours, input.now))
    .map((character) => graceEndsAt(character, input.settings.graceHours)!.getTime())
    .sort((a, b) => a - b);
  for (const end of new Set(ends)) {
    const later = planRoles({ ...input, now: new Date(end) });
    if (!sameRoles(later.roles.next, rolesNow)) return new Date(end);
  }
  return null;
}

/** Everything role and nickname sync would do to one member, and why. Writes nothing. */
export function planMember(input: MemberPlanInput): MemberPlan {
  const roles = planRoles(input);
  return {
    ...roles,
    nick: planNickname(input),
    graceUntil: firstEffectiveGraceEnd(input, roles.roles.next),
  };
}

/** Whether the plan needs a request to Discord at all. */
export function needsWrite(plan: Pick<MemberPlan, 'roles' | 'nick'>): boolean {
  return plan.roles.add.length > 0 || plan.roles.remove.length > 0 || plan.nick.change;
}
