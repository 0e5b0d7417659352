/** The words of /help: what a member uses first, then the officers' commands. */
import type { APIEmbed } from 'discord.js';
import type { CommandDefinition, Reply } from '../src/bot/command.ts';
import type { CommandMentions } from '../src/bot/commandMentions.ts';
import { fitDescription } from '../src/bot/replyLimits.ts';
import { COLOURS } from './_style.ts';

type Mentions = Pick<CommandMentions, 'mention'>;

/** In the order a new member needs them. */
export const MEMBER_COMMANDS = ['link', 'characters', 'wallet', 'skills', 'unlink'] as const;
export const OFFICER_COMMANDS = ['audit', 'roles'] as const;

export function helpReply(commands: readonly Pick<CommandDefinition, 'data' | 'help'>[], mentions: Mentions): Reply {
  const byName = new Map(commands.map((c) => [c.data.name, c]));
  const line = (name: string) => `${mentions.mention(name)} — ${byName.get(name)!.help}`;
  const officers = new Set<string>(OFFICER_COMMANDS);
  const first = MEMBER_COMMANDS.filter((name) => byName.has(name));
  // Commands in neither list (this one, new ones) come after the members' first steps, by name.
  const others = [...byName.keys()].filter((name) => !first.includes(name as never) && !officers.has(name)).sort();
  const forOfficers = OFFICER_COMMANDS.filter((name) => byName.has(name));
  const lines = [...first, ...others].map(line);
  const tail = forOfficers.length ? ['**For officers**', ...forOfficers.map(line)].join('\n') : undefined;
  const embed: APIEmbed = {
    title: 'EVE corporation bot',
    color: COLOURS.info,
    description: fitDescription({
      head: `Start with ${mentions.mention('link')}: log in with EVE Online once per character.`,
      lines,
      more: (n) => `… and ${n} more`,
      ...(tail ? { tail } : {}),
    }),
    footer: { text: 'Replies are visible only to you.' },
  };
  return { embeds: [embed] };
}
