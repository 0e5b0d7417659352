import { MessageFlags, MessagePayload, Routes, type ButtonInteraction, type ChatInputCommandInteraction, type REST } from 'discord.js';
import type { Reply } from './command.ts';

type Repliable = ChatInputCommandInteraction | ButtonInteraction;

/**
 * The one place that acknowledges an interaction. Discord allows exactly one
 * first response (reply, deferral or update) within 3 s; everything after it
 * edits. Calls are chained so a deferral timer and a handler's answer can
 * never both acknowledge.
 */
export class InteractionResponder {
  #chain: Promise<unknown> = Promise.resolve();
  #acknowledged = false;

  constructor(
    private readonly interaction: Repliable,
    private readonly ephemeral: boolean,
    /** for buttons: the answer replaces the message that holds the button */
    private readonly updatesMessage = false,
    /** REST for interaction webhooks, outside the bot's global rate limit (see interactionRest.ts) */
    private readonly webhookRest?: REST,
    /** called once, when Discord took the first response */
    private readonly onAcknowledged?: () => void,
  ) {}

  get acknowledged(): boolean {
    return this.#acknowledged || this.interaction.deferred || this.interaction.replied;
  }

  /** Acknowledge now ("thinking…") unless something already did. */
  defer(): Promise<void> {
    return this.#enqueue(async () => {
      if (this.acknowledged) return;
      if (this.updatesMessage && this.interaction.isButton()) await this.interaction.deferUpdate();
      else await this.interaction.deferReply(this.ephemeral ? { flags: MessageFlags.Ephemeral } : {});
      // Only once Discord took it: after a failed first response, the error reply must be a first response too.
      this.#firstResponse();
    });
  }

  /** Show the answer: the first response, or an edit of the deferred one. */
  send(reply: Reply): Promise<void> {
    return this.#enqueue(async () => {
      if (this.acknowledged) {
        await this.#editOriginal(reply);
        return;
      }
      if (this.updatesMessage && this.interaction.isButton()) {
        await this.interaction.update(reply);
      } else {
        await this.interaction.reply({ ...reply, ...(this.ephemeral ? { flags: MessageFlags.Ephemeral } : {}) } as never);
      }
      this.#firstResponse();
    });
  }

  /**
   * Show a failure, always privately: a public deferral is replaced by an
   * ephemeral follow-up, so an error never shows in the channel.
   */
  sendError(content: string): Promise<void> {
    // A refusal may quote a name; it never pings.
    const reply = { content, embeds: [], components: [], files: [], allowedMentions: { parse: [] } };
    if (this.ephemeral || this.updatesMessage) return this.send(reply);
    return this.#enqueue(async () => {
      if (!this.acknowledged) {
        await this.interaction.reply({ ...reply, flags: MessageFlags.Ephemeral });
        this.#firstResponse();
        return;
      }
      await this.interaction.followUp({ ...reply, flags: MessageFlags.Ephemeral });
      await this.interaction.deleteReply().catch(() => undefined);
    });
  }

  /** interaction.editReply, but sent on the webhook REST: same payload, no global rate limit. */
  async #editOriginal(reply: Reply): Promise<void> {
    if (!this.webhookRest) {
      await this.interaction.editReply(reply);
      return;
    }
    const { body, files } = await MessagePayload.create(this.interaction.webhook, reply).resolveBody().resolveFiles();
    await this.webhookRest.patch(Routes.webhookMessage(this.interaction.applicationId, this.interaction.token, '@original'), {
      body,
      files: files as never,
      auth: false,
    });
  }

  #firstResponse(): void {
    this.#acknowledged = true;
    this.onAcknowledged?.();
  }

  #enqueue(step: () => Promise<void>): Promise<void> {
    const next = this.#chain.then(step);
    this.#chain = next.catch(() => undefined);
    return next;
  }
}
