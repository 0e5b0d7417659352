import { SlashCommandBuilder } from 'discord.js';
import type { Command } from '../src/bot/command.ts';
import type { Services } from '../src/services.ts';
import type { LinkedCharacter } from '../src/links/characterService.ts';
import { ownCharacterChoices } from './_characterOption.ts';
import { charactersReply, type CharacterView } from './_charactersFormat.ts';

const characters: Command = {
  data: new SlashCommandBuilder()
    .setName('characters')
    .setDescription('Your linked EVE characters and the state of their logins')
    .addStringOption((o) => o.setName('main').setDescription('Make this character your main').setAutocomplete(true)),
  ephemeral: true,
  help: 'Your linked characters, their corporations and login status. `main:` chooses your main character.',
  autocomplete: ownCharacterChoices,
  async execute(interaction, { services, mentions }) {
    const userId = BigInt(interaction.user.id);
    const mainOption = interaction.options.getString('main');
    let newMain: { id: bigint; name: string } | undefined;
    if (mainOption) {
      const character = await services.characters.resolve(userId, mainOption);
      await services.characters.setMain(userId, character.id, interaction.guildId ? BigInt(interaction.guildId) : null);
      newMain = character;
    }
    const list = await services.characters.list(userId);
    return charactersReply(await Promise.all(list.map((c) => withNames(c, services))), mentions, newMain);
  },
};

/** Corporation and alliance names from ESI (cached); a failed lookup shows the id instead. */
async function withNames(c: LinkedCharacter, services: Services): Promise<CharacterView> {
  const [corporation, alliance] = await Promise.all([
    c.corporationId ? services.directory.corporation(c.corporationId).catch(() => undefined) : undefined,
    c.allianceId ? services.directory.alliance(c.allianceId).catch(() => undefined) : undefined,
  ]);
  return { ...c, corporation, alliance };
}

export default characters;
