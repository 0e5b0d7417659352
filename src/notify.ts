/**
 * What services may ask of Discord, without knowing Discord: the bot edge
 * (src/bot/notifier.ts) implements it. Both are best effort: a user who
 * blocked DMs or an expired interaction must not fail a link.
 */
export interface DiscordNotifier {
  /** Edit the first reply of an interaction (valid for 15 minutes after it). */
  editOriginalReply(applicationId: string, interactionToken: string, message: { content: string }): Promise<boolean>;
  /** Send a direct message; false when Discord refuses (DMs closed, unknown user). */
  sendDirectMessage(userId: bigint, message: { content: string }): Promise<boolean>;
}
