/**
 * What role sync needs of Discord, as plain data; the bot edge
 * (src/bot/discordGuilds.ts) implements it over discord.js's REST client,
 * which follows Discord's rate-limit buckets.
 */
export interface GuildRole {
  id: bigint;
  name: string;
  position: number;
  /** given by an integration (bots, boosters): nobody can assign it */
  managed: boolean;
}

export interface GuildSnapshot {
  guildId: bigint;
  name: string;
  ownerId: bigint;
  /** @everyone's id is the guild's */
  everyoneId: bigint;
  roles: GuildRole[];
  /** position of the bot's highest role: it can manage only roles below it */
  botHighestPosition: number;
  botHighestRoleName: string | null;
  botCanManageRoles: boolean;
  botCanManageNicknames: boolean;
}

export interface MemberSnapshot {
  userId: bigint;
  username: string;
  /** without @everyone */
  roleIds: bigint[];
  nick: string | null;
  bot: boolean;
}

export type MemberEditResult = 'ok' | 'missing-permission' | 'unknown-member' | 'unknown-role';

export interface DiscordGuilds {
  /** undefined when the bot is not in the guild; `fresh`: read now, not from the last few seconds' copy */
  guild(guildId: bigint, options?: { fresh?: boolean }): Promise<GuildSnapshot | undefined>;
  /** undefined when the user is not a member */
  member(guildId: bigint, userId: bigint): Promise<MemberSnapshot | undefined>;
  /** a page of members after `after` (Discord's order by id); needs the Guild Members intent */
  members(guildId: bigint, after: bigint, limit: number): Promise<MemberSnapshot[]>;
  /** one PATCH with the complete role list and/or the nickname; `reason` goes to Discord's audit log */
  editMember(guildId: bigint, userId: bigint, change: { roles?: bigint[]; nick?: string | null }, reason: string): Promise<MemberEditResult>;
}

/** Discord's largest page of members. */
const MEMBER_PAGE = 1_000;

/** Every member of a guild, a page of 1,000 at a time over REST (needs the Guild Members intent switched on for the application). */
export async function listAllMembers(guilds: Pick<DiscordGuilds, 'members'>, guildId: bigint, options: { deadline?: number } = {}): Promise<MemberSnapshot[]> {
  const all: MemberSnapshot[] = [];
  let after = 0n;
  for (;;) {
    if (options.deadline !== undefined && Date.now() > options.deadline) throw new Error('the member list took too long');
    const page = await guilds.members(guildId, after, MEMBER_PAGE);
    all.push(...page);
    if (page.length < MEMBER_PAGE) return all;
    after = nextAfter(page, after);
  }
}

/**
 * Where the next page starts: the largest id of this one. A full page that
 * does not move past `after` would ask for the same page forever: an error.
 */
export function nextAfter(page: readonly MemberSnapshot[], after: bigint): bigint {
  const last = page.reduce((max, member) => (member.userId > max ? member.userId : max), after);
  if (last <= after) throw new Error('Discord sent a page of members that does not move on');
  return last;
}
