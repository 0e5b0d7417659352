import { describe, expect, it } from 'vitest';
import { countsForRules, planMember, type LinkedCharacter, type RoleRule } from '../../src/roles/index.ts';
import { character, corpRule, guild, hoursAfter, hoursBefore, ids, linkedRule, member, names, NOW, settings } from './fixtures.ts';

function plan(rules: RoleRule[], characters: LinkedCharacter[], roleIds: bigint[]) {
  return planMember({ guild: guild(), rules, settings: settings({ graceHours: 48 }), member: member({ roleIds }), characters, now: NOW, names });
}

describe('dead logins and their grace', () => {
  it('given a login dead for less than the grace, then it still counts, and graceUntil says when it stops', () => {
    const deadSince = hoursBefore(NOW, 47);
    const result = plan([corpRule()], [character({ login: 'dead', deadSince })], [ids.corpRole]);
    expect(result.roles).toEqual({ add: [], remove: [], next: [ids.corpRole] });
    expect(result.graceUntil).toEqual(hoursAfter(deadSince, 48));
  });

  it('given a dead login within its grace gains a role, then the reason says until when it counts', () => {
    const deadSince = new Date('2026-11-01T09:30:00Z');
    const result = plan([corpRule()], [character({ login: 'dead', deadSince })], []);
    expect(result.reasons.get(ids.corpRole)).toBe('EVE role sync: main Aria Harness is in Harness Corp [HRNS] (login dead since 2026-11-01, counts until 2026-11-03 09:30 UTC)');
  });

  it('given the grace has ended, then the role goes, the reason names the login, and nothing is left to schedule', () => {
    const deadSince = new Date('2026-10-31T11:00:00Z');
    const result = plan([corpRule()], [character({ login: 'dead', deadSince })], [ids.corpRole]);
    expect(result.roles.remove).toEqual([ids.corpRole]);
    expect(result.reasons.get(ids.corpRole)).toBe('EVE role sync: login of Aria Harness is dead since 2026-10-31, grace ended');
    expect(result.graceUntil).toBeNull();
  });

  it('given the grace ends exactly now, then the login no longer counts', () => {
    const dead = character({ login: 'dead', deadSince: hoursBefore(NOW, 48) });
    expect(countsForRules(dead, 48, NOW)).toBe(false);
    expect(countsForRules(dead, 48, hoursBefore(NOW, 0.001))).toBe(true);
  });

  it('given a dead login with no known death time, then it has no grace', () => {
    expect(countsForRules(character({ login: 'dead', deadSince: null }), 48, NOW)).toBe(false);
    const result = plan([linkedRule()], [character({ login: 'dead', deadSince: null })], [ids.linkedRole]);
    expect(result.reasons.get(ids.linkedRole)).toBe('EVE role sync: login of Aria Harness is dead, grace ended');
  });

  it('given another live character still qualifies, then a grace ending changes nothing and graceUntil is null', () => {
    const characters = [character({ login: 'dead', deadSince: hoursBefore(NOW, 1) }), character({ name: 'Alt One', isMain: false })];
    const result = plan([corpRule('any')], characters, [ids.corpRole]);
    expect(result.roles.remove).toEqual([]);
    expect(result.graceUntil).toBeNull();
  });

  it('given two logins in grace, then graceUntil is the end that changes the roles, not merely the first', () => {
    const first = character({ login: 'dead', deadSince: hoursBefore(NOW, 40) });
    const second = character({ name: 'Alt One', isMain: false, login: 'dead', deadSince: hoursBefore(NOW, 10) });
    const result = plan([corpRule('any')], [first, second], [ids.corpRole]);
    expect(result.graceUntil).toEqual(hoursAfter(NOW, 38));
    // Each login on its own role: the first end already changes something.
    const rules = [corpRule('main'), { ...linkedRule(), roleId: ids.allianceRole }];
    expect(plan(rules, [first, second], [ids.corpRole, ids.allianceRole]).graceUntil).toEqual(hoursAfter(NOW, 8));
  });

  it('given a linked rule and every login dead past grace, then the linked role goes', () => {
    const old = new Date('2026-10-01T00:00:00Z');
    const characters = [character({ login: 'dead', deadSince: old }), character({ name: 'Alt One', isMain: false, login: 'dead', deadSince: old })];
    const result = plan([linkedRule()], characters, [ids.linkedRole]);
    expect(result.roles.remove).toEqual([ids.linkedRole]);
    expect(result.reasons.get(ids.linkedRole)).toBe('EVE role sync: the logins of all 2 linked characters are dead, grace ended');
  });

  it('given the bot cannot manage roles, then no grace end would change anything', () => {
    const result = planMember({
      guild: guild({ botCanManageRoles: false }),
      rules: [corpRule()],
      settings: settings(),
      member: member({ roleIds: [ids.corpRole] }),
      characters: [character({ login: 'dead', deadSince: hoursBefore(NOW, 1) })],
      now: NOW,
    });
    expect(result.graceUntil).toBeNull();
  });
});
