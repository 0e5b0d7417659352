import { managedRoleIds } from './managedRoles.ts';
import { needsWrite, planMember, type MemberPlan, type MemberPlanInput } from './planMember.ts';
import type { BlockedWhy } from './roleAccess.ts';
import type { GuildMemberFacts, LinkedCharacter } from './types.ts';

/** Enough names for an admin to recognise who is affected, few enough for one embed. */
export const EXAMPLE_LIMIT = 10;

export interface RoleTally {
  roleId: bigint;
  gains: number;
  losses: number;
  /** Display names (nickname, else username) of the first members who gain / lose it. */
  gainExamples: string[];
  lossExamples: string[];
}

export interface NicknameExample {
  name: string;
  from: string | null;
  to: string | null;
}

export interface BlockedTally {
  roleId: bigint;
  why: BlockedWhy;
  /** Members for whom the rules ask a change the bot cannot make. */
  members: number;
}

export interface GuildPlan {
  /** Every managed role, in rule order, also those nobody gains or loses. */
  roles: RoleTally[];
  nicknames: { changes: number; examples: NicknameExample[] };
  blocked: BlockedTally[];
  /** Members whose roles or nickname change: one PATCH each. */
  writes: { userId: bigint; plan: MemberPlan }[];
  /** The earliest graceUntil among the members. */
  graceUntil: Date | null;
}

export interface GuildPlanInput extends Omit<MemberPlanInput, 'member' | 'characters'> {
  members: readonly { member: GuildMemberFacts; characters: readonly LinkedCharacter[] }[];
}

function displayName(member: GuildMemberFacts): string {
  return member.nick ?? member.username;
}

function example<T>(list: T[], item: T): void {
  if (list.length < EXAMPLE_LIMIT) list.push(item);
}

/** What a sync of the whole guild would do (for /roles preview), and which members it has to write. */
export function planGuild(input: GuildPlanInput): GuildPlan {
  const { members, ...shared } = input;
  const tallies = new Map<bigint, RoleTally>(
    managedRoleIds(input.rules, input.settings).map((roleId) => [roleId, { roleId, gains: 0, losses: 0, gainExamples: [], lossExamples: [] }]),
  );
  const nicknames: GuildPlan['nicknames'] = { changes: 0, examples: [] };
  const blocked = new Map<string, BlockedTally>();
  const writes: GuildPlan['writes'] = [];
  let graceUntil: Date | null = null;

  for (const { member, characters } of members) {
    const plan = planMember({ ...shared, member, characters });
    const name = displayName(member);
    for (const roleId of plan.roles.add) {
      const tally = tallies.get(roleId)!;
      tally.gains += 1;
      example(tally.gainExamples, name);
    }
    for (const roleId of plan.roles.remove) {
      const tally = tallies.get(roleId)!;
      tally.losses += 1;
      example(tally.lossExamples, name);
    }
    if (plan.nick.change) {
      nicknames.changes += 1;
      example(nicknames.examples, { name, from: plan.nick.from, to: plan.nick.to });
    }
    for (const { roleId, why } of plan.blocked) {
      const key = `${roleId}:${why}`;
      const tally = blocked.get(key) ?? { roleId, why, members: 0 };
      tally.members += 1;
      blocked.set(key, tally);
    }
    if (plan.graceUntil !== null && (graceUntil === null || plan.graceUntil < graceUntil)) graceUntil = plan.graceUntil;
    if (needsWrite(plan)) writes.push({ userId: member.userId, plan });
  }

  return { roles: [...tallies.values()], nicknames, blocked: [...blocked.values()], writes, graceUntil };
}
