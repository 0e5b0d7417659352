/**
 * Wording of /roles: every reply as a pure function of plain data and the
 * command mentions, so each can be checked against Discord's limits without
 * an interaction. Role and member mentions are there to be read: no reply pings.
 */
import { ActionRowBuilder, ButtonBuilder, ButtonStyle, EmbedBuilder, roleMention } from 'discord.js';
import type { Reply } from '../src/bot/command.ts';
import type { CommandMentions } from '../src/bot/commandMentions.ts';
import { DISCORD_LIMITS, fitDescription, fitLines, fitText } from '../src/bot/replyLimits.ts';
import type { RoleRule, RoleSettings } from '../src/roles/ruleStore.ts';
import { escapeMarkdown } from '../src/text.ts';
import { formatNumber, plural } from './_format.ts';
import { COLOURS } from './_style.ts';

export type Mentions = Pick<CommandMentions, 'mention' | 'linkify'>;

const NO_PINGS = { parse: [] } as const;
const more = (n: number) => `… and ${formatNumber(n)} more`;
/** A plain-text reply, fitted and never pinging. */
const say = (content: string): Reply => ({ content: fitText(content, DISCORD_LIMITS.content), allowedMentions: NO_PINGS });
const template = (text: string) => `\`${text.replace(/`/g, "'")}\``;

function whoGets(rule: Pick<RoleRule, 'target' | 'through'>, targetName: string): string {
  if (rule.target.kind === 'linked') return 'members with a live linked login';
  return `members whose ${rule.through === 'any' ? 'any pilot' : 'main'} is in **${escapeMarkdown(targetName)}**`;
}

/** /roles add */
export function ruleAddedReply(input: { roleId: bigint; rule: Pick<RoleRule, 'target' | 'through'>; targetName: string; added: boolean }): Reply {
  const role = roleMention(String(input.roleId));
  const who = whoGets(input.rule, input.targetName);
  return say(input.added ? `${role} now goes to ${who}. The server is being synced.` : `That rule exists already: ${role} goes to ${who}.`);
}

/** /roles remove: the rules are gone; a button offers to take the role from everyone too. */
export function ruleRemovedReply(input: { roleId: bigint; removed: number }): Reply {
  const role = roleMention(String(input.roleId));
  if (input.removed === 0) return say(`${role} is not managed by the bot.`);
  const strip = new ButtonBuilder().setCustomId(`roles:strip:${input.roleId}`).setStyle(ButtonStyle.Danger).setLabel('Remove it from everyone');
  return {
    ...say(`${role} is no longer managed: members who have it keep it. Remove it from every member now?`),
    components: [new ActionRowBuilder<ButtonBuilder>().addComponents(strip)],
  };
}

/** The button of /roles remove. */
export function roleStrippedReply(input: { roleId: bigint; stripped: number }): Reply {
  return { ...say(`Removed ${roleMention(String(input.roleId))} from ${plural(input.stripped, 'member')}.`), components: [] };
}

export const NOTHING_CHANGED: Reply = { content: 'Nothing was changed.', components: [], allowedMentions: NO_PINGS };

/** /roles nickname */
export function nicknameReply(input: { template: string | null }): Reply {
  return say(input.template === null ? 'Nicknames are no longer set by the bot (current ones stay).' : `Nicknames now follow ${template(input.template)}. The server is being synced.`);
}

/** /roles settings: an embed like /audit settings; green right after a change. */
export function roleSettingsReply(input: { settings: RoleSettings; saved: boolean; mentions: Mentions }): Reply {
  const { settings } = input;
  const role = (id: bigint | null) => (id === null ? 'none' : roleMention(String(id)));
  const description = [
    `**Grace for dead logins:** ${plural(settings.graceHours, 'hour')}`,
    `**Nickname exempt role:** ${role(settings.nicknameExemptRoleId)}`,
    `**Role for members without a pilot:** ${role(settings.unlinkedRoleId)}`,
    `**Nickname template:** ${settings.nicknameTemplate === null ? `off (${input.mentions.mention('roles', 'nickname')} sets one)` : template(settings.nicknameTemplate)}`,
  ].join('\n');
  const embed = new EmbedBuilder()
    .setColor(COLOURS[input.saved ? 'ok' : 'info'])
    .setTitle(input.saved ? 'Role settings saved' : 'Role settings')
    .setDescription(fitText(description, DISCORD_LIMITS.description));
  if (input.saved) embed.setFooter({ text: 'The server is being synced.' });
  return { embeds: [embed], allowedMentions: NO_PINGS };
}

function describeRule(rule: RoleRule, names: Map<bigint, string>): string {
  if (rule.target.kind === 'linked') return 'members with a live linked login';
  const name = names.get(rule.target.id) ?? `${rule.target.kind} ${rule.target.id}`;
  return `${rule.through === 'any' ? 'any pilot' : 'main'} in **${escapeMarkdown(name)}**`;
}

export interface RoleStatus {
  rules: RoleRule[];
  counts: Map<bigint, { holders: number; qualify: number }>;
  /** what stops the sync, as the service words it (may name commands: they become mentions) */
  problems: string[];
}

/** /roles list: amber when something stops the sync, green when it runs, blue with no rule yet. */
export function roleListReply(input: { status: RoleStatus; names: Map<bigint, string>; mentions: Mentions }): Reply {
  const { status, names, mentions } = input;
  const byRole = new Map<bigint, RoleRule[]>();
  for (const rule of status.rules) byRole.set(rule.roleId, [...(byRole.get(rule.roleId) ?? []), rule]);
  const lines = [...byRole].map(([roleId, rules]) => {
    const counts = status.counts.get(roleId);
    const tally = counts ? ` · ${formatNumber(counts.holders)} hold it, ${formatNumber(counts.qualify)} qualify` : '';
    return `${roleMention(String(roleId))}: ${rules.map((r) => describeRule(r, names)).join(' or ')}${tally}`;
  });
  const tone = status.problems.length > 0 ? 'attention' : lines.length > 0 ? 'ok' : 'info';
  const embed = new EmbedBuilder()
    .setTitle('Role sync')
    .setColor(COLOURS[tone])
    .setDescription(fitLines(lines.length > 0 ? lines : [`No rules yet: add one with ${mentions.mention('roles', 'add')}.`], DISCORD_LIMITS.description, more));
  if (status.problems.length > 0) {
    embed.addFields({ name: 'What stops the sync', value: fitLines(status.problems.map((p) => mentions.linkify(p)), DISCORD_LIMITS.fieldValue, more) });
  }
  return { embeds: [embed], allowedMentions: NO_PINGS };
}

/** /roles preview: the lines the service wrote, fitted; neutral blue, as nothing happened yet. */
export function previewReply(input: { lines: string[]; displayName?: string | undefined; mentions: Mentions }): Reply {
  const embed = new EmbedBuilder()
    .setColor(COLOURS.info)
    .setTitle(fitText(input.displayName !== undefined ? `Preview for ${escapeMarkdown(input.displayName)}` : 'Preview: what a sync would change', DISCORD_LIMITS.title))
    .setDescription(
      fitDescription({
        lines: input.lines.length > 0 ? input.lines.map((l) => input.mentions.linkify(l)) : ['Nothing would change.'],
        more,
        ...(input.lines.length > 0 ? { tail: `${input.mentions.mention('roles', 'sync')} applies it now; the bot also syncs on its own.` } : {}),
      }),
    )
    .setFooter({ text: 'A dry run: nothing was written.' });
  return { embeds: [embed], allowedMentions: NO_PINGS };
}

export interface SyncCount {
  checked: number;
  changed: number;
  refused: number;
  total?: number | undefined;
}

/** /roles sync, while it runs (an edit every few seconds). */
export function syncProgressReply(progress: SyncCount): Reply {
  const of = progress.total ? ` of ${formatNumber(progress.total)}` : '';
  return say(`${formatNumber(progress.checked)}${of} members checked, ${formatNumber(progress.changed)} changed…`);
}

/** /roles sync, done. */
export function syncDoneReply(result: SyncCount, mentions: Mentions): Reply {
  const refused = result.refused > 0 ? `, ${formatNumber(result.refused)} refused by Discord (see ${mentions.mention('roles', 'list')})` : '';
  return say(`Sync done: ${plural(result.checked, 'member')} checked, ${formatNumber(result.changed)} changed${refused}.`);
}
