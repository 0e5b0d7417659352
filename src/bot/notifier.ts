import { REST, Routes } from 'discord.js';
import type { Logger } from '../log.ts';
import type { DirectMessage, DiscordNotifier } from '../notify.ts';
import type { CommandMentions } from './commandMentions.ts';
import { createInteractionRest } from './interactionRest.ts';
import { DISCORD_LIMITS, fitText } from './replyLimits.ts';

/** A DM names at most this many servers (one GET /guilds/{id} each). */
const MAX_GUILD_NAMES = 5;

/**
 * DiscordNotifier over discord.js REST. It needs no gateway, so the HTTP
 * callback can use it in any process. Failures are logged, never thrown.
 */
export class RestNotifier implements DiscordNotifier {
  readonly #rest: REST;
  readonly #webhooks: REST;

  constructor(
    token: string,
    apiUrl: string,
    private readonly logger: Logger,
    /** `/link` in the services' texts becomes a clickable command mention */
    private readonly mentions?: CommandMentions,
  ) {
    this.#rest = new REST({ api: apiUrl }).setToken(token);
    this.#webhooks = createInteractionRest(apiUrl);
  }

  get rest(): REST {
    return this.#rest;
  }

  /** The REST instances it sends with (bot and interaction webhooks), e.g. to count their requests. */
  get restInstances(): REST[] {
    return [this.#rest, this.#webhooks];
  }

  async editOriginalReply(applicationId: string, interactionToken: string, message: { content: string }): Promise<boolean> {
    try {
      await this.#webhooks.patch(Routes.webhookMessage(applicationId, interactionToken, '@original'), {
        body: { content: this.#linkify(message.content), components: [], allowed_mentions: { parse: [] } },
        auth: false,
      });
      return true;
    } catch (error) {
      // Interaction tokens live 15 minutes; a late login cannot edit the reply, and that is fine.
      this.logger.info({ err: error }, 'could not edit the original reply');
      return false;
    }
  }

  async sendDirectMessage(userId: bigint, message: DirectMessage): Promise<boolean> {
    try {
      const text = typeof message.content === 'function' ? message.content(await this.#guildNames(message.guildIds ?? [])) : message.content;
      const channel = (await this.#rest.post(Routes.userChannels(), { body: { recipient_id: String(userId) } })) as { id: string };
      await this.#rest.post(Routes.channelMessages(channel.id), {
        body: {
          content: fitText(this.#linkify(text), DISCORD_LIMITS.content),
          ...(message.components ? { components: message.components } : {}),
          allowed_mentions: { parse: [] },
        },
      });
      return true;
    } catch (error) {
      this.logger.info({ err: error, userId: String(userId) }, 'could not send a direct message');
      return false;
    }
  }

  /** Each server's name, or undefined when Discord will not say (the bot left it, Discord is down): the text then says "a server". */
  async #guildNames(guildIds: readonly bigint[]): Promise<(string | undefined)[]> {
    return Promise.all(
      guildIds.slice(0, MAX_GUILD_NAMES).map(async (id) => {
        try {
          const guild = (await this.#rest.get(Routes.guild(String(id)))) as { name?: unknown };
          return typeof guild.name === 'string' && guild.name.length > 0 ? guild.name : undefined;
        } catch (error) {
          this.logger.debug({ err: error, guildId: String(id) }, 'no name for a server in a direct message');
          return undefined;
        }
      }),
    );
  }

  #linkify(content: string): string {
    return this.mentions ? this.mentions.linkify(content) : content;
  }
}
