/**
 * What services may ask of Discord, without knowing Discord: the bot edge
 * (src/bot/notifier.ts) implements it. Both are best effort: a user who
 * blocked DMs or an expired interaction must not fail a link.
 */
export interface DiscordNotifier {
  /** Edit the first reply of an interaction (valid for 15 minutes after it). */
  editOriginalReply(applicationId: string, interactionToken: string, message: { content: string }): Promise<boolean>;
  /** Send a direct message; false when Discord refuses (DMs closed, unknown user). */
  sendDirectMessage(userId: bigint, message: DirectMessage): Promise<boolean>;
}

/** A button as Discord's API JSON (plain data: discord.js stays at the edge). */
export interface ButtonJson {
  type: 2;
  /** 1 primary, 2 secondary, 3 success, 4 danger, 5 link */
  style: 1 | 2 | 3 | 4 | 5;
  label: string;
  custom_id?: string;
  url?: string;
}

export interface ActionRowJson {
  type: 1;
  components: ButtonJson[];
}

export interface DirectMessage {
  /**
   * The text. A function gets the names of `guildIds`, in their order, each
   * undefined when Discord would not tell it (the bot left, Discord down).
   */
  content: string | ((guildNames: readonly (string | undefined)[]) => string);
  /** servers the text speaks of; the edge looks up their names */
  guildIds?: readonly bigint[];
  components?: readonly ActionRowJson[];
}

/** The DM button that starts a new /link (commands/link.ts answers it: its custom id starts with "link:"). */
export const RENEW_LOGIN_BUTTON_ID = 'link:renew';
