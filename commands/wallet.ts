import { EmbedBuilder, SlashCommandBuilder } from 'discord.js';
import type { Command } from '../src/bot/command.ts';
import { budgetFromNow } from '../src/budget.ts';
import { escapeMarkdown } from '../src/text.ts';
import { ownCharacterChoices } from './_characterOption.ts';
import { formatIsk, shortDateTime, words } from './_format.ts';

const wallet: Command = {
  data: new SlashCommandBuilder()
    .setName('wallet')
    .setDescription('Wallet balances of your characters, or one character with its journal')
    .addStringOption((o) => o.setName('character').setDescription('One of your characters').setAutocomplete(true)),
  ephemeral: true,
  help: 'Balances of all your characters and the total; `character:` shows one with its last 10 journal entries. Needs the wallet scope.',
  autocomplete: ownCharacterChoices,
  async execute(interaction, { services }) {
    const userId = BigInt(interaction.user.id);
    const option = interaction.options.getString('character');
    const budget = budgetFromNow();

    if (option) {
      const character = await services.characters.resolve(userId, option);
      const detail = await services.wallet.detail(character, budget);
      const lines = detail.journal.map(
        (e) =>
          `${shortDateTime(e.date)} · ${escapeMarkdown(words(e.refType))} · ${e.amount === undefined ? '—' : `**${formatIsk(e.amount)}**`}${e.balance === undefined ? '' : ` → ${formatIsk(e.balance)}`}`,
      );
      const embed = new EmbedBuilder()
        .setTitle(`Wallet of ${detail.name}`)
        .setDescription(`Balance: **${formatIsk(detail.balance)}**\n\n${lines.length ? `**Last ${lines.length} journal entries**\n${lines.join('\n')}` : 'No journal entries in the last 30 days.'}`.slice(0, 4096));
      return { embeds: [embed] };
    }

    const overview = await services.wallet.overview(userId, budget);
    if (overview.characters.length === 0) return { content: 'You have no linked characters yet. Use /link to link one.' };
    const lines = overview.characters.map((c) =>
      'balance' in c ? `**${escapeMarkdown(c.name)}**: ${formatIsk(c.balance)}` : `**${escapeMarkdown(c.name)}**: ⚠️ ${c.problem}`,
    );
    const embed = new EmbedBuilder()
      .setTitle('Your wallets')
      .setDescription(lines.join('\n').slice(0, 4000))
      .addFields({ name: 'Total', value: formatIsk(overview.total) });
    return { embeds: [embed] };
  },
};

export default wallet;
