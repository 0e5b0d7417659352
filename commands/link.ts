import { ActionRowBuilder, ButtonBuilder, ButtonStyle, SlashCommandBuilder, time, TimestampStyles } from 'discord.js';
import type { Command } from '../src/bot/command.ts';
import { describeScopes } from './_scopes.ts';

const link: Command = {
  data: new SlashCommandBuilder().setName('link').setDescription('Link an EVE character to your Discord account through the EVE login'),
  ephemeral: true,
  help: 'Link an EVE character: log in with EVE Online in your browser. Link as many characters as you like; the first becomes your main.',
  async execute(interaction, { services }) {
    const start = await services.links.start({
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
    const button = new ButtonBuilder().setStyle(ButtonStyle.Link).setLabel('Log in with EVE Online').setURL(start.url);
    return {
      content: [
        'Log in with the EVE character you want to link. The bot will be allowed to:',
        describeScopes(start.scopes),
        `This button works once and expires ${time(start.expiresAt, TimestampStyles.RelativeTime)}. This message will change when the character is linked.`,
      ].join('\n'),
      components: [new ActionRowBuilder<ButtonBuilder>().addComponents(button)],
    };
  },
};

export default link;
