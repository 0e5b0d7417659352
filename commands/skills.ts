import { EmbedBuilder, SlashCommandBuilder } from 'discord.js';
import type { Command } from '../src/bot/command.ts';
import { budgetFromNow } from '../src/budget.ts';
import type { QueueEntry } from '../src/skills/skillsService.ts';
import { escapeMarkdown } from '../src/text.ts';
import { ownCharacterChoices } from './_characterOption.ts';
import { formatNumber, relative, ROMAN } from './_format.ts';

const skillName = (e: QueueEntry) => `${escapeMarkdown(e.skillName ?? `Skill ${e.skillId}`)} ${ROMAN[e.level] ?? e.level}`;

const skills: Command = {
  data: new SlashCommandBuilder()
    .setName('skills')
    .setDescription('Skill points and skill queue of your main character, or another of yours')
    .addStringOption((o) => o.setName('character').setDescription('One of your characters (default: your main)').setAutocomplete(true)),
  ephemeral: true,
  help: 'Skill points, the skill in training and the queue of your main (or `character:`). Needs the skills and skill queue scopes.',
  autocomplete: ownCharacterChoices,
  async execute(interaction, { services }) {
    const userId = BigInt(interaction.user.id);
    const option = interaction.options.getString('character');
    const character = option ? await services.characters.resolve(userId, option) : await services.skills.mainCharacter(userId);
    const summary = await services.skills.summary(character, budgetFromNow());

    const training = summary.training
      ? `${skillName(summary.training)}, finishes ${summary.training.finishesAt ? relative(summary.training.finishesAt) : 'when the queue resumes'}`
      : summary.queued > 0
        ? 'The queue is paused.'
        : 'Nothing is training.';
    const embed = new EmbedBuilder()
      .setTitle(`Skills of ${summary.name}`)
      .addFields(
        { name: 'Skill points', value: `${formatNumber(summary.totalSp)} SP${summary.unallocatedSp ? ` (+${formatNumber(summary.unallocatedSp)} unallocated)` : ''}`, inline: true },
        { name: 'Queue', value: summary.queued ? `${summary.queued} skill${summary.queued === 1 ? '' : 's'}${summary.queueEndsAt ? `, ends ${relative(summary.queueEndsAt)}` : ''}` : 'empty', inline: true },
        { name: 'In training', value: training },
      );
    if (summary.next.length) {
      embed.addFields({
        name: 'Next',
        value: summary.next.map((e) => `${skillName(e)}${e.finishesAt ? ` · ${relative(e.finishesAt)}` : ''}`).join('\n'),
      });
    }
    if (summary.finishedSinceUpdate) embed.setFooter({ text: `${summary.finishedSinceUpdate} queued skill(s) finished since EVE last updated the skill list; counted as trained.` });
    return { embeds: [embed] };
  },
};

export default skills;
