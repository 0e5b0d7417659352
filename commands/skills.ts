import { SlashCommandBuilder } from 'discord.js';
import type { Command } from '../src/bot/command.ts';
import { budgetFromNow } from '../src/budget.ts';
import { ownCharacterChoices } from './_characterOption.ts';
import { skillsReply } from './_skillsFormat.ts';

const skills: Command = {
  data: new SlashCommandBuilder()
    .setName('skills')
    .setDescription('Skill points and skill queue of your main character, or another of yours')
    .addStringOption((o) => o.setName('character').setDescription('One of your characters (default: your main)').setAutocomplete(true)),
  ephemeral: true,
  help: 'Skill points, the skill in training and the queue of your main (or `character:`); warns when the queue is empty. Needs the skills and skill queue scopes.',
  autocomplete: ownCharacterChoices,
  async execute(interaction, { services }) {
    const userId = BigInt(interaction.user.id);
    const option = interaction.options.getString('character');
    const character = option ? await services.characters.resolve(userId, option) : await services.skills.mainCharacter(userId);
    return skillsReply(await services.skills.summary(character, budgetFromNow()));
  },
};

export default skills;
