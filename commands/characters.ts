import { EmbedBuilder, SlashCommandBuilder, time, TimestampStyles } from 'discord.js';
import type { Command } from '../src/bot/command.ts';
import type { LinkedCharacter } from '../src/links/characterService.ts';
import { escapeMarkdown } from '../src/text.ts';
import type { Services } from '../src/services.ts';
import { ownCharacterChoices } from './_characterOption.ts';

const characters: Command = {
  data: new SlashCommandBuilder()
    .setName('characters')
    .setDescription('Your linked EVE characters and the state of their logins')
    .addStringOption((o) => o.setName('main').setDescription('Make this character your main').setAutocomplete(true)),
  ephemeral: true,
  help: 'Your linked characters, their corporations and login status. `main:` chooses your main character.',
  autocomplete: ownCharacterChoices,
  async execute(interaction, { services }) {
    const userId = BigInt(interaction.user.id);
    const mainOption = interaction.options.getString('main');
    let notice = '';
    if (mainOption) {
      const character = await services.characters.resolve(userId, mainOption);
      await services.characters.setMain(userId, character.id, interaction.guildId ? BigInt(interaction.guildId) : null);
      notice = `**${escapeMarkdown(character.name)}** is now your main character.\n\n`;
    }
    const list = await services.characters.list(userId);
    if (list.length === 0) return { content: 'You have no linked characters yet. Use /link to link one.' };
    const lines = await Promise.all(list.map((c) => describe(c, services)));
    const embed = new EmbedBuilder()
      .setTitle('Your characters')
      .setDescription(`${notice}${lines.join('\n\n')}`.slice(0, 4096))
      .setFooter({ text: `${list.length} linked · /link adds one · /unlink removes one` });
    return { embeds: [embed] };
  },
};

async function describe(c: LinkedCharacter, services: Services): Promise<string> {
  const [corporation, alliance] = await Promise.all([
    c.corporationId ? services.directory.corporation(c.corporationId).catch(() => undefined) : undefined,
    c.allianceId ? services.directory.alliance(c.allianceId).catch(() => undefined) : undefined,
  ]);
  const corp = corporation ? `${escapeMarkdown(corporation.name)} [${escapeMarkdown(corporation.ticker)}]` : c.corporationId ? `corporation ${c.corporationId}` : 'corporation unknown';
  const status =
    c.health === 'ok'
      ? '✅ login ok'
      : c.health === 'invalid'
        ? '❌ login expired or revoked: use /link to log in again'
        : `⚠️ missing scopes: ${c.missingScopes.map((s) => `\`${s}\``).join(', ')} (use /link to grant them)`;
  return [
    `**${escapeMarkdown(c.name)}**${c.isMain ? ' (main)' : ''}`,
    `${corp}${alliance ? ` · ${escapeMarkdown(alliance.name)}` : ''}`,
    `${status} · linked ${time(c.linkedAt, TimestampStyles.RelativeTime)}`,
  ].join('\n');
}

export default characters;
