// Public types of the fake Discord. JSON payloads are typed `any` on purpose:
// tests poke at whatever the bot sent, and Discord's shapes are wide.
 

export interface FakeRole {
  id: string;
  name: string;
  /** string bitfield, e.g. '268435456' (Manage Roles) */
  permissions: string;
  /**
   * Higher = more power; @everyone is 0. Default: the order given (first = 1).
   * The fake keeps positions contiguous (1..n) as Discord does after a move.
   */
  position?: number;
  /** integration (bot) or booster role: nobody can assign or remove it */
  managed?: boolean;
  /** e.g. { bot_id } for a bot's integration role, { premium_subscriber: null } for the booster role */
  tags?: Record<string, unknown>;
}

/** Role input for FakeDiscord.addRole: id and permissions are optional. */
export type FakeRoleInput = Omit<FakeRole, 'id' | 'permissions'> & { id?: string; permissions?: string };

/** The bot's own integration role in a guild. */
export interface FakeBotRoleInput {
  /** where the bot's role ends up (1 = just above @everyone; the roles from there up move one higher). Default: on top. */
  position?: number;
  /** default: Manage Roles | Manage Nicknames | the usual channel permissions */
  permissions?: string;
}

export interface FakeMemberInput {
  userId: string;
  username?: string;
  roles?: string[];
  nick?: string | null;
}

export interface FakeGuildInput {
  id: string;
  name: string;
  ownerId?: string;
  roles?: FakeRole[];
  /** members known to GET /guilds/:id/members/:user (users that run commands are added too) */
  members?: FakeMemberInput[];
  /** the bot's integration role (managed, tags.bot_id), which the bot member holds */
  botRole?: FakeBotRoleInput;
}

export interface FakeDiscordOptions {
  /** default a fixed snowflake; the bot user id equals it (as for every app made since 2020) */
  applicationId?: string;
  /** default: the application id */
  botUserId?: string;
  botUsername?: string;
  /** default one guild */
  guilds?: FakeGuildInput[];
  /** what GET /gateway/bot recommends as the number of shards (default 1, Discord's answer below 1,000 guilds) */
  recommendedShards?: number;
  /** HELLO heartbeat_interval in ms (default 41250, Discord's value) */
  heartbeatIntervalMs?: number;
  /**
   * Answer interaction callbacks that arrive later than this after dispatch with
   * 404 {code:10062, message:'Unknown interaction'}, as Discord does after 3 s.
   * Default: not enforced (tests read `firstResponseAt - dispatchedAt` instead).
   */
  callbackDeadlineMs?: number;
  /** the bucket of PATCH /guilds/:guild/members/:user, per guild (default 10 per 10 s) */
  memberRateLimit?: RateLimitConfig;
}

export interface RateLimitConfig {
  limit: number;
  windowMs: number;
}

/** One member edit (PATCH /guilds/:guild/members/:user, or PUT/DELETE of one of its roles) as the fake answered it. */
export interface MemberWrite {
  /** performance.now() when it was answered */
  at: number;
  /** PATCH edits the member; PUT/DELETE .../roles/:role add or remove one role (roleId set) */
  method: 'PATCH' | 'PUT' | 'DELETE';
  roleId?: string;
  guildId: string;
  userId: string;
  body: any;
  status: number;
  /** Discord's JSON error code when refused */
  code?: number;
  /** the decoded X-Audit-Log-Reason header */
  auditLogReason: string | undefined;
}

export interface RecordedFile {
  /** multipart field name, e.g. 'files[0]' */
  field: string;
  name: string;
  contentType: string;
  data: Buffer;
}

export interface RecordedRequest {
  method: string;
  /** decoded, without '/api/v10' and without the query: '/webhooks/1/tok/messages/@original' */
  path: string;
  query: Record<string, string>;
  /** lower-cased names; in `unexpected` the authorization header is redacted */
  headers: Record<string, string>;
  /** parsed JSON, or payload_json for multipart; undefined when there was no body */
  body: any;
  files: RecordedFile[];
  /** answer status; 0 while the answer is still pending */
  status: number;
  /** performance.now() when the request arrived */
  at: number;
}

export interface InteractionResponse {
  kind: 'callback' | 'edit' | 'followup' | 'delete';
  /** callback type (4 reply, 5 defer, 6 defer update, 7 update, 8 autocomplete, 9 modal) */
  type?: number;
  /** message id for edits/deletes/followups ('@original' resolved to the real id when known) */
  messageId?: string;
  /** 'callback' body is the whole {type, data}; others are the message payload */
  body: any;
  files: RecordedFile[];
  /** performance.now() when the fake accepted it */
  at: number;
}

/** What a user currently sees as the interaction's original reply. */
export interface ReplyView {
  id: string;
  content: string;
  embeds: any[];
  components: any[];
  flags: number;
  /** deferred and not yet edited ("Bot is thinking…") */
  loading: boolean;
  ephemeral: boolean;
  attachments: any[];
  files: RecordedFile[];
}

export interface CommandOptionInput {
  name: string;
  type: number;
  value?: string | number | boolean;
  options?: CommandOptionInput[];
  focused?: boolean;
}

export interface InteractionCommon {
  userId: string;
  username?: string;
  /** default first guild; null = the bot's DM with the user */
  guildId?: string | null;
  /** member permissions bitfield, default '0'; Manage Guild = '32' */
  permissions?: string;
  roles?: string[];
  locale?: string;
  /** bot's permissions in the channel (app_permissions) */
  appPermissions?: string;
  /** index in `gatewayConnections` to dispatch on; default: first ready one owning the guild */
  connection?: number;
}

export interface CommandInput extends InteractionCommon {
  name: string;
  options?: CommandOptionInput[];
  /** data.resolved; built automatically for user/role options when omitted */
  resolved?: any;
}

export interface ButtonInput extends InteractionCommon {
  customId: string;
  /** a message the fake knows (e.g. a reply's id); default: a synthetic bot message holding the button */
  messageId?: string;
  /** 2 button (default), 3/5/6/7/8 select menus */
  componentType?: number;
  /** select menu values */
  values?: string[];
}

export interface DirectMessage {
  userId: string;
  channelId: string;
  messageId: string;
  /** parsed JSON body or payload_json */
  body: any;
  files: RecordedFile[];
  at: number;
}
