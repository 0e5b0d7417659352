import type { ChatInputCommandInteraction, User } from 'discord.js';

/**
 * The name this server shows for the member given in a user option:
 * nickname, else global name, else username. Undefined when the user is not
 * a member of the server (Discord resolves members only for the guild).
 * Raw: the caller escapes it where markdown renders.
 */
export function memberDisplayName(interaction: ChatInputCommandInteraction<'raw' | 'cached'>, option: string, user: User): string | undefined {
  const member = interaction.options.getMember(option);
  if (!member) return undefined;
  if ('displayName' in member && typeof member.displayName === 'string') return member.displayName;
  return ('nick' in member ? member.nick : null) ?? user.globalName ?? user.username;
}
