import type { GuildFacts, GuildMemberFacts, LinkedCharacter, RoleRule, RoleSyncSettings } from '../../src/roles/index.ts';

/** Ids that read as what they are in failures. */
export const ids = {
  guild: 1000n,
  harnessCorp: 98_000_001n,
  otherCorp: 98_000_002n,
  alliance: 99_000_001n,
  // Role ids; positions below the bot (50) unless named otherwise.
  corpRole: 2001n,
  allianceRole: 2002n,
  linkedRole: 2003n,
  unlinkedRole: 2004n,
  exemptRole: 2005n,
  adminRole: 2006n, // above the bot
  boosterRole: 2007n, // managed by an integration
  ownRole: 2008n, // an admin's role the bot does not manage
  botRole: 2009n, // the bot's own highest role
  deletedRole: 2999n,
} as const;

export const NOW = new Date('2026-11-02T12:00:00Z');

export function guild(overrides: Partial<GuildFacts> = {}): GuildFacts {
  return {
    roles: [
      { id: ids.guild, name: '@everyone', position: 0, managed: false },
      { id: ids.corpRole, name: 'Harness', position: 10, managed: false },
      { id: ids.allianceRole, name: 'Alliance', position: 11, managed: false },
      { id: ids.linkedRole, name: 'Linked', position: 12, managed: false },
      { id: ids.unlinkedRole, name: 'Unlinked', position: 13, managed: false },
      { id: ids.exemptRole, name: 'Keep nick', position: 14, managed: false },
      { id: ids.ownRole, name: 'Pilots', position: 15, managed: false },
      { id: ids.boosterRole, name: 'Booster', position: 20, managed: true },
      { id: ids.botRole, name: 'EVE bot', position: 50, managed: true },
      { id: ids.adminRole, name: 'Admin', position: 60, managed: false },
    ],
    everyoneId: ids.guild,
    botHighestPosition: 50,
    botCanManageRoles: true,
    botCanManageNicknames: true,
    ...overrides,
  };
}

export function settings(overrides: Partial<RoleSyncSettings> = {}): RoleSyncSettings {
  return { graceHours: 48, unlinkedRoleId: null, nicknameTemplate: null, nicknameExemptRoleId: null, ...overrides };
}

export function member(overrides: Partial<GuildMemberFacts> = {}): GuildMemberFacts {
  return { userId: 5001n, roleIds: [], nick: null, username: 'aria', isOwner: false, ...overrides };
}

let nextCharacterId = 90_000_001n;

export function character(overrides: Partial<LinkedCharacter> = {}): LinkedCharacter {
  return {
    id: nextCharacterId++,
    name: 'Aria Harness',
    isMain: true,
    corporationId: ids.harnessCorp,
    allianceId: ids.alliance,
    corporationTicker: 'HRNS',
    allianceTicker: 'HAL',
    login: 'ok',
    deadSince: null,
    ...overrides,
  };
}

export const corpRule = (through: 'main' | 'any' = 'main', id: bigint = ids.harnessCorp, roleId: bigint = ids.corpRole): RoleRule => ({
  roleId,
  target: { kind: 'corporation', id },
  through,
});

export const allianceRule = (through: 'main' | 'any' = 'main', roleId: bigint = ids.allianceRole): RoleRule => ({
  roleId,
  target: { kind: 'alliance', id: ids.alliance },
  through,
});

export const linkedRule = (roleId: bigint = ids.linkedRole): RoleRule => ({ roleId, target: { kind: 'linked' }, through: 'any' });

export const names = new Map<bigint, string>([
  [ids.harnessCorp, 'Harness Corp'],
  [ids.alliance, 'Harness Alliance'],
]);

export const hoursBefore = (date: Date, hours: number) => new Date(date.getTime() - hours * 3_600_000);
export const hoursAfter = (date: Date, hours: number) => new Date(date.getTime() + hours * 3_600_000);
