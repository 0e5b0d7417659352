import { SlashCommandBuilder } from 'discord.js';
import type { Command } from '../src/bot/command.ts';
import { helpReply } from './_helpFormat.ts';

const help: Command = {
  data: new SlashCommandBuilder().setName('help').setDescription('What this bot can do, and what each command needs'),
  ephemeral: true,
  help: 'Shows this list.',
  async execute(_interaction, { commands, mentions }) {
    return helpReply(commands, mentions);
  },
};

export default help;
