import { DiscordAPIError, PermissionFlagsBits, Routes, type REST } from 'discord.js';
import type { DiscordGuilds, GuildSnapshot, MemberEditResult, MemberSnapshot } from '../roles/discordGuilds.ts';

interface ApiRole {
  id: string;
  name: string;
  position: number;
  permissions: string;
  managed?: boolean;
}
interface ApiMember {
  user: { id: string; username: string; bot?: boolean };
  roles: string[];
  nick?: string | null;
}

const GUILD_TTL_MS = 15_000;
/** Discord's largest page of the bot's guilds (GET /users/@me/guilds). */
const GUILD_PAGE = 200;

/**
 * DiscordGuilds over discord.js REST (its buckets pace member writes). A
 * guild's roles and the bot's own place among them are read at most every
 * 15 s: a reconcile of thousands of members does not re-read them each time.
 */
export class RestDiscordGuilds implements DiscordGuilds {
  readonly #guilds = new Map<bigint, { at: number; value: Promise<GuildSnapshot | undefined> }>();

  constructor(
    private readonly rest: REST,
    private readonly botUserId: () => string,
  ) {}

  guild(guildId: bigint, options: { fresh?: boolean } = {}): Promise<GuildSnapshot | undefined> {
    const cached = this.#guilds.get(guildId);
    if (cached && !options.fresh && Date.now() - cached.at < GUILD_TTL_MS) return cached.value;
    const value = this.#readGuild(guildId);
    this.#guilds.set(guildId, { at: Date.now(), value });
    value.catch(() => this.#guilds.delete(guildId));
    return value;
  }

  /** Forgets a guild's snapshot (its roles changed, or a write was refused). */
  forget(guildId: bigint): void {
    this.#guilds.delete(guildId);
  }

  /**
   * Every guild the bot is in, 200 a page (Discord's largest), until an
   * empty page (a proxy that pages shorter cannot cut the list); a page that
   * fails, or does not move on, throws: never a partial list.
   */
  async botGuildIds(): Promise<Set<bigint>> {
    const ids = new Set<bigint>();
    let after = 0n;
    for (;;) {
      const query = new URLSearchParams({ limit: String(GUILD_PAGE), after: String(after) });
      const page = (await this.rest.get(Routes.userGuilds(), { query })) as { id: string }[];
      for (const guild of page) ids.add(BigInt(guild.id));
      if (page.length === 0) return ids;
      const last = page.reduce((top, guild) => (BigInt(guild.id) > top ? BigInt(guild.id) : top), after);
      if (last <= after) throw new Error('Discord\'s guild list did not move on from one page to the next');
      after = last;
    }
  }

  /**
   * Whether the bot is in the guild, for a decision that deletes data: false
   * only on Discord's own answer that it is not (10004 Unknown Guild, 50001
   * Missing Access); a 403 without those codes (a firewall, Cloudflare's
   * 40333), 401, 5xx or a timeout throws.
   */
  async botIsIn(guildId: bigint): Promise<boolean> {
    try {
      await this.rest.get(Routes.guild(String(guildId)));
      return true;
    } catch (error) {
      if (error instanceof DiscordAPIError && (error.code === 10004 || error.code === 50001)) return false;
      throw error;
    }
  }

  async member(guildId: bigint, userId: bigint): Promise<MemberSnapshot | undefined> {
    try {
      return toMember((await this.rest.get(Routes.guildMember(String(guildId), String(userId)))) as ApiMember);
    } catch (error) {
      if (error instanceof DiscordAPIError && (error.code === 10007 || error.code === 10013)) return undefined;
      throw error;
    }
  }

  async members(guildId: bigint, after: bigint, limit: number): Promise<MemberSnapshot[]> {
    const query = new URLSearchParams({ limit: String(Math.min(1000, limit)), after: String(after) });
    const page = (await this.rest.get(Routes.guildMembers(String(guildId)), { query })) as ApiMember[];
    return page.map(toMember);
  }

  async editMember(guildId: bigint, userId: bigint, change: { roles?: bigint[]; nick?: string | null }, reason: string): Promise<MemberEditResult> {
    const body = { ...(change.roles ? { roles: change.roles.map(String) } : {}), ...(change.nick !== undefined ? { nick: change.nick } : {}) };
    try {
      await this.rest.patch(Routes.guildMember(String(guildId), String(userId)), { body, reason: reason.slice(0, 512) });
      return 'ok';
    } catch (error) {
      if (!(error instanceof DiscordAPIError)) throw error;
      if (error.code === 50013) {
        this.forget(guildId);
        return 'missing-permission';
      }
      if (error.code === 10007) return 'unknown-member';
      if (error.code === 10011) {
        this.forget(guildId);
        return 'unknown-role';
      }
      throw error;
    }
  }

  async #readGuild(guildId: bigint): Promise<GuildSnapshot | undefined> {
    let guild: { id: string; name: string; owner_id: string; roles: ApiRole[] };
    let me: ApiMember;
    try {
      guild = (await this.rest.get(Routes.guild(String(guildId)))) as typeof guild;
      me = (await this.rest.get(Routes.guildMember(String(guildId), this.botUserId()))) as ApiMember;
    } catch (error) {
      if (error instanceof DiscordAPIError && (error.code === 10004 || error.code === 10007 || error.status === 403)) return undefined;
      throw error;
    }
    const roles = guild.roles.map((r) => ({ id: BigInt(r.id), name: r.name, position: r.position, managed: r.managed ?? false, permissions: BigInt(r.permissions) }));
    const everyone = roles.find((r) => r.id === guildId);
    const mine = roles.filter((r) => me.roles.includes(String(r.id)));
    const permissions = [everyone, ...mine].reduce((sum, r) => sum | (r?.permissions ?? 0n), 0n);
    const admin = (permissions & PermissionFlagsBits.Administrator) !== 0n;
    const highest = mine.reduce<(typeof roles)[number] | undefined>((top, r) => (!top || r.position > top.position ? r : top), undefined);
    return {
      guildId,
      name: guild.name,
      ownerId: BigInt(guild.owner_id),
      everyoneId: guildId,
      roles: roles.map(({ permissions: _p, ...role }) => role),
      botHighestPosition: highest?.position ?? 0,
      botHighestRoleName: highest?.name ?? null,
      botCanManageRoles: admin || (permissions & PermissionFlagsBits.ManageRoles) !== 0n,
      botCanManageNicknames: admin || (permissions & PermissionFlagsBits.ManageNicknames) !== 0n,
    };
  }
}

function toMember(member: ApiMember): MemberSnapshot {
  return { userId: BigInt(member.user.id), username: member.user.username, roleIds: member.roles.map(BigInt), nick: member.nick ?? null, bot: member.user.bot ?? false };
}
