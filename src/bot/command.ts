import type {
  AutocompleteInteraction,
  ButtonInteraction,
  ChatInputCommandInteraction,
  InteractionEditReplyOptions,
  InteractionReplyOptions,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { Services } from '../services.ts';
import type { CommandMentions } from './commandMentions.ts';

/** What a handler answers with; the dispatcher decides whether it is a reply or an edit of a deferral. */
export type Reply = Omit<InteractionReplyOptions, 'flags' | 'ephemeral' | 'fetchReply' | 'withResponse'> &
  Omit<InteractionEditReplyOptions, 'message'>;

export interface CommandContext {
  services: Services;
  /** every registered command, for /help */
  commands: readonly CommandDefinition[];
  /** clickable `</name:id>` mentions of the commands */
  mentions: CommandMentions;
}

/** One module under commands/: what the user types, and what they see. */
export interface Command {
  readonly data: { readonly name: string; toJSON(): RESTPostAPIChatInputApplicationCommandsJSONBody };
  /** replies are visible only to the user who typed the command */
  readonly ephemeral: boolean;
  /** short line for /help: what the command does and what it needs */
  readonly help: string;
  execute(interaction: ChatInputCommandInteraction, context: CommandContext): Promise<Reply>;
  autocomplete?(interaction: AutocompleteInteraction, context: CommandContext): Promise<{ name: string; value: string }[]>;
  /** buttons whose custom id starts with "<command name>:" */
  button?(interaction: ButtonInteraction, context: CommandContext): Promise<Reply>;
}

export type CommandDefinition = Pick<Command, 'data' | 'help'>;
