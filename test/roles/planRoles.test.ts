import { describe, expect, it } from 'vitest';
import { auditLogReason, managedRoleIds, needsWrite, planMember, type LinkedCharacter, type RoleRule } from '../../src/roles/index.ts';
import { allianceRule, character, corpRule, guild, ids, linkedRule, member, names, NOW, settings } from './fixtures.ts';

function plan(rules: RoleRule[], characters: LinkedCharacter[], overrides: Partial<Parameters<typeof planMember>[0]> = {}) {
  return planMember({ guild: guild(), rules, settings: settings(), member: member(), characters, now: NOW, names, ...overrides });
}

describe('managedRoleIds', () => {
  it('given rules and an unlinked role, then exactly their roles, once each', () => {
    const rules = [corpRule('main'), corpRule('any', ids.otherCorp), allianceRule(), linkedRule()];
    expect(managedRoleIds(rules, { unlinkedRoleId: ids.unlinkedRole })).toEqual([ids.corpRole, ids.allianceRole, ids.linkedRole, ids.unlinkedRole]);
    expect(managedRoleIds([], { unlinkedRoleId: null })).toEqual([]);
  });
});

describe('planMember roles: rule kinds', () => {
  it('given a corporation rule through the main, then a main in the corporation gains the role, with the reason', () => {
    const result = plan([corpRule('main')], [character()]);
    expect(result.roles).toEqual({ add: [ids.corpRole], remove: [], next: [ids.corpRole] });
    expect(result.reasons.get(ids.corpRole)).toBe('EVE role sync: main Aria Harness is in Harness Corp [HRNS]');
    expect(result.blocked).toEqual([]);
  });

  it('given a corporation rule through the main, then an alt in the corporation does not count', () => {
    const characters = [character({ corporationId: ids.otherCorp, corporationTicker: 'OTHR' }), character({ name: 'Alt One', isMain: false })];
    expect(plan([corpRule('main')], characters).roles.add).toEqual([]);
  });

  it('given a corporation rule through any character, then an alt in the corporation is enough', () => {
    const characters = [character({ corporationId: ids.otherCorp }), character({ name: 'Alt One', isMain: false })];
    const result = plan([corpRule('any')], characters);
    expect(result.roles.add).toEqual([ids.corpRole]);
    expect(result.reasons.get(ids.corpRole)).toBe('EVE role sync: Alt One is in Harness Corp [HRNS]');
  });

  it('given an alliance rule, then main or any character decides as for corporations', () => {
    const altInAlliance = [character({ allianceId: null, allianceTicker: null }), character({ name: 'Alt One', isMain: false })];
    expect(plan([allianceRule('main')], altInAlliance).roles.add).toEqual([]);
    const result = plan([allianceRule('any')], altInAlliance);
    expect(result.roles.add).toEqual([ids.allianceRole]);
    expect(result.reasons.get(ids.allianceRole)).toBe('EVE role sync: Alt One is in Harness Alliance [HAL]');
  });

  it('given a linked rule, then any character with a live login counts, missing scopes included, main or not', () => {
    expect(plan([linkedRule()], [character({ isMain: false, login: 'missing_scopes' })]).roles.add).toEqual([ids.linkedRole]);
    expect(plan([linkedRule()], []).roles.add).toEqual([]);
  });

  it('given no known corporation name, then the reason names the ticker, else the id', () => {
    expect(plan([corpRule()], [character()], { names: undefined }).reasons.get(ids.corpRole)).toBe('EVE role sync: main Aria Harness is in corporation [HRNS]');
    const noTicker = plan([corpRule()], [character({ corporationTicker: null })], { names: undefined });
    expect(noTicker.reasons.get(ids.corpRole)).toBe(`EVE role sync: main Aria Harness is in corporation ${ids.harnessCorp}`);
  });

  it('given a member who left the corporation, then the role is removed and the reason says so', () => {
    const left = character({ corporationId: ids.otherCorp, corporationTicker: 'OTHR' });
    const any = plan([corpRule('any')], [left], { member: member({ roleIds: [ids.corpRole] }) });
    expect(any.roles).toEqual({ add: [], remove: [ids.corpRole], next: [] });
    expect(any.reasons.get(ids.corpRole)).toBe('EVE role sync: no linked character is in Harness Corp any more');
    const main = plan([corpRule('main')], [left], { member: member({ roleIds: [ids.corpRole] }) });
    expect(main.reasons.get(ids.corpRole)).toBe('EVE role sync: main Aria Harness is not in Harness Corp any more');
  });
});

describe('planMember roles: several rules on one role', () => {
  const rules = [corpRule('main'), corpRule('any', ids.otherCorp)];

  it('given one of two rules holds, then the member qualifies', () => {
    const characters = [character({ corporationId: 1n }), character({ name: 'Alt One', isMain: false, corporationId: ids.otherCorp, corporationTicker: 'OTHR' })];
    const result = plan(rules, characters);
    expect(result.roles.add).toEqual([ids.corpRole]);
    expect(result.reasons.get(ids.corpRole)).toBe('EVE role sync: Alt One is in corporation [OTHR]');
  });

  it('given no rule holds, then the role goes and the reason lists each rule', () => {
    const result = plan(rules, [character({ corporationId: 1n })], { member: member({ roleIds: [ids.corpRole] }) });
    expect(result.roles.remove).toEqual([ids.corpRole]);
    expect(result.reasons.get(ids.corpRole)).toBe(
      `EVE role sync: main Aria Harness is not in Harness Corp any more; no linked character is in corporation ${ids.otherCorp} any more`,
    );
  });
});

describe('planMember roles: what is never touched', () => {
  it('given roles the bot does not manage, then they stay, in their order', () => {
    const current = [ids.ownRole, ids.adminRole, ids.boosterRole, ids.corpRole];
    const result = plan([corpRule('main'), linkedRule()], [character({ corporationId: 1n })], { member: member({ roleIds: current }) });
    expect(result.roles).toEqual({ add: [ids.linkedRole], remove: [ids.corpRole], next: [ids.ownRole, ids.adminRole, ids.boosterRole, ids.linkedRole] });
  });

  it('given rules on roles the bot cannot assign, then the member keeps their state and the change is reported as blocked', () => {
    const rules = [corpRule('main', ids.harnessCorp, ids.adminRole), corpRule('main', ids.harnessCorp, ids.boosterRole), corpRule('main', ids.harnessCorp, ids.guild), corpRule('main', ids.harnessCorp, ids.deletedRole), corpRule('main', ids.harnessCorp, ids.botRole)];
    const result = plan(rules, [character()]);
    expect(result.roles).toEqual({ add: [], remove: [], next: [] });
    expect(result.blocked).toEqual([
      { roleId: ids.adminRole, why: 'above-bot' },
      { roleId: ids.boosterRole, why: 'managed' },
      { roleId: ids.guild, why: 'everyone' },
      { roleId: ids.deletedRole, why: 'deleted' },
      { roleId: ids.botRole, why: 'managed' },
    ]);
    expect(needsWrite(result)).toBe(false);

    const losing = plan([corpRule('main', ids.harnessCorp, ids.adminRole)], [], { member: member({ roleIds: [ids.adminRole] }) });
    expect(losing.roles.next).toEqual([ids.adminRole]);
    expect(losing.blocked).toEqual([{ roleId: ids.adminRole, why: 'above-bot' }]);
  });

  it('given a role exactly at the bot\'s position, then it is blocked; one below is not', () => {
    const atBot = guild({ botHighestPosition: 10 });
    expect(plan([corpRule()], [character()], { guild: atBot }).blocked).toEqual([{ roleId: ids.corpRole, why: 'above-bot' }]);
    expect(plan([corpRule()], [character()], { guild: guild({ botHighestPosition: 11 }) }).roles.add).toEqual([ids.corpRole]);
  });

  it('given the bot lacks Manage Roles, then nothing changes and every wanted change is blocked', () => {
    const result = plan([corpRule(), linkedRule()], [character({ corporationId: 1n })], {
      guild: guild({ botCanManageRoles: false }),
      member: member({ roleIds: [ids.corpRole] }),
    });
    expect(result.roles).toEqual({ add: [], remove: [], next: [ids.corpRole] });
    expect(result.blocked).toEqual([
      { roleId: ids.corpRole, why: 'no-permission' },
      { roleId: ids.linkedRole, why: 'no-permission' },
    ]);
    expect(result.reasons.size).toBe(0);
  });

  it('given a member whose roles already match, then no write and no reasons', () => {
    const result = plan([corpRule(), linkedRule()], [character()], { member: member({ roleIds: [ids.ownRole, ids.linkedRole, ids.corpRole] }) });
    expect(result.roles).toEqual({ add: [], remove: [], next: [ids.ownRole, ids.linkedRole, ids.corpRole] });
    expect(result.reasons.size).toBe(0);
    expect(needsWrite(result)).toBe(false);
    expect(auditLogReason(result, guild())).toBeNull();
  });
});

describe('planMember roles: the unlinked role', () => {
  const withUnlinked = { settings: settings({ unlinkedRoleId: ids.unlinkedRole }) };

  it('given a member with no linked character, then they get it', () => {
    const result = plan([corpRule()], [], withUnlinked);
    expect(result.roles.add).toEqual([ids.unlinkedRole]);
    expect(result.reasons.get(ids.unlinkedRole)).toBe('EVE role sync: no linked character');
  });

  it('given a member who linked a character, then it is removed, even when the login is long dead', () => {
    const dead = character({ login: 'dead', deadSince: new Date('2026-01-01T00:00:00Z') });
    const result = plan([corpRule()], [dead], { ...withUnlinked, member: member({ roleIds: [ids.unlinkedRole] }) });
    expect(result.roles.remove).toEqual([ids.unlinkedRole]);
    expect(result.reasons.get(ids.unlinkedRole)).toBe('EVE role sync: Aria Harness is linked');
  });
});

describe('auditLogReason', () => {
  it('given one change, then its reason; given several, then each with the role name, within 512 characters', () => {
    const one = plan([corpRule()], [character()]);
    expect(auditLogReason(one, guild())).toBe('EVE role sync: main Aria Harness is in Harness Corp [HRNS]');

    const several = plan([corpRule(), linkedRule()], [character()], {
      settings: settings({ unlinkedRoleId: ids.unlinkedRole, nicknameTemplate: '[{corp_ticker}] {character_name}' }),
      member: member({ roleIds: [ids.unlinkedRole] }),
    });
    expect(auditLogReason(several, guild())).toBe(
      'EVE role sync: +Harness: main Aria Harness is in Harness Corp [HRNS]; +Linked: Aria Harness is linked; -Unlinked: Aria Harness is linked; nickname [HRNS] Aria Harness from the main character',
    );

    const manyRules = Array.from({ length: 40 }, (_, index) => corpRule('any', BigInt(index + 1)));
    const long = plan(manyRules, [character({ corporationId: 0n })], { member: member({ roleIds: [ids.corpRole] }) });
    const reason = auditLogReason(long, guild())!;
    expect(reason.length).toBe(512);
    expect(reason.endsWith('…')).toBe(true);
  });
});
