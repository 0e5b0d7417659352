import { renderNickname } from './nicknameTemplate.ts';
import { highestPosition } from './roleAccess.ts';
import type { GuildFacts, GuildMemberFacts, LinkedCharacter, RoleSyncSettings } from './types.ts';

/** Why the bot leaves a nickname alone: each is a write Discord would refuse, or one the guild asked it not to make. */
export type NicknameSkip = 'off' | 'no-permission' | 'owner' | 'above-bot' | 'exempt';

export interface NicknamePlan {
  from: string | null;
  to: string | null;
  change: boolean;
  skipped?: NicknameSkip;
}

export interface NicknamePlanInput {
  guild: GuildFacts;
  settings: Pick<RoleSyncSettings, 'nicknameTemplate' | 'nicknameExemptRoleId'>;
  member: GuildMemberFacts;
  characters: readonly LinkedCharacter[];
}

function whySkipped(input: NicknamePlanInput): NicknameSkip | null {
  const { guild, settings, member } = input;
  if (settings.nicknameTemplate === null) return 'off';
  if (!guild.botCanManageNicknames) return 'no-permission';
  // Discord lets nobody change the owner's nickname, nor a member's whose highest role is not below the bot's.
  if (member.isOwner) return 'owner';
  if (highestPosition(member.roleIds, guild) >= guild.botHighestPosition) return 'above-bot';
  if (settings.nicknameExemptRoleId !== null && member.roleIds.includes(settings.nicknameExemptRoleId)) return 'exempt';
  return null;
}

/**
 * The nickname the template gives the member's main character. A member
 * without a main keeps theirs: the bot only names people after a character
 * they chose as their main.
 */
export function planNickname(input: NicknamePlanInput): NicknamePlan {
  const from = input.member.nick;
  const skipped = whySkipped(input);
  if (skipped !== null) return { from, to: from, change: false, skipped };

  const main = input.characters.find((character) => character.isMain);
  if (main === undefined) return { from, to: from, change: false };
  const to = renderNickname(input.settings.nicknameTemplate!, main);
  return { from, to, change: to !== from };
}
