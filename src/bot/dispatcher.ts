import type { AutocompleteInteraction, ButtonInteraction, ChatInputCommandInteraction, Interaction } from 'discord.js';
import { MessageFlags, type REST } from 'discord.js';
import type { Logger } from '../log.ts';
import type { Command, CommandContext, Reply } from './command.ts';
import { errorReply } from './errorReplies.ts';
import { InteractionResponder } from './replies.ts';
import { fitChoices, fitReply } from './replyLimits.ts';

export interface DispatcherOptions {
  commands: Map<string, Command>;
  context: CommandContext;
  logger: Logger;
  /**
   * A handler still running after this long gets a deferral ("thinking…"),
   * well inside Discord's 3 s window: fast answers go out as one reply,
   * slow ones never lose the interaction.
   */
  deferAfterMs?: number;
  /**
   * With more commands than this in flight, new ones are deferred at once:
   * under a burst the event loop and ESI are shared, so waiting to see
   * whether a command is fast only delays its acknowledgement.
   */
  busyThreshold?: number;
  /** REST for interaction webhooks (createInteractionRest): edits skip the bot's global rate limit */
  webhookRest?: REST;
  /**
   * Called (not awaited by the reply) for every command or button used in a
   * guild: /audit learns who is in which guild from it.
   */
  onGuildUser?: (guildId: string, userId: string, username: string) => Promise<void>;
  /** told how each command and button ended, and how long Discord waited for the first response (metrics) */
  observer?: DispatchObserver;
}

export interface DispatchObserver {
  answered(name: string, outcome: 'ok' | 'refused' | 'error', seconds: number): void;
  /** from Discord creating the interaction to the bot's first response */
  acknowledged(lagSeconds: number): void;
}

/**
 * Routes interactions to commands, acknowledges in time, and turns every
 * failure into an ephemeral reply with an error id that is also logged.
 * Tracks in-flight work so shutdown can wait for it.
 */
export class Dispatcher {
  readonly #inFlight = new Set<Promise<void>>();
  #accepting = true;

  constructor(private readonly options: DispatcherOptions) {}

  get inFlight(): number {
    return this.#inFlight.size;
  }

  /**
   * Answers one interaction, whichever transport brought it. `firstResponse`
   * is called once Discord has taken the first response (the HTTP transport
   * answers Discord's POST then).
   */
  handle(interaction: Interaction, firstResponse?: () => void): Promise<void> {
    if (!this.#accepting) return this.#refuseWhileStopping(interaction, firstResponse);
    const work = this.#route(interaction, firstResponse).catch((error: unknown) => {
      this.options.logger.error({ err: error, interactionId: interaction.id }, 'interaction handling failed');
    });
    this.#inFlight.add(work);
    void work.finally(() => this.#inFlight.delete(work));
    return work;
  }

  /** Stop taking new interactions and wait (bounded) for those in flight. */
  async drain(timeoutMs: number): Promise<boolean> {
    this.#accepting = false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const done = Promise.allSettled([...this.#inFlight]).then(() => true as const);
    const finished = await Promise.race([done, timeout]);
    clearTimeout(timer);
    return finished;
  }

  async #route(interaction: Interaction, firstResponse: (() => void) | undefined): Promise<void> {
    const seen = this.#recordGuildUser(interaction);
    try {
      await this.#answer(interaction, firstResponse);
    } finally {
      await seen;
    }
  }

  /** Runs beside the handler; a failure only costs the audit one sighting, so it is logged and swallowed. */
  #recordGuildUser(interaction: Interaction): Promise<void> | undefined {
    const { onGuildUser } = this.options;
    if (!onGuildUser || !interaction.inGuild() || interaction.isAutocomplete()) return undefined;
    return onGuildUser(interaction.guildId, interaction.user.id, interaction.user.username).catch((error: unknown) => {
      this.options.logger.warn({ err: error, interactionId: interaction.id }, 'could not record the guild member');
    });
  }

  async #answer(interaction: Interaction, firstResponse: (() => void) | undefined): Promise<void> {
    if (interaction.isChatInputCommand()) return this.#command(interaction, firstResponse);
    if (interaction.isAutocomplete()) return this.#autocomplete(interaction, firstResponse);
    if (interaction.isButton()) return this.#button(interaction, firstResponse);
  }

  async #command(interaction: ChatInputCommandInteraction, firstResponse: (() => void) | undefined): Promise<void> {
    const command = this.options.commands.get(interaction.commandName);
    const responder = new InteractionResponder(interaction, command?.ephemeral ?? true, false, this.options.webhookRest, this.#acknowledged(interaction, firstResponse));
    if (!command) {
      await responder.send({ content: 'This command is not known to the bot any more; it may have been removed.' });
      return;
    }
    await this.#run(responder, command.data.name, { command: command.data.name, interactionId: interaction.id, userId: interaction.user.id }, () =>
      command.execute(interaction, this.options.context),
      interaction.createdTimestamp,
    );
  }

  async #button(interaction: ButtonInteraction, firstResponse: (() => void) | undefined): Promise<void> {
    const [name] = interaction.customId.split(':', 1);
    const command = name ? this.options.commands.get(name) : undefined;
    const responder = new InteractionResponder(interaction, true, true, this.options.webhookRest, this.#acknowledged(interaction, firstResponse));
    if (!command?.button) {
      await responder.send({ content: 'This button is no longer active.', components: [] });
      return;
    }
    await this.#run(responder, `${command.data.name}:button`, { button: interaction.customId, interactionId: interaction.id, userId: interaction.user.id }, () =>
      command.button!(interaction, this.options.context),
    );
  }

  async #autocomplete(interaction: AutocompleteInteraction, firstResponse: (() => void) | undefined): Promise<void> {
    const command = this.options.commands.get(interaction.commandName);
    let choices: { name: string; value: string }[] = [];
    try {
      choices = (await command?.autocomplete?.(interaction, this.options.context)) ?? [];
    } catch (error) {
      // An autocomplete cannot show an error; an empty list is the honest answer.
      this.options.logger.warn({ err: error, command: interaction.commandName }, 'autocomplete failed');
    }
    await interaction.respond(fitChoices(choices));
    firstResponse?.();
  }

  /** The responder's hook for its first response: the acknowledgement lag, measured from the interaction's creation, and the transport's hook. */
  #acknowledged(interaction: ChatInputCommandInteraction | ButtonInteraction, firstResponse: (() => void) | undefined): () => void {
    const { observer } = this.options;
    return () => {
      observer?.acknowledged(Math.max(0, Date.now() - interaction.createdTimestamp) / 1000);
      firstResponse?.();
    };
  }

  async #run(responder: InteractionResponder, name: string, fields: Record<string, string>, handler: () => Promise<Reply>, createdAt?: number): Promise<void> {
    const started = performance.now();
    // How long the interaction took to reach us (its id holds Discord's creation time).
    const lagMs = createdAt === undefined ? undefined : Date.now() - createdAt;
    const busy = this.#inFlight.size > (this.options.busyThreshold ?? 8);
    const deferTimer = setTimeout(
      () => {
        responder.defer().catch((error: unknown) => this.options.logger.warn({ err: error, ...fields }, 'deferral failed'));
      },
      busy ? 0 : (this.options.deferAfterMs ?? 1_500),
    );
    try {
      const { reply, cut } = fitReply(await handler());
      clearTimeout(deferTimer);
      // A formatter that leaves this to the safety net has a bug: the reply still goes out, cut.
      if (cut.length > 0) this.options.logger.warn({ ...fields, cut }, 'reply did not fit Discord limits; cut');
      await responder.send(reply);
      this.options.observer?.answered(name, 'ok', (performance.now() - started) / 1000);
      this.options.logger.info({ ...fields, ms: Math.round(performance.now() - started), lagMs }, 'interaction answered');
    } catch (error) {
      clearTimeout(deferTimer);
      const { content, errorId } = errorReply(error);
      if (errorId) this.options.logger.error({ err: error, errorId, ...fields }, 'command failed');
      else this.options.logger.info({ ...fields, reason: (error as Error).name }, 'command refused');
      this.options.observer?.answered(name, errorId ? 'error' : 'refused', (performance.now() - started) / 1000);
      await responder.sendError(this.options.context.mentions.linkify(content));
    }
  }

  async #refuseWhileStopping(interaction: Interaction, firstResponse: (() => void) | undefined): Promise<void> {
    if (interaction.isAutocomplete()) return interaction.respond([]).then(firstResponse, () => undefined);
    if (!interaction.isRepliable()) return;
    await interaction
      .reply({ content: 'The bot is restarting; please try again in a moment.', flags: MessageFlags.Ephemeral })
      .then(firstResponse, () => undefined);
  }
}
