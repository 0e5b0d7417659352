import { ActionRowBuilder, ButtonBuilder, ButtonStyle, SlashCommandBuilder } from 'discord.js';
import type { Command, Reply } from '../src/bot/command.ts';
import type { CommandMentions } from '../src/bot/commandMentions.ts';
import { DISCORD_LIMITS, fitText } from '../src/bot/replyLimits.ts';
import { parseId } from '../src/ids.ts';
import { NotYourCharacterError } from '../src/links/characterService.ts';
import { escapeMarkdown } from '../src/text.ts';
import { ownCharacterChoices } from './_characterOption.ts';

type Mentions = Pick<CommandMentions, 'mention'>;

/** The question, with a red button naming the character (the destructive choice) and Cancel. */
export function unlinkQuestion(character: { id: bigint; name: string }, mentions: Mentions): Reply {
  const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder().setCustomId(`unlink:confirm:${character.id}`).setStyle(ButtonStyle.Danger).setLabel(fitText(`Unlink ${character.name}`, DISCORD_LIMITS.buttonLabel)),
    new ButtonBuilder().setCustomId('unlink:cancel').setStyle(ButtonStyle.Secondary).setLabel('Cancel'),
  );
  return {
    content: `Unlink **${escapeMarkdown(character.name)}**? The bot forgets its login and revokes its EVE authorization. You can link it again with ${mentions.mention('link')}.`,
    components: [row],
  };
}

export function unlinkDone(result: { name: string; revoked: boolean }, mentions: Mentions): Reply {
  const name = `**${escapeMarkdown(result.name)}**`;
  return {
    content: result.revoked
      ? `Unlinked ${name}; its EVE authorization is revoked. ${mentions.mention('characters')} shows the characters you still have linked.`
      : `Unlinked ${name}. ⚠️ Its EVE authorization could not be revoked right now: revoke it on the EVE website under third-party applications.`,
    components: [],
  };
}

const unlink: Command = {
  data: new SlashCommandBuilder()
    .setName('unlink')
    .setDescription('Remove one of your linked EVE characters')
    .addStringOption((o) => o.setName('character').setDescription('The character to unlink').setAutocomplete(true).setRequired(true)),
  ephemeral: true,
  help: 'Unlink one of your characters (asks to confirm). Its EVE login is revoked.',
  autocomplete: ownCharacterChoices,
  async execute(interaction, { services, mentions }) {
    const character = await services.characters.resolve(BigInt(interaction.user.id), interaction.options.getString('character', true));
    return unlinkQuestion(character, mentions);
  },
  async button(interaction, { services, mentions }) {
    const [, action, idText] = interaction.customId.split(':');
    if (action !== 'confirm' || idText === undefined) return { content: 'Nothing was unlinked.', components: [] };
    // A custom id can be forged: an id out of range is "not one of yours", like anyone else's.
    const id = parseId(idText);
    if (id === undefined) throw new NotYourCharacterError();
    const result = await services.characters.unlink(BigInt(interaction.user.id), id, interaction.guildId ? BigInt(interaction.guildId) : null);
    return unlinkDone(result, mentions);
  },
};

export default unlink;
