import { countsForRules, graceEndsAt, isInGrace } from './loginGrace.ts';
import { day, minute } from './reasons.ts';
import type { EntityNames, LinkedCharacter, RoleRule, RuleTarget } from './types.ts';

export interface RuleContext {
  graceHours: number;
  now: Date;
  names?: EntityNames;
}

/** Whether a rule holds for a member, and the plain-English phrase saying why (or why not). */
export interface RuleOutcome {
  holds: boolean;
  phrase: string;
}

type AffiliationTarget = Extract<RuleTarget, { kind: 'corporation' | 'alliance' }>;

function isIn(character: LinkedCharacter, target: AffiliationTarget): boolean {
  return (target.kind === 'corporation' ? character.corporationId : character.allianceId) === target.id;
}

/** "Harness Corp [HRNS]", else "corporation [HRNS]", else "corporation 98000001": as much as is known. */
function targetLabel(target: AffiliationTarget, characters: readonly LinkedCharacter[], names: EntityNames | undefined): string {
  const member = characters.find((character) => isIn(character, target));
  const ticker = target.kind === 'corporation' ? member?.corporationTicker : member?.allianceTicker;
  const name = names?.get(target.id);
  if (name !== undefined) return ticker ? `${name} [${ticker}]` : name;
  return ticker ? `${target.kind} [${ticker}]` : `${target.kind} ${target.id}`;
}

function graceNote(character: LinkedCharacter, context: RuleContext): string {
  if (!isInGrace(character, context.graceHours, context.now)) return '';
  const end = graceEndsAt(character, context.graceHours)!;
  return ` (login dead since ${day(character.deadSince!)}, counts until ${minute(end)})`;
}

function graceEnded(character: LinkedCharacter): string {
  return character.deadSince === null
    ? `login of ${character.name} is dead, grace ended`
    : `login of ${character.name} is dead since ${day(character.deadSince)}, grace ended`;
}

/** Alive characters first: a reason should name the one that keeps the role longest. */
function bestOf(characters: readonly LinkedCharacter[]): LinkedCharacter | undefined {
  return characters.find((character) => character.login !== 'dead') ?? characters[0];
}

function evaluateAffiliation(rule: RoleRule, target: AffiliationTarget, characters: readonly LinkedCharacter[], context: RuleContext): RuleOutcome {
  const label = targetLabel(target, characters, context.names);
  const counts = (character: LinkedCharacter) => countsForRules(character, context.graceHours, context.now);

  if (rule.through === 'main') {
    const main = characters.find((character) => character.isMain);
    if (main === undefined) return { holds: false, phrase: characters.length === 0 ? 'no linked character' : 'no main character' };
    if (!isIn(main, target)) return { holds: false, phrase: `main ${main.name} is not in ${label} any more` };
    if (!counts(main)) return { holds: false, phrase: graceEnded(main) };
    return { holds: true, phrase: `main ${main.name} is in ${label}${graceNote(main, context)}` };
  }

  const inTarget = characters.filter((character) => isIn(character, target));
  const holder = bestOf(inTarget.filter(counts));
  if (holder !== undefined) return { holds: true, phrase: `${holder.name} is in ${label}${graceNote(holder, context)}` };
  const expired = inTarget[0];
  if (expired !== undefined) return { holds: false, phrase: graceEnded(expired) };
  return { holds: false, phrase: `no linked character is in ${label} any more` };
}

function evaluateLinked(characters: readonly LinkedCharacter[], context: RuleContext): RuleOutcome {
  const holder = bestOf(characters.filter((character) => countsForRules(character, context.graceHours, context.now)));
  if (holder !== undefined) return { holds: true, phrase: `${holder.name} is linked${graceNote(holder, context)}` };
  const [only, ...others] = characters;
  if (only === undefined) return { holds: false, phrase: 'no linked character' };
  return { holds: false, phrase: others.length === 0 ? graceEnded(only) : `the logins of all ${characters.length} linked characters are dead, grace ended` };
}

/** Whether `rule` holds for a member with these linked characters at `context.now`. */
export function evaluateRule(rule: RoleRule, characters: readonly LinkedCharacter[], context: RuleContext): RuleOutcome {
  const { target } = rule;
  return target.kind === 'linked' ? evaluateLinked(characters, context) : evaluateAffiliation(rule, target, characters, context);
}
