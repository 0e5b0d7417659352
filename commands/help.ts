import { EmbedBuilder, SlashCommandBuilder } from 'discord.js';
import type { Command } from '../src/bot/command.ts';

const help: Command = {
  data: new SlashCommandBuilder().setName('help').setDescription('What this bot can do, and what each command needs'),
  ephemeral: true,
  help: 'Shows this list.',
  async execute(_interaction, { commands }) {
    const lines = [...commands]
      .sort((a, b) => a.data.name.localeCompare(b.data.name))
      .map((command) => `**/${command.data.name}** — ${command.help}`);
    const embed = new EmbedBuilder()
      .setTitle('EVE corporation bot')
      .setDescription(lines.join('\n'))
      .setFooter({ text: 'Replies are visible only to you.' });
    return { embeds: [embed] };
  },
};

export default help;
