// Everything the fake remembers, plus builders for the JSON shapes Discord
// sends (users, members, roles, channels, guilds). REST and gateway both read
// from here so an id seen on one side resolves on the other.
 
import { nextSnowflake } from './snowflake.ts';
import { RateLimiter } from './ratelimit.ts';
import { defaultBotPermissions, moveRole, orderRoles, type RoleRecord } from './roles.ts';
import { Signal } from './signal.ts';
import type { DirectMessage, FakeDiscordOptions, MemberWrite, RecordedFile, RecordedRequest } from './types.ts';
import type { InteractionRecord } from './interactions.ts';

export const DEFAULT_APPLICATION_ID = '1180000000000000001';
export const DEFAULT_GUILD_ID = '1180000000000000100';
export const DEFAULT_OWNER_ID = '1180000000000000200';
/** Permissions a freshly invited bot typically has in a channel (view, send, embed, attach, history, external emoji, use commands). */
export const DEFAULT_APP_PERMISSIONS = String(
  (1n << 10n) | (1n << 11n) | (1n << 14n) | (1n << 15n) | (1n << 16n) | (1n << 18n) | (1n << 31n),
);
/** @everyone's defaults in a new server (Discord's value at the time of writing). */
export const EVERYONE_PERMISSIONS = '2222085186637376';
/** Intent bits that decide which sessions get guild events. */
export const Intent = { Guilds: 1 << 0, GuildMembers: 1 << 1 } as const;

export interface UserRecord {
  id: string;
  username: string;
  globalName: string | null;
  bot: boolean;
}

export interface MemberRecord {
  userId: string;
  roles: string[];
  nick: string | null;
  joinedAt: string;
}

export interface GuildRecord {
  id: string;
  name: string;
  ownerId: string;
  /** ordered by position (1..n); @everyone (id = guild id, position 0) is implicit */
  roles: RoleRecord[];
  /** @everyone's permissions */
  everyonePermissions: string;
  /** the bot's integration role (managed, tags.bot_id) */
  botRoleId: string;
  /** the one text channel every fake guild has */
  channelId: string;
  members: Map<string, MemberRecord>;
  joinedAt: string;
}

export interface ChannelRecord {
  id: string;
  /** 0 guild text, 1 DM */
  type: 0 | 1;
  guildId?: string;
  name?: string;
  recipientId?: string;
}

export interface StoredMessage {
  json: any;
  files: RecordedFile[];
}

export interface FailRule {
  method?: string;
  path: RegExp;
  response: { status: number; body?: unknown; headers?: Record<string, string> };
  remaining: number;
}

export class FakeState {
  readonly applicationId: string;
  readonly botUserId: string;
  readonly botToken: string;
  readonly callbackDeadlineMs: number | undefined;
  readonly heartbeatIntervalMs: number;
  /** set once the HTTP server listens */
  baseUrl = '';

  readonly users = new Map<string, UserRecord>();
  readonly guilds = new Map<string, GuildRecord>();
  readonly channels = new Map<string, ChannelRecord>();
  readonly messages = new Map<string, StoredMessage>();
  readonly dmChannelByUser = new Map<string, string>();
  /** scope ('global' or guild id) -> command JSON as PUT by the bot, and the stored copies with ids */
  readonly commandsPut = new Map<string, unknown[]>();
  readonly commandsStored = new Map<string, any[]>();
  commandRegistrations = 0;
  readonly interactions = new Map<string, InteractionRecord>();
  readonly interactionsByToken = new Map<string, InteractionRecord>();
  readonly directMessages: DirectMessage[] = [];
  /** users whose DMs are closed: POST /channels/:dm/messages answers 50007 */
  readonly dmClosedUserIds = new Set<string>();
  readonly requests: RecordedRequest[] = [];
  readonly unexpected: RecordedRequest[] = [];
  readonly failRules: FailRule[] = [];
  restLatencyMs = 0;
  readonly signal = new Signal();
  /** PATCH /guilds/:guild/members/:user answers, refusals included */
  readonly memberWrites: MemberWrite[] = [];
  /** the per-guild bucket of PATCH /guilds/:guild/members/:user */
  readonly memberLimiter: RateLimiter;
  /** set by FakeDiscord: sends a guild event to the sessions that have `intent` and own the guild's shard */
  /** GET /gateway/bot's `shards` */
  readonly recommendedShards: number;
  onGuildEvent: (guildId: string, t: string, d: unknown, intent: number) => void = () => undefined;

  constructor(options: FakeDiscordOptions, botToken: string) {
    this.applicationId = options.applicationId ?? DEFAULT_APPLICATION_ID;
    this.botUserId = options.botUserId ?? this.applicationId;
    this.botToken = botToken;
    this.callbackDeadlineMs = options.callbackDeadlineMs;
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? 41250;
    this.recommendedShards = options.recommendedShards ?? 1;
    this.memberLimiter = new RateLimiter(options.memberRateLimit ?? { limit: 10, windowMs: 10_000 }, 'PATCH /guilds/:guild/members/:user');
    this.users.set(this.botUserId, { id: this.botUserId, username: options.botUsername ?? 'Fake Bot', globalName: null, bot: true });
    const guilds = options.guilds ?? [{ id: DEFAULT_GUILD_ID, name: 'Fake Corp' }];
    const joinedAt = new Date().toISOString();
    for (const input of guilds) {
      const channelId = nextSnowflake();
      // The bot's integration role is created when the bot joins: on top unless the test says otherwise.
      const botRoleId = nextSnowflake();
      const given = input.roles ?? [];
      const botRole = {
        id: botRoleId,
        name: options.botUsername ?? 'Fake Bot',
        permissions: input.botRole?.permissions ?? defaultBotPermissions(DEFAULT_APP_PERMISSIONS),
        position: Number.MAX_SAFE_INTEGER,
        managed: true,
        tags: { bot_id: this.botUserId },
      };
      const guild: GuildRecord = {
        id: input.id,
        name: input.name,
        ownerId: input.ownerId ?? DEFAULT_OWNER_ID,
        roles: orderRoles([...given, botRole]),
        everyonePermissions: EVERYONE_PERMISSIONS,
        botRoleId,
        channelId,
        members: new Map(),
        joinedAt,
      };
      // botRole.position is where the bot's role ends up; the roles from there up move one higher.
      if (input.botRole?.position !== undefined) moveRole(guild.roles, botRoleId, input.botRole.position);
      this.guilds.set(guild.id, guild);
      this.channels.set(channelId, { id: channelId, type: 0, guildId: guild.id, name: 'general' });
      this.upsertMember(guild.id, this.botUserId, [botRoleId], undefined);
      this.ensureUser(guild.ownerId);
      this.upsertMember(guild.id, guild.ownerId, [], undefined);
      for (const member of input.members ?? []) {
        this.ensureUser(member.userId, member.username);
        this.upsertMember(guild.id, member.userId, member.roles ?? [], member.nick ?? undefined);
      }
    }
  }

  get guildIds(): string[] {
    return [...this.guilds.keys()];
  }

  ensureUser(id: string, username?: string): UserRecord {
    let user = this.users.get(id);
    if (!user) {
      user = { id, username: username ?? `user${id.slice(-4)}`, globalName: null, bot: false };
      this.users.set(id, user);
    } else if (username && !user.bot) {
      user.username = username;
    }
    return user;
  }

  upsertMember(guildId: string, userId: string, roles: string[] | undefined, nick: string | null | undefined): MemberRecord {
    const guild = this.requireGuild(guildId);
    // @everyone is implied and never listed in a member's roles.
    roles = roles?.filter((id) => id !== guildId);
    let member = guild.members.get(userId);
    if (!member) {
      member = { userId, roles: roles ?? [], nick: nick ?? null, joinedAt: new Date().toISOString() };
      guild.members.set(userId, member);
    } else {
      if (roles) member.roles = roles;
      if (nick !== undefined) member.nick = nick;
    }
    return member;
  }

  requireGuild(guildId: string): GuildRecord {
    const guild = this.guilds.get(guildId);
    if (!guild) throw new Error(`fake discord: unknown guild ${guildId} (known: ${this.guildIds.join(', ')})`);
    return guild;
  }

  /** The DM channel between the bot and a user; the same id for REST and interactions. */
  dmChannelFor(userId: string): ChannelRecord {
    let id = this.dmChannelByUser.get(userId);
    if (!id) {
      id = nextSnowflake();
      this.dmChannelByUser.set(userId, id);
      this.channels.set(id, { id, type: 1, recipientId: userId });
    }
    return this.channels.get(id)!;
  }

  // ---- JSON builders (Discord API v10 shapes) ----

  userJson(id: string): any {
    const user = this.users.get(id) ?? this.ensureUser(id);
    return {
      id: user.id,
      username: user.username,
      discriminator: user.bot ? '0000' : '0',
      global_name: user.globalName,
      avatar: null,
      avatar_decoration_data: null,
      public_flags: 0,
      ...(user.bot ? { bot: true } : {}),
    };
  }

  botUserJson(): any {
    return { ...this.userJson(this.botUserId), verified: true, mfa_enabled: false, flags: 0, email: null, locale: 'en-US' };
  }

  /** Member JSON; `withUser` false for places where Discord omits it (interaction resolved.members). */
  memberJson(guildId: string, userId: string, withUser = true, permissions?: string): any {
    const member = this.requireGuild(guildId).members.get(userId);
    if (!member) return undefined;
    return {
      ...(withUser ? { user: this.userJson(userId) } : {}),
      nick: member.nick,
      avatar: null,
      banner: null,
      roles: member.roles,
      joined_at: member.joinedAt,
      premium_since: null,
      deaf: false,
      mute: false,
      flags: 0,
      pending: false,
      communication_disabled_until: null,
      unusual_dm_activity_until: null,
      ...(permissions !== undefined ? { permissions } : {}),
    };
  }

  rolesJson(guild: GuildRecord): any[] {
    const everyone: RoleRecord = { id: guild.id, name: '@everyone', permissions: guild.everyonePermissions, position: 0, managed: false };
    return [everyone, ...guild.roles].map((role) => this.roleJson(role));
  }

  roleJson(role: RoleRecord): any {
    return {
      id: role.id,
      name: role.name,
      color: 0,
      colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
      hoist: false,
      icon: null,
      unicode_emoji: null,
      position: role.position,
      permissions: role.permissions,
      managed: role.managed,
      mentionable: false,
      flags: 0,
      ...(role.tags ? { tags: role.tags } : {}),
    };
  }

  channelJson(id: string): any {
    const channel = this.channels.get(id);
    if (!channel) return undefined;
    if (channel.type === 1) {
      return { id, type: 1, last_message_id: null, flags: 0, recipients: [this.userJson(channel.recipientId!)] };
    }
    return {
      id,
      type: 0,
      guild_id: channel.guildId,
      name: channel.name,
      position: 0,
      permission_overwrites: [],
      topic: null,
      nsfw: false,
      last_message_id: null,
      rate_limit_per_user: 0,
      parent_id: null,
      flags: 0,
    };
  }

  guildJson(guild: GuildRecord): any {
    return {
      id: guild.id,
      name: guild.name,
      icon: null,
      icon_hash: null,
      splash: null,
      discovery_splash: null,
      owner_id: guild.ownerId,
      afk_channel_id: null,
      afk_timeout: 300,
      widget_enabled: false,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      roles: this.rolesJson(guild),
      emojis: [],
      features: [],
      mfa_level: 0,
      application_id: null,
      system_channel_id: guild.channelId,
      system_channel_flags: 0,
      rules_channel_id: null,
      max_members: 500000,
      vanity_url_code: null,
      description: null,
      banner: null,
      premium_tier: 0,
      premium_subscription_count: 0,
      preferred_locale: 'en-US',
      public_updates_channel_id: null,
      max_video_channel_users: 25,
      nsfw_level: 0,
      stickers: [],
      premium_progress_bar_enabled: false,
      safety_alerts_channel_id: null,
      incidents_data: null,
    };
  }

  /** GUILD_CREATE as sent to a bot right after READY. */
  guildCreateJson(guild: GuildRecord): any {
    return {
      ...this.guildJson(guild),
      joined_at: guild.joinedAt,
      large: false,
      unavailable: false,
      member_count: guild.members.size,
      voice_states: [],
      members: [this.memberJson(guild.id, this.botUserId)],
      channels: [this.channelJson(guild.channelId)],
      threads: [],
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
      embedded_activities: [],
    };
  }
}
