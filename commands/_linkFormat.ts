/** The words of /link and of the dead-login DM's "log in again" button. */
import { ActionRowBuilder, ButtonBuilder, ButtonStyle } from 'discord.js';
import type { Reply } from '../src/bot/command.ts';
import type { CommandMentions } from '../src/bot/commandMentions.ts';
import { DISCORD_LIMITS, fitText } from '../src/bot/replyLimits.ts';
import { relative } from './_format.ts';
import { describeScopes } from './_scopes.ts';

type Mentions = Pick<CommandMentions, 'mention'>;


/**
 * The login button and what it lets the bot read, one line per scope saying
 * why. `before`: a line kept above it (the DM's "your login expired").
 */
export function linkReply(start: { url: string; scopes: readonly string[]; expiresAt: Date }, mentions: Mentions, before?: string): Reply {
  const body = [
    'Log in with the EVE character you want to link. The bot asks to read:',
    describeScopes(start.scopes, mentions),
    `The button works once and expires ${relative(start.expiresAt)}. This message changes when the character is linked.`,
  ].join('\n');
  const button = new ButtonBuilder().setStyle(ButtonStyle.Link).setLabel('Log in with EVE Online').setURL(start.url);
  return {
    content: fitText(before ? `${before}\n\n${body}` : body, DISCORD_LIMITS.content),
    components: [new ActionRowBuilder<ButtonBuilder>().addComponents(button)],
  };
}
