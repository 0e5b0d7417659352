/** The words of /skills, as a pure function of the skills summary. */
import type { APIEmbed, APIEmbedField } from 'discord.js';
import type { Reply } from '../src/bot/command.ts';
import { DISCORD_LIMITS, fitFields, fitLines, fitText } from '../src/bot/replyLimits.ts';
import type { QueueEntry, SkillsSummary } from '../src/skills/skillsService.ts';
import { escapeMarkdown } from '../src/text.ts';
import { formatNumber, plural, relative, ROMAN } from './_format.ts';
import { COLOURS, portrait } from './_style.ts';

const skillName = (e: QueueEntry) => `${escapeMarkdown(e.skillName ?? `Skill ${e.skillId}`)} ${ROMAN[e.level] ?? e.level}`;

/** The warning at the top, when the queue needs the player: empty (since when, if EVE still lists the last skill) or paused. */
export function queueWarning(summary: SkillsSummary): string | undefined {
  if (summary.queued === 0) return `⚠️ Skill queue empty${summary.queueEmptySince ? ` since ${relative(summary.queueEmptySince)}` : ''}`;
  if (!summary.training) return '⏸️ Skill queue paused: nothing trains until it is resumed in EVE';
  return undefined;
}

export function skillsReply(summary: SkillsSummary): Reply {
  const training = summary.training
    ? `${skillName(summary.training)}, finishes ${summary.training.finishesAt ? relative(summary.training.finishesAt) : 'when the queue resumes'}`
    : summary.queued > 0
      ? 'The queue is paused.'
      : 'Nothing is training.';
  const warning = queueWarning(summary);
  const fields: APIEmbedField[] = [
    { name: 'Skill points', value: `${formatNumber(summary.totalSp)} SP${summary.unallocatedSp ? ` (+${formatNumber(summary.unallocatedSp)} unallocated)` : ''}`, inline: true },
    { name: 'Queue', value: summary.queued ? `${plural(summary.queued, 'skill')}${summary.queueEndsAt ? `, ends ${relative(summary.queueEndsAt)}` : ''}` : 'empty', inline: true },
    { name: 'In training', value: training },
  ];
  if (summary.next.length) {
    const lines = summary.next.map((e) => `${skillName(e)}${e.finishesAt ? ` · ${relative(e.finishesAt)}` : ''}`);
    fields.push({ name: 'Next', value: fitLines(lines, DISCORD_LIMITS.fieldValue, (n) => `… and ${plural(n, 'more skill', 'more skills')}`) });
  }
  const title = fitText(`Skills of ${summary.name}`, DISCORD_LIMITS.title);
  const footer = summary.finishedSinceUpdate
    ? `${plural(summary.finishedSinceUpdate, 'queued skill')} finished since EVE last updated the skill list; counted as trained.`
    : undefined;
  const used = title.length + (warning?.length ?? 0) + (footer?.length ?? 0);
  const embed: APIEmbed = {
    title,
    color: COLOURS[warning ? 'attention' : 'ok'],
    thumbnail: portrait(summary.characterId),
    ...(warning ? { description: warning } : {}),
    fields: fitFields(fields, used, (n) => ({ name: '…', value: `${plural(n, 'more part')} left out` })),
    ...(footer ? { footer: { text: footer } } : {}),
  };
  return { embeds: [embed] };
}
