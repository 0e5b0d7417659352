import { ActionRowBuilder, ButtonBuilder, ButtonStyle, SlashCommandBuilder } from 'discord.js';
import type { Command } from '../src/bot/command.ts';
import { parseId } from '../src/ids.ts';
import { NotYourCharacterError } from '../src/links/characterService.ts';
import { escapeMarkdown } from '../src/text.ts';
import { ownCharacterChoices } from './_characterOption.ts';

const unlink: Command = {
  data: new SlashCommandBuilder()
    .setName('unlink')
    .setDescription('Remove one of your linked EVE characters')
    .addStringOption((o) => o.setName('character').setDescription('The character to unlink').setAutocomplete(true).setRequired(true)),
  ephemeral: true,
  help: 'Unlink one of your characters (asks to confirm). Its EVE login is revoked.',
  autocomplete: ownCharacterChoices,
  async execute(interaction, { services }) {
    const character = await services.characters.resolve(BigInt(interaction.user.id), interaction.options.getString('character', true));
    const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
      new ButtonBuilder().setCustomId(`unlink:confirm:${character.id}`).setStyle(ButtonStyle.Danger).setLabel(`Unlink ${character.name}`.slice(0, 80)),
      new ButtonBuilder().setCustomId('unlink:cancel').setStyle(ButtonStyle.Secondary).setLabel('Cancel'),
    );
    return {
      content: `Unlink **${escapeMarkdown(character.name)}**? The bot forgets its login, and its EVE authorization is revoked.`,
      components: [row],
    };
  },
  async button(interaction, { services }) {
    const [, action, idText] = interaction.customId.split(':');
    if (action !== 'confirm' || idText === undefined) return { content: 'Nothing was unlinked.', components: [] };
    // A custom id can be forged: an id out of range is "not one of yours", like anyone else's.
    const id = parseId(idText);
    if (id === undefined) throw new NotYourCharacterError();
    const result = await services.characters.unlink(BigInt(interaction.user.id), id, interaction.guildId ? BigInt(interaction.guildId) : null);
    return {
      content: `Unlinked **${escapeMarkdown(result.name)}**.${result.revoked ? '' : ' (Its EVE authorization could not be revoked right now; you can revoke it on the EVE website.)'}`,
      components: [],
    };
  },
};

export default unlink;
