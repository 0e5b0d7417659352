import { SlashCommandBuilder, type ButtonInteraction, type ChatInputCommandInteraction } from 'discord.js';
import type { Command, CommandContext } from '../src/bot/command.ts';
import { RENEW_LOGIN_BUTTON_ID } from '../src/notify.ts';
import { linkReply } from './_linkFormat.ts';

/** A new pending login for whoever used the command or pressed the button; the reply (or the DM) is edited when it ends. */
function startLogin(interaction: ChatInputCommandInteraction | ButtonInteraction, { services }: CommandContext) {
  return services.links.start({
    discordUserId: BigInt(interaction.user.id),
    guildId: interaction.guildId ? BigInt(interaction.guildId) : null,
    interactionToken: interaction.token,
    applicationId: interaction.applicationId,
    // Shown on the confirmation page after the EVE login, so the browser can tell whose Discord account this is.
    account: {
      username: interaction.user.username,
      displayName: interaction.user.displayName,
      avatarUrl: interaction.user.displayAvatarURL({ extension: 'png', size: 64 }),
    },
  });
}

const link: Command = {
  data: new SlashCommandBuilder().setName('link').setDescription('Link an EVE character to your Discord account through the EVE login'),
  ephemeral: true,
  help: 'Link an EVE character: log in with EVE Online in your browser. Link as many characters as you like; the first becomes your main.',
  async execute(interaction, context) {
    return linkReply(await startLogin(interaction, context), context.mentions);
  },
  /**
   * "Log in again" under the DM about a dead login: the DM becomes a fresh
   * login button, keeping its first line (what happened).
   */
  async button(interaction, context) {
    if (interaction.customId !== RENEW_LOGIN_BUTTON_ID) return { content: 'This button is no longer active.', components: [] };
    const what = interaction.message.content.split('\n', 1)[0]?.trim();
    return linkReply(await startLogin(interaction, context), context.mentions, what || undefined);
  },
};

export default link;
