// Member edits as Discord enforces them for a bot (see
// /work/shared/discord/ROLES.md): the refusals a role/nickname sync meets in
// production (50013, 10007, 10011, 50035) come out of the fake the same way,
// so a bot that passes here does not fail against Discord for a rule the fake skipped.

import { discordError, invalidFormBody, type FieldProblem, type Reply } from './errors.ts';
import { hasPermission, highestPosition, memberPermissions, Permission } from './roles.ts';
import { Intent, type FakeState, type GuildRecord } from './state.ts';

const SNOWFLAKE = /^\d{17,20}$/;
export const unknownGuild = () => discordError(404, 10004, 'Unknown Guild');
export const unknownMember = () => discordError(404, 10007, 'Unknown Member');
const unknownRole = () => discordError(404, 10011, 'Unknown Role');
const missingPermissions = () => discordError(403, 50013, 'Missing Permissions');

function checkBody(body: any): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return [{ path: [], code: 'DICT_TYPE_CONVERT', message: 'Only dictionaries may be used in a DictType' }];
  }
  if (body.roles !== undefined) {
    if (!Array.isArray(body.roles)) {
      problems.push({ path: ['roles'], code: 'LIST_TYPE_CONVERT', message: 'Only iterables may be used in a ListType' });
    } else {
      body.roles.forEach((id: unknown, i: number) => {
        if (typeof id !== 'string' || !SNOWFLAKE.test(id)) problems.push({ path: ['roles', i], code: 'NUMBER_TYPE_COERCE', message: `Value "${String(id)}" is not snowflake.` });
      });
    }
  }
  if (body.nick !== undefined && body.nick !== null) {
    // Stricter than some clients assume: an empty nickname is refused, null resets it.
    if (typeof body.nick !== 'string') problems.push({ path: ['nick'], code: 'STRING_TYPE_CONVERT', message: 'Could not interpret value as string.' });
    else if (body.nick.length < 1 || [...body.nick].length > 32) problems.push({ path: ['nick'], code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 32 in length.' });
  }
  return problems;
}

/** PATCH /guilds/:guild/members/:user with { roles?, nick? }. */
export function editMember(state: FakeState, guildId: string, userId: string, body: any): Reply {
  // Modify Current Member (what member.setNickname on the bot itself sends): nick only.
  if (userId === '@me') {
    userId = state.botUserId;
    if (body && typeof body === 'object' && body.roles !== undefined) return discordError(400, 50035, 'Invalid Form Body');
  }
  const guild = state.guilds.get(guildId);
  if (!guild) return unknownGuild();
  const problems = checkBody(body);
  if (problems.length > 0) return invalidFormBody(problems);
  const member = guild.members.get(userId);
  if (!member) return unknownMember();

  const bot = guild.members.get(state.botUserId)!;
  const botPermissions = memberPermissions(guild.everyonePermissions, guild.roles, bot.roles);
  const botHighest = highestPosition(guild.roles, bot.roles);

  let roles: string[] | undefined;
  if (body.roles !== undefined) {
    roles = [...new Set(body.roles as string[])];
    if (roles.some((id) => id !== guild.id && !guild.roles.some((r) => r.id === id))) return unknownRole();
    // @everyone can never be assigned, even when nothing else changes.
    if (roles.includes(guild.id)) return missingPermissions();
    // Discord checks only the roles that change: one the bot cannot manage may stay if the member already has it.
    const changed = [...roles.filter((id) => !member.roles.includes(id)), ...member.roles.filter((id) => !roles!.includes(id))];
    if (changed.length > 0) {
      if (!hasPermission(botPermissions, Permission.ManageRoles)) return missingPermissions();
      for (const id of changed) {
        const role = guild.roles.find((r) => r.id === id);
        // A role deleted since the member got it cannot be "removed" by anyone; skip it like Discord does.
        if (!role) continue;
        if (role.managed || role.position >= botHighest) return missingPermissions();
      }
    }
  }

  const nickChanges = body.nick !== undefined && (body.nick ?? null) !== member.nick;
  if (nickChanges) {
    if (userId === state.botUserId) {
      // Its own nickname needs only Change Nickname (Manage Nicknames covers it too).
      if (!hasPermission(botPermissions, Permission.ChangeNickname) && !hasPermission(botPermissions, Permission.ManageNicknames)) return missingPermissions();
    } else {
      if (!hasPermission(botPermissions, Permission.ManageNicknames)) return missingPermissions();
      if (userId === guild.ownerId) return missingPermissions();
      if (highestPosition(guild.roles, member.roles) >= botHighest) return missingPermissions();
    }
  }

  if (roles !== undefined) member.roles = roles;
  if (body.nick !== undefined) member.nick = body.nick ?? null;
  memberUpdated(state, guild, userId);
  return { status: 200, body: state.memberJson(guild.id, userId) };
}

/**
 * PUT/DELETE /guilds/:guild/members/:user/roles/:role (what discord.js's
 * member.roles.add/remove send): the same rules as a PATCH of the whole
 * list, answered 204.
 */
export function editMemberRole(state: FakeState, guildId: string, userId: string, roleId: string, add: boolean): Reply {
  const guild = state.guilds.get(guildId);
  if (!guild) return unknownGuild();
  const member = guild.members.get(userId);
  if (!member) return unknownMember();
  if (!SNOWFLAKE.test(roleId)) return invalidFormBody([{ path: ['role_id'], code: 'NUMBER_TYPE_COERCE', message: `Value "${roleId}" is not snowflake.` }]);
  if (roleId !== guild.id && !guild.roles.some((r) => r.id === roleId)) return unknownRole();
  const roles = add ? [...member.roles.filter((id) => id !== roleId), roleId] : member.roles.filter((id) => id !== roleId);
  // Removing @everyone is refused like adding it.
  const reply = editMember(state, guildId, userId, { roles: add || roleId !== guild.id ? roles : [...roles, roleId] });
  return reply.status === 200 ? { status: 204 } : reply;
}

/** GUILD_MEMBER_UPDATE to the sessions with the Guild Members intent. */
export function memberUpdated(state: FakeState, guild: GuildRecord, userId: string): void {
  const member = state.memberJson(guild.id, userId);
  state.onGuildEvent(guild.id, 'GUILD_MEMBER_UPDATE', { guild_id: guild.id, ...member }, Intent.GuildMembers);
  state.signal.notify();
}

/** GET /guilds/:guild/members?limit=&after=: ordered by user id, at most 1000 a page. */
export function listMembers(state: FakeState, guildId: string, query: URLSearchParams): Reply {
  const guild = state.guilds.get(guildId);
  if (!guild) return unknownGuild();
  const limit = Number(query.get('limit') ?? 1);
  const after = query.get('after') ?? '0';
  const problems: FieldProblem[] = [];
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) problems.push({ path: ['limit'], code: 'NUMBER_TYPE_MAX', message: 'int value should be between 1 and 1000.' });
  if (!/^\d{1,20}$/.test(after)) problems.push({ path: ['after'], code: 'NUMBER_TYPE_COERCE', message: `Value "${after}" is not snowflake.` });
  if (problems.length > 0) return invalidFormBody(problems);
  const ids = [...guild.members.keys()].filter((id) => BigInt(id) > BigInt(after)).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  return { status: 200, body: ids.slice(0, limit).map((id) => state.memberJson(guild.id, id)) };
}
