import { managedRoleIds } from './managedRoles.ts';
import { reasonText } from './reasons.ts';
import { whyRoleBlocked, type BlockedWhy } from './roleAccess.ts';
import { evaluateRule, type RuleContext, type RuleOutcome } from './ruleMatch.ts';
import type { GuildFacts, GuildMemberFacts, LinkedCharacter, RoleRule, RoleSyncSettings } from './types.ts';

export interface RoleChanges {
  add: bigint[];
  remove: bigint[];
  /** The complete role list to send (one PATCH instead of a call per role). */
  next: bigint[];
}

/** A change the rules ask for that Discord would refuse; the member keeps what they have. */
export interface BlockedRole {
  roleId: bigint;
  why: BlockedWhy;
}

export interface RolePlan {
  roles: RoleChanges;
  /** Why each added or removed role changes, for the audit log and the bot's trail. */
  reasons: Map<bigint, string>;
  blocked: BlockedRole[];
}

export interface RolePlanInput {
  guild: GuildFacts;
  rules: readonly RoleRule[];
  settings: RoleSyncSettings;
  member: GuildMemberFacts;
  characters: readonly LinkedCharacter[];
  now: Date;
  names?: RuleContext['names'];
}

/** The "unlinked" role is about having no character at all: a dead login is still a linked character. */
function unlinkedOutcome(characters: readonly LinkedCharacter[]): RuleOutcome {
  const named = characters.find((character) => character.isMain) ?? characters[0];
  return named === undefined ? { holds: true, phrase: 'no linked character' } : { holds: false, phrase: `${named.name} is linked` };
}

function outcomesFor(roleId: bigint, input: RolePlanInput, context: RuleContext): RuleOutcome[] {
  const outcomes = input.rules.filter((rule) => rule.roleId === roleId).map((rule) => evaluateRule(rule, input.characters, context));
  if (roleId === input.settings.unlinkedRoleId) outcomes.push(unlinkedOutcome(input.characters));
  return outcomes;
}

/**
 * Which managed roles the member should gain and lose. A role is wanted when
 * any of its rules holds. Roles the bot does not manage are never touched,
 * and a change Discord would refuse is reported in `blocked` instead.
 */
export function planRoles(input: RolePlanInput): RolePlan {
  const context: RuleContext = { graceHours: input.settings.graceHours, now: input.now, names: input.names };
  const current = new Set(input.member.roleIds);
  const add: bigint[] = [];
  const remove: bigint[] = [];
  const reasons = new Map<bigint, string>();
  const blocked: BlockedRole[] = [];

  for (const roleId of managedRoleIds(input.rules, input.settings)) {
    const outcomes = outcomesFor(roleId, input, context);
    const wanted = outcomes.some((outcome) => outcome.holds);
    if (wanted === current.has(roleId)) continue;

    const why = whyRoleBlocked(roleId, input.guild);
    if (why !== null) {
      blocked.push({ roleId, why });
      continue;
    }
    (wanted ? add : remove).push(roleId);
    // Gained: the first rule that holds is reason enough. Lost: every rule failed, so say why for each.
    const phrases = wanted ? [outcomes.find((outcome) => outcome.holds)!.phrase] : outcomes.map((outcome) => outcome.phrase);
    reasons.set(roleId, reasonText([...new Set(phrases)]));
  }

  const removed = new Set(remove);
  const next = [...input.member.roleIds.filter((roleId) => !removed.has(roleId)), ...add];
  return { roles: { add, remove, next }, reasons, blocked };
}
