import { REST, Routes } from 'discord.js';
import type { Logger } from '../log.ts';
import type { DiscordNotifier } from '../notify.ts';
import type { CommandMentions } from './commandMentions.ts';
import { createInteractionRest } from './interactionRest.ts';

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

  async sendDirectMessage(userId: bigint, message: { content: string }): Promise<boolean> {
    try {
      const channel = (await this.#rest.post(Routes.userChannels(), { body: { recipient_id: String(userId) } })) as { id: string };
      await this.#rest.post(Routes.channelMessages(channel.id), { body: { content: this.#linkify(message.content), allowed_mentions: { parse: [] } } });
      return true;
    } catch (error) {
      this.logger.info({ err: error, userId: String(userId) }, 'could not send a direct message');
      return false;
    }
  }

  #linkify(content: string): string {
    return this.mentions ? this.mentions.linkify(content) : content;
  }
}
