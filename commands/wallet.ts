import { SlashCommandBuilder } from 'discord.js';
import type { Command } from '../src/bot/command.ts';
import { budgetFromNow } from '../src/budget.ts';
import { ownCharacterChoices } from './_characterOption.ts';
import { refTypeName } from '../src/wallet/refTypes.ts';
import { walletDetailReply, walletOverviewReply } from './_walletFormat.ts';

const wallet: Command = {
  data: new SlashCommandBuilder()
    .setName('wallet')
    .setDescription('Wallet balances of your characters, or one character with its journal')
    .addStringOption((o) => o.setName('character').setDescription('One of your characters').setAutocomplete(true)),
  ephemeral: true,
  help: 'Balances of all your characters and the total; `character:` shows one exactly, with 30 days in and out and its journal. Needs the wallet scope.',
  autocomplete: ownCharacterChoices,
  async execute(interaction, { services, mentions }) {
    const userId = BigInt(interaction.user.id);
    const option = interaction.options.getString('character');
    const budget = budgetFromNow();

    if (option) {
      const character = await services.characters.resolve(userId, option);
      const now = new Date();
      const detail = await services.wallet.detail(character, budget, now);
      // The chart is a bonus: without it the reply is still whole.
      const chart = await services.wallet.chart(detail, now).catch((error: unknown) => {
        services.logger.warn({ err: error, characterId: String(character.id) }, 'balance chart failed');
        return undefined;
      });
      return walletDetailReply({ detail, now, refTypeName, ...(chart ? { chart } : {}) });
    }

    return walletOverviewReply(await services.wallet.overview(userId, budget), mentions);
  },
};

export default wallet;
