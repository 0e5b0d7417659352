/** The words of /characters, as a pure function of the linked characters and their corporations. */
import type { APIEmbed } from 'discord.js';
import type { CommandMentions } from '../src/bot/commandMentions.ts';
import type { Reply } from '../src/bot/command.ts';
import { fitDescription } from '../src/bot/replyLimits.ts';
import type { LinkedCharacter } from '../src/links/characterService.ts';
import { escapeMarkdown } from '../src/text.ts';
import { plural, relative } from './_format.ts';
import { scopeName } from './_scopes.ts';
import { COLOURS, healthTone, portrait, worstTone } from './_style.ts';
import { MAIN_MARK } from './_walletFormat.ts';

type Mentions = Pick<CommandMentions, 'mention'>;

export interface CharacterView extends LinkedCharacter {
  corporation?: { name: string; ticker: string } | undefined;
  alliance?: { name: string } | undefined;
}

/** The login's state, with what to do about it. */
export function healthLine(c: Pick<LinkedCharacter, 'health' | 'missingScopes'>, mentions: Mentions): string {
  if (c.health === 'ok') return '✅ login ok';
  if (c.health === 'invalid') return `❌ login expired: ${mentions.mention('link')} to renew`;
  return `⚠️ missing ${c.missingScopes.map(scopeName).join(', ')}: ${mentions.mention('link')} to grant ${c.missingScopes.length === 1 ? 'it' : 'them'}`;
}

function block(c: CharacterView, mentions: Mentions): string {
  const corp = c.corporation
    ? `${escapeMarkdown(c.corporation.name)} [${escapeMarkdown(c.corporation.ticker)}]`
    : c.corporationId
      ? `corporation ${c.corporationId}`
      : 'corporation unknown';
  return [
    `${c.isMain ? `${MAIN_MARK} ` : ''}**${escapeMarkdown(c.name)}** · ${corp}${c.alliance ? ` · ${escapeMarkdown(c.alliance.name)}` : ''}`,
    `${healthLine(c, mentions)} · linked ${relative(c.linkedAt)}`,
  ].join('\n');
}

/** `newMain`: the character `main:` just made the main, confirmed at the top with its portrait. */
export function charactersReply(list: readonly CharacterView[], mentions: Mentions, newMain?: { id: bigint; name: string }): Reply {
  if (list.length === 0) return { content: `You have no linked characters yet. Use ${mentions.mention('link')} to link one.` };
  // The main first, as the service sorts them; kept so here whatever the caller passes.
  const ordered = [...list].sort((a, b) => Number(b.isMain) - Number(a.isMain));
  const embed: APIEmbed = {
    title: 'Your characters',
    color: COLOURS[worstTone(...ordered.map((c) => healthTone(c.health)))],
    description: fitDescription({
      ...(newMain ? { head: `${MAIN_MARK} **${escapeMarkdown(newMain.name)}** is now your main character.` } : {}),
      lines: ordered.map((c) => block(c, mentions)),
      separator: '\n\n',
      more: (n) => `… and ${plural(n, 'more character', 'more characters')}`,
    }),
    footer: { text: `${plural(list.length, 'character')} linked · /link adds one · /unlink removes one` },
    ...(newMain ? { thumbnail: portrait(newMain.id) } : {}),
  };
  return { embeds: [embed] };
}
