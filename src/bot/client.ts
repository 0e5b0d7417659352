import { Client, Events, GatewayIntentBits, Status, type Interaction } from 'discord.js';
import type { Logger } from '../log.ts';
import { restRequest } from './restRequest.ts';

export interface DiscordClientOptions {
  token: string;
  apiUrl: string;
  logger: Logger;
  onInteraction: (interaction: Interaction) => void;
  /** also ask for the privileged Guild Members intent (DISCORD_MEMBERS_INTENT), so /audit can list a guild's members */
  membersIntent?: boolean;
  /** shards this process connects (DISCORD_SHARDS); default auto */
  shards?: 'auto' | number[];
  /** total shards over all processes (DISCORD_SHARD_COUNT); default: Discord's recommendation */
  shardCount?: number;
  /** the bot was removed from a guild (not a guild outage) */
  onGuildRemoved?: (guildId: string) => void;
  /** a member left a guild (only with the members intent) */
  onMemberLeft?: (guildId: string, userId: string) => void;
  /** a member joined a guild (only with the members intent) */
  onMemberJoined?: (guildId: string, userId: string) => void;
  /** aborting gives the connect up: the promise rejects with the reason, and the client is closed once it can be (never a session left behind) */
  signal?: AbortSignal;
}

/**
 * The gateway connection. Intent Guilds only: slash commands need nothing
 * more, and privileged intents need switching on in the developer portal.
 * Guild Members is added only when the operator opted in.
 */
export async function connectDiscord(options: DiscordClientOptions): Promise<Client<true>> {
  const client = new Client({
    intents: options.membersIntent ? [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMembers] : [GatewayIntentBits.Guilds],
    rest: { api: options.apiUrl, makeRequest: restRequest },
    ...shardOptions(options.shards ?? 'auto', options.shardCount),
  });
  client.on(Events.InteractionCreate, options.onInteraction);
  // discord.js emits GuildDelete only when the bot left the guild; an outage is GuildUnavailable.
  if (options.onGuildRemoved) client.on(Events.GuildDelete, (guild) => options.onGuildRemoved!(guild.id));
  // From the raw packet: discord.js emits GuildMemberRemove only for members it had cached.
  client.on(Events.Raw, (packet: { t?: string; d?: { guild_id?: string; user?: { id?: string; bot?: boolean } } }) => {
    const guildId = packet.d?.guild_id;
    const user = packet.d?.user;
    if (!guildId || !user?.id || user.bot) return;
    if (packet.t === 'GUILD_MEMBER_REMOVE') options.onMemberLeft?.(guildId, user.id);
    if (packet.t === 'GUILD_MEMBER_ADD') options.onMemberJoined?.(guildId, user.id);
  });
  client.on(Events.Error, (error) => options.logger.error({ err: error }, 'discord client error'));
  client.on(Events.Warn, (message) => options.logger.warn({ discord: message }, 'discord client warning'));
  client.on(Events.ShardDisconnect, (event, shardId) => options.logger.warn({ shardId, closeCode: event.code }, 'gateway disconnected'));
  client.on(Events.ShardResume, (shardId) => options.logger.info({ shardId }, 'gateway resumed'));

  const ready = new Promise<Client<true>>((resolve) => client.once(Events.ClientReady, resolve));
  // READY came (discord.js then waits for every GUILD_CREATE before ClientReady): a destroy now closes for good.
  let sessionUp = false;
  const noteSession = (packet: { t?: string }) => void (packet.t === 'READY' && (sessionUp = true));
  client.on(Events.Raw, noteSession);
  const { signal } = options;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal!.reason);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([client.login(options.token), aborted]);
    return await Promise.race([ready, aborted]);
  } catch (error) {
    if (signal?.aborted) abandon(client, sessionUp);
    else await client.destroy();
    throw error;
  } finally {
    // Needed only while connecting: not on every packet of the session.
    client.off(Events.Raw, noteSession);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Gives up a client whose connect was aborted, without a second gateway
 * session. @discordjs/ws reconnects a shard destroyed while it waits for
 * READY (and that destroy never settles), so destroying now would only
 * restart the handshake and make a later destroy a no-op. Instead the
 * client stops handling anything, and is destroyed as soon as its session
 * is up (READY or RESUMED), when a destroy closes it for good.
 */
function abandon(client: Client, sessionUp: boolean): void {
  client.removeAllListeners();
  // A failure of the abandoned connect has nobody left to tell.
  client.on(Events.Error, () => undefined);
  const destroy = () => void client.destroy().catch(() => undefined);
  if (sessionUp) return destroy();
  client.on(Events.Raw, (packet: { t?: string }) => {
    if (packet.t === 'READY' || packet.t === 'RESUMED') destroy();
  });
}

/**
 * discord.js's shard options: `auto` with no count lets it ask Discord
 * (GET /gateway/bot) how many shards to run and connect them all; a count
 * alone connects every shard of that count; a list connects those shards of
 * the count. Discord sends a guild's interactions to the one shard that owns
 * it, (guild id >> 22) % count, so processes on other shards never see them.
 */
function shardOptions(shards: 'auto' | number[], shardCount: number | undefined): { shards?: 'auto' | number[]; shardCount?: number } {
  if (shards !== 'auto') return { shards, shardCount };
  return shardCount === undefined ? { shards: 'auto' } : { shardCount };
}

/** Whether the gateway session is up (not connecting, reconnecting or resuming): for /readyz. */
export function isGatewayReady(client: Client | undefined): boolean {
  return client?.isReady() === true && client.ws.status === Status.Ready;
}
