// A fake Discord (REST + gateway on one loopback port) that the real
// discord.js 14 client logs in to, so end-to-end tests drive the real bot
// without reaching discord.com. Usage: see test/fakes/discord.test.ts, and
// test/fakes/discordMembers.test.ts for roles, member edits and their limits.
 
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Gateway, type GatewayConnectionInfo } from './gateway.ts';
import { buildCommandInteraction, buildComponentInteraction, InteractionHandle, type InteractionRecord } from './interactions.ts';
import { handleRest } from './rest.ts';
import { InteractionsEndpoint } from './interactionsEndpoint.ts';
import { interactionCallback } from './interactions.ts';
import { memberUpdated } from './members.ts';
import { moveRole, renumber, type RoleRecord } from './roles.ts';
import { makeBotToken, nextSnowflake } from './snowflake.ts';
import { DEFAULT_APPLICATION_ID, FakeState, Intent } from './state.ts';
import type { ButtonInput, CommandInput, DirectMessage, FakeDiscordOptions, FakeMemberInput, FakeRoleInput, MemberWrite, RateLimitConfig, RecordedRequest } from './types.ts';

export type * from './types.ts';
export type { GatewayConnectionInfo } from './gateway.ts';
export { InteractionHandle } from './interactions.ts';
export { DEFAULT_APPLICATION_ID, DEFAULT_GUILD_ID, DEFAULT_OWNER_ID } from './state.ts';
export { Permission } from './roles.ts';

export class FakeDiscord {
  /** 'http://127.0.0.1:PORT/api': pass as DISCORD_API_URL / `rest.api` */
  readonly apiUrl: string;
  /** 'ws://127.0.0.1:PORT' (also what GET /gateway/bot answers) */
  readonly gatewayUrl: string;
  readonly botToken: string;
  readonly applicationId: string;
  readonly botUserId: string;
  /** the HTTP transport: Discord's signing key and the Interactions Endpoint URL, once set */
  readonly #endpoint = new InteractionsEndpoint();

  private constructor(
    private readonly state: FakeState,
    private readonly server: Server,
    private readonly gateway: Gateway,
  ) {
    this.apiUrl = `${state.baseUrl}/api`;
    this.gatewayUrl = state.baseUrl.replace(/^http/, 'ws');
    this.botToken = state.botToken;
    this.applicationId = state.applicationId;
    this.botUserId = state.botUserId;
  }

  static async start(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
    const botUserId = options.botUserId ?? options.applicationId ?? DEFAULT_APPLICATION_ID;
    const state = new FakeState(options, makeBotToken(botUserId));
    const server = createServer((req, res) => {
      handleRest(state, req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: `fake discord crashed: ${(error as Error).message}`, code: 0 }));
      });
    });
    // Like Discord, keep connections alive long enough to be reused: undici does not
    // reuse a socket whose keep-alive hint is under its 2 s threshold, so a shorter
    // timeout would make every REST call open a new connection. close() ends them all.
    server.keepAliveTimeout = 10_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    state.baseUrl = `http://127.0.0.1:${port}`;
    const gateway = new Gateway(state, server);
    state.onGuildEvent = (guildId, t, d, intent) => gateway.guildEvent(guildId, t, d, intent);
    return new FakeDiscord(state, server, gateway);
  }

  get guildIds(): string[] {
    return this.state.guildIds;
  }

  /** every REST request received, in order (Authorization header included) */
  get requests(): readonly RecordedRequest[] {
    return this.state.requests;
  }

  /** requests answered 404 because the fake does not know the route (Authorization redacted) */
  get unexpected(): readonly RecordedRequest[] {
    return this.state.unexpected;
  }

  /** command JSON as the bot PUT it, for 'global' or a guild id */
  commands(scope: string): unknown[] | undefined {
    return this.state.commandsPut.get(scope);
  }

  /** the stored commands as Discord returns them (with ids) */
  registeredCommands(scope: string): any[] | undefined {
    return this.state.commandsStored.get(scope);
  }

  /** how many bulk-overwrite PUTs were accepted (all scopes) */
  get commandRegistrations(): number {
    return this.state.commandRegistrations;
  }

  /** intents of the latest IDENTIFY */
  get identifyIntents(): number | undefined {
    return this.gateway.identifyIntents;
  }

  /** While true, IDENTIFY gets no answer: the bot's gateway connects but does not become ready (until set back to false). */
  get gatewayHoldsIdentify(): boolean {
    return this.gateway.holdIdentify;
  }
  set gatewayHoldsIdentify(value: boolean) {
    this.gateway.holdIdentify = value;
  }

  get gatewayConnections(): GatewayConnectionInfo[] {
    return this.gateway.connectionInfo;
  }

  /** Resolves once `count` gateway clients have received READY and every GUILD_CREATE (or RESUMED). */
  waitForReady(timeoutMs = 15_000, count = 1): Promise<void> {
    return this.state.signal
      .waitFor(() => (this.gateway.readyCount >= count ? true : undefined), timeoutMs, () => `${count} ready gateway connection(s) (ready: ${this.gateway.readyCount})`)
      .then(() => undefined);
  }

  /** Wait until the gateway connections satisfy `predicate` (e.g. a resumed connection is ready). */
  waitForGateway(predicate: (connections: GatewayConnectionInfo[]) => boolean, timeoutMs = 15_000): Promise<GatewayConnectionInfo[]> {
    return this.state.signal.waitFor(
      () => {
        const connections = this.gateway.connectionInfo;
        return predicate(connections) ? connections : undefined;
      },
      timeoutMs,
      () => `gateway connections to match (now: ${JSON.stringify(this.gateway.connectionInfo.map(({ received: _r, ...c }) => c))})`,
    );
  }

  async sendCommand(input: CommandInput): Promise<InteractionHandle> {
    return this.dispatchInteraction(buildCommandInteraction(this.state, input, 2), input.connection);
  }

  async sendAutocomplete(input: CommandInput & { focused: string }): Promise<InteractionHandle> {
    return this.dispatchInteraction(buildCommandInteraction(this.state, input, 4, input.focused), input.connection);
  }

  async sendButton(input: ButtonInput): Promise<InteractionHandle> {
    return this.dispatchInteraction(buildComponentInteraction(this.state, input), input.connection);
  }

  /** The application's public key (hex): DISCORD_PUBLIC_KEY of a bot that takes interactions over HTTP. */
  get interactionsPublicKey(): string {
    return this.#endpoint.publicKeyHex;
  }

  /**
   * Sets the application's Interactions Endpoint URL, checked like the
   * Developer Portal does (throws when the endpoint fails a check). From then
   * on interactions are POSTed there and no longer sent over the gateway;
   * undefined goes back to the gateway.
   */
  setInteractionsEndpoint(url: string | undefined): Promise<void> {
    return this.#endpoint.set(url);
  }

  /** POST a raw body to the endpoint as Discord would, or with a forged signature or another timestamp (for refusal tests). */
  postToInteractionsEndpoint(url: string, body: string, options?: { forgeSignature?: boolean; timestamp?: number }) {
    return this.#endpoint.post(url, body, options);
  }

  private async dispatchInteraction(record: InteractionRecord, connection: number | undefined): Promise<InteractionHandle> {
    const url = this.#endpoint.url;
    if (url !== undefined) {
      record.dispatchedAt = performance.now();
      record.endpoint = this.#deliver(url, record);
      return new InteractionHandle(this.state, record);
    }
    const index = this.gateway.pickConnection(record.guildId, connection);
    record.dispatchedAt = performance.now();
    await this.gateway.dispatch(index, 'INTERACTION_CREATE', record.payload);
    return new InteractionHandle(this.state, record);
  }

  /**
   * One POST, as Discord makes it: the answer is a response in the body (200)
   * or 202 after the app used the callback endpoint; anything else, or no
   * answer within the deadline, fails the interaction and is recorded as
   * refused ('endpoint').
   */
  async #deliver(url: string, record: InteractionRecord) {
    const answer = await this.#endpoint.post(url, JSON.stringify(record.payload), { timeoutMs: this.state.callbackDeadlineMs ?? 15_000 });
    const failed = (why: unknown) => {
      record.refused.push({ kind: 'endpoint', status: answer.status, body: why, at: performance.now() });
      this.state.signal.notify(record.id);
    };
    if (answer.status === 200) {
      let body: unknown;
      try {
        body = JSON.parse(answer.body);
      } catch {
        failed('a 200 without a JSON interaction response');
        return answer;
      }
      interactionCallback(this.state, record.id, record.token, false, body, []);
    } else if (answer.status !== 202) {
      failed(answer.body);
    }
    return answer;
  }

  /** Send any gateway event (e.g. GUILD_DELETE) on a connection (default: first ready one). */
  async dispatchEvent(t: string, d: unknown, connection?: number): Promise<void> {
    await this.gateway.dispatch(this.gateway.pickConnection(undefined, connection), t, d);
  }

  /** DMs the bot sent (POST /users/@me/channels then POST /channels/:id/messages) */
  get directMessages(): readonly DirectMessage[] {
    return this.state.directMessages;
  }

  waitForDirectMessage(predicate: (dm: DirectMessage) => boolean = () => true, timeoutMs = 10_000): Promise<DirectMessage> {
    return this.state.signal.waitFor(
      () => this.state.directMessages.find(predicate),
      timeoutMs,
      () => `a direct message (sent so far: ${JSON.stringify(this.state.directMessages.map((dm) => ({ userId: dm.userId, content: dm.body?.content })))})`,
    );
  }

  /** Users whose DMs are closed: sending them a message answers 403 code 50007. */
  get dmClosedUserIds(): Set<string> {
    return this.state.dmClosedUserIds;
  }

  /** Make the next `times` REST requests matching (method, path regex on the decoded path without /api/v10) answer `response`. */
  failNext(match: { method?: string; path: RegExp }, response: { status: number; body?: unknown; headers?: Record<string, string> }, times = 1): void {
    this.state.failRules.push({ ...match, response, remaining: times });
  }

  /** latency (ms) added to every REST answer */
  get restLatencyMs(): number {
    return this.state.restLatencyMs;
  }
  set restLatencyMs(value: number) {
    this.state.restLatencyMs = value;
  }

  /**
   * The bot is removed from a guild (kicked, or the server deleted): REST no
   * longer knows the guild (404 Unknown Guild, gone from GET /users/@me/guilds)
   * and sessions on its shard get GUILD_DELETE, like Discord. A bot with no
   * session then never hears of it.
   */
  botRemovedFrom(guildId: string): void {
    this.state.requireGuild(guildId);
    this.state.guilds.delete(guildId);
    this.state.onGuildEvent(guildId, 'GUILD_DELETE', { id: guildId }, Intent.Guilds);
    this.state.signal.notify();
  }

  /** Add or update a guild member (GET /guilds/:id/members/:user finds it). */
  addMember(guildId: string, member: FakeMemberInput): void {
    this.state.ensureUser(member.userId, member.username);
    this.state.upsertMember(guildId, member.userId, member.roles ?? [], member.nick ?? undefined);
  }

  removeMember(guildId: string, userId: string): void {
    this.state.requireGuild(guildId).members.delete(userId);
  }

  // ---- members as the gateway announces them (state updated, event sent to Guild Members sessions) ----

  /** A user joins: GUILD_MEMBER_ADD with the full member. */
  memberJoins(guildId: string, member: FakeMemberInput): any {
    this.state.ensureUser(member.userId, member.username);
    const guild = this.state.requireGuild(guildId);
    if (guild.members.has(member.userId)) throw new Error(`fake discord: ${member.userId} is already a member of ${guildId}`);
    this.state.upsertMember(guildId, member.userId, member.roles ?? [], member.nick ?? null);
    const json = this.state.memberJson(guildId, member.userId);
    this.state.onGuildEvent(guildId, 'GUILD_MEMBER_ADD', { guild_id: guildId, ...json }, Intent.GuildMembers);
    this.state.signal.notify();
    return structuredClone(json);
  }

  /** A member leaves (or is kicked): GUILD_MEMBER_REMOVE { guild_id, user }. */
  memberLeaves(guildId: string, userId: string): void {
    const guild = this.state.requireGuild(guildId);
    if (!guild.members.delete(userId)) throw new Error(`fake discord: ${userId} is not a member of ${guildId}`);
    this.state.onGuildEvent(guildId, 'GUILD_MEMBER_REMOVE', { guild_id: guildId, user: this.state.userJson(userId) }, Intent.GuildMembers);
    this.state.signal.notify();
  }

  /** Someone else (a moderator) changes a member: GUILD_MEMBER_UPDATE. */
  memberChanges(guildId: string, userId: string, change: { roles?: string[]; nick?: string | null }): any {
    const guild = this.state.requireGuild(guildId);
    if (!guild.members.has(userId)) throw new Error(`fake discord: ${userId} is not a member of ${guildId}`);
    this.state.upsertMember(guildId, userId, change.roles, change.nick);
    memberUpdated(this.state, guild, userId);
    return this.member(guildId, userId);
  }

  /** The member as GET /guilds/:guild/members/:user returns it, or undefined. */
  member(guildId: string, userId: string): any {
    return structuredClone(this.state.memberJson(guildId, userId));
  }

  // ---- roles (GUILD_ROLE_CREATE/UPDATE/DELETE go to sessions with the Guilds intent) ----

  /** The guild's roles as GET /guilds/:guild/roles returns them (@everyone first). */
  roles(guildId: string): any[] {
    return this.state.rolesJson(this.state.requireGuild(guildId));
  }

  /** The id of the bot's integration role in the guild. */
  botRoleId(guildId: string): string {
    return this.state.requireGuild(guildId).botRoleId;
  }

  /** Create a role (default: permissions '0', on top); returns its id. Existing roles at or above `position` move up. */
  addRole(guildId: string, input: FakeRoleInput): string {
    const guild = this.state.requireGuild(guildId);
    const role: RoleRecord = { ...input, id: input.id ?? nextSnowflake(), permissions: input.permissions ?? '0', position: guild.roles.length + 1, managed: input.managed ?? false };
    if (role.id === guildId || guild.roles.some((r) => r.id === role.id)) throw new Error(`fake discord: role ${role.id} exists already`);
    guild.roles.push(role);
    this.state.onGuildEvent(guildId, 'GUILD_ROLE_CREATE', { guild_id: guildId, role: this.state.roleJson(role) }, Intent.Guilds);
    if (input.position !== undefined) this.setRolePosition(guildId, role.id, input.position);
    return role.id;
  }

  /** Delete a role: members lose it, positions above close the gap (as on Discord). */
  removeRole(guildId: string, roleId: string): void {
    const guild = this.state.requireGuild(guildId);
    const index = guild.roles.findIndex((r) => r.id === roleId);
    if (index < 0) throw new Error(`fake discord: unknown role ${roleId}`);
    guild.roles.splice(index, 1);
    renumber(guild.roles);
    for (const member of guild.members.values()) member.roles = member.roles.filter((id) => id !== roleId);
    this.state.onGuildEvent(guildId, 'GUILD_ROLE_DELETE', { guild_id: guildId, role_id: roleId }, Intent.Guilds);
    this.state.signal.notify();
  }

  /** Move a role to `position` (1 = just above @everyone); the others shift to keep 1..n. */
  setRolePosition(guildId: string, roleId: string, position: number): void {
    const guild = this.state.requireGuild(guildId);
    for (const role of moveRole(guild.roles, roleId, position)) {
      this.state.onGuildEvent(guildId, 'GUILD_ROLE_UPDATE', { guild_id: guildId, role: this.state.roleJson(role) }, Intent.Guilds);
    }
    this.state.signal.notify();
  }

  /** Change a role's permissions (string or bigint bitfield). */
  setRolePermissions(guildId: string, roleId: string, permissions: string | bigint): void {
    const guild = this.state.requireGuild(guildId);
    const role = guild.roles.find((r) => r.id === roleId);
    if (!role) throw new Error(`fake discord: unknown role ${roleId}`);
    role.permissions = String(permissions);
    this.state.onGuildEvent(guildId, 'GUILD_ROLE_UPDATE', { guild_id: guildId, role: this.state.roleJson(role) }, Intent.Guilds);
    this.state.signal.notify();
  }

  /** The bot's integration role's permissions, e.g. without Manage Roles. */
  setBotPermissions(guildId: string, permissions: string | bigint): void {
    this.setRolePermissions(guildId, this.botRoleId(guildId), permissions);
  }

  setBotRolePosition(guildId: string, position: number): void {
    this.setRolePosition(guildId, this.botRoleId(guildId), position);
  }

  // ---- member writes ----

  /** Every PATCH /guilds/:guild/members/:user, refused ones (401, 403, 404, 400, 429) included. */
  get memberWrites(): readonly MemberWrite[] {
    return this.state.memberWrites;
  }

  /** 429s answered on the member edit bucket. */
  get memberRateLimitHits(): number {
    return this.state.memberLimiter.hits;
  }

  /** Forget recorded member writes, 429 count and the bucket's current windows. */
  resetMemberWrites(): void {
    this.state.memberWrites.length = 0;
    this.state.memberLimiter.reset();
  }

  /** The member edit bucket (per guild); setting it starts fresh windows. */
  get memberRateLimit(): RateLimitConfig {
    return { ...this.state.memberLimiter.config };
  }
  set memberRateLimit(config: RateLimitConfig) {
    this.state.memberLimiter.config = { ...config };
    this.state.memberLimiter.resetWindows();
  }

  /** A message the fake stores (interaction replies, follow-ups, channel messages), as Discord would return it. */
  message(id: string): any {
    return structuredClone(this.state.messages.get(id)?.json);
  }

  /** Drop the gateway connection(s) with a close code: 4000 -> discord.js resumes; 1000 -> it identifies again. */
  disconnectGateway(options: { code?: number; connection?: number } = {}): void {
    this.gateway.disconnect(options.code ?? 4000, options.connection);
  }

  /** Send op 7 RECONNECT (the client closes and resumes). */
  requestReconnect(connection?: number): Promise<void> {
    return this.gateway.requestReconnect(connection);
  }

  /** Close the HTTP and WebSocket servers and every socket; pending waits reject. */
  async close(): Promise<void> {
    this.#endpoint.close();
    this.state.signal.close();
    await this.gateway.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
