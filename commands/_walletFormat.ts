/**
 * The words of /wallet, as pure functions of the service's data: what
 * matters first (the total, the balance), one short line per character or
 * journal entry, readable on a phone, always within Discord's limits.
 */
import type { APIEmbed } from 'discord.js';
import { AttachmentBuilder } from 'discord.js';
import type { CommandMentions } from '../src/bot/commandMentions.ts';
import type { Reply } from '../src/bot/command.ts';
import { DISCORD_LIMITS, fitDescription, fitText } from '../src/bot/replyLimits.ts';
import { escapeMarkdown } from '../src/text.ts';
import type { CharacterBalance, WalletDetail, WalletOverview, WalletProblem } from '../src/wallet/walletService.ts';
import { TOTALS_DAYS } from '../src/wallet/walletService.ts';
import { refTypeName as refTypeInWords } from '../src/wallet/refTypes.ts';
import { formatIsk, formatIskCompact, formatNumber, plural } from './_format.ts';
import { COLOURS, portrait, type Tone } from './_style.ts';

type Mentions = Pick<CommandMentions, 'mention'>;

/** the marker of the main character, in every list of characters */
export const MAIN_MARK = '⭐';
export const CHART_FILE = 'balance.png';
/** journal lines shown under the totals: a phone screen and a half */
export const JOURNAL_LINES = 20;

/** "+1.23m ISK", "−45.6k ISK": a real minus sign, so in and out read apart at a glance. */
export function signedCompact(amount: number): string {
  const text = formatIskCompact(Math.abs(amount));
  return amount < 0 ? `−${text}` : `+${text}`;
}

/** "5 min", "3h", "30h", "2d": how long ago, in as few characters as a phone line allows. */
export function shortAgo(date: Date, now: Date): string {
  const minutes = Math.max(0, Math.floor((now.getTime() - date.getTime()) / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  // Hours up to two days: "1d" would lump a whole day of entries together.
  if (hours < 48) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}

/** What a missing balance says, with the command that fixes it (the name is already on the line). */
export function problemText(problem: WalletProblem, mentions: Mentions): string {
  switch (problem) {
    case 'login_expired':
      return `login expired: ${mentions.mention('link')} to renew`;
    case 'missing_scope':
      return `no wallet access: ${mentions.mention('link')} to grant it`;
    case 'login_server_down':
      return 'the EVE login server is not answering right now; the login is safe, try again in a minute';
    case 'unavailable':
      return 'could not be read right now; try again in a minute';
  }
}

const PROBLEM_SHORT: Record<WalletProblem, string> = { login_expired: 'login expired', missing_scope: 'no wallet access', login_server_down: 'EVE login server not answering', unavailable: 'not readable now' };

function characterLine(c: CharacterBalance, mentions: Mentions): string {
  const name = `${c.isMain ? `${MAIN_MARK} ` : ''}**${escapeMarkdown(c.name)}**`;
  return 'balance' in c ? `${name} · ${formatIskCompact(c.balance)}` : `${name} · ⚠️ ${problemText(c.problem, mentions)}`;
}

/** "Total 4.56b ISK (without Alt Two: login expired)"; with many left out, how many instead of every name. */
function totalLine(overview: WalletOverview): string {
  const missing = overview.characters.filter((c): c is Extract<CharacterBalance, { problem: WalletProblem }> => 'problem' in c);
  const total = `**Total ${formatIskCompact(overview.total)}**`;
  if (missing.length === 0) return total;
  if (missing.length <= 3) {
    const without = missing.map((c) => `${escapeMarkdown(c.name)}: ${PROBLEM_SHORT[c.problem]}`).join('; ');
    // Names are at most 37 characters in EVE; the cut only guards against anything else.
    return `${total} (without ${fitText(without, 600)})`;
  }
  return `${total} (without ${plural(missing.length, 'character')} that could not be read)`;
}

export function walletOverviewReply(overview: WalletOverview, mentions: Mentions): Reply {
  if (overview.characters.length === 0) return { content: `You have no linked characters yet. Use ${mentions.mention('link')} to link one.` };
  const unread = overview.characters.filter((c) => 'problem' in c).length;
  const tone: Tone = unread === 0 ? 'ok' : unread === overview.characters.length ? 'problem' : 'attention';
  const embed: APIEmbed = {
    title: 'Your wallets',
    color: COLOURS[tone],
    description: fitDescription({
      head: totalLine(overview),
      lines: overview.characters.map((c) => characterLine(c, mentions)),
      more: (n) => `… and ${plural(n, 'more character', 'more characters')}`,
    }),
    footer: { text: 'Compact amounts · /wallet character: shows one exactly, with its journal' },
  };
  return { embeds: [embed] };
}

export interface WalletDetailInput {
  detail: WalletDetail;
  now: Date;
  /** "bounty_prizes" → "Bounty prizes" */
  refTypeName?: (refType: string) => string;
  /** the balance chart (PNG), shown as the embed's image */
  chart?: Buffer;
  maxLines?: number;
}

export function walletDetailReply({ detail, now, refTypeName = refTypeInWords, chart, maxLines = JOURNAL_LINES }: WalletDetailInput): Reply {
  // The balance exactly (the user asked for this character); the totals compact, so each fits one phone line.
  const head = [
    `Balance **${formatIsk(detail.balance)}**`,
    `Last ${TOTALS_DAYS} days: **${signedCompact(detail.moneyIn)}** in · **${signedCompact(detail.moneyOut)}** out`,
    ...(detail.partial ? [`⚠️ The journal is longer than EVE's first page (2,500 entries): the totals leave older entries out.`] : []),
  ].join('\n');
  const shown = detail.journal.slice(0, maxLines);
  const hidden = detail.journal.length - shown.length;
  const lines = shown.map((e) => {
    // "ISK" once in the heading, not on every line: each entry fits one phone line.
    const amount = e.amount === undefined ? '—' : `**${signedCompact(e.amount).replace(/ ISK$/, '')}**`;
    return `\`${shortAgo(e.date, now).padStart(6, ' ')}\` ${amount} ${escapeMarkdown(refTypeName(e.refType))}`;
  });
  const more = (left: number) => `… and ${formatNumber(left + hidden)} more in the last ${TOTALS_DAYS} days`;
  let description = `${head}\n\nNo journal entries in the last ${TOTALS_DAYS} days.`;
  if (detail.journal.length) {
    // Room for the note on the entries not shown, should the list itself fit.
    const note = more(0);
    const room = DISCORD_LIMITS.description - (hidden > 0 ? note.length + 1 : 0);
    const list = fitDescription({ head: `${head}\n\n**Journal** (ISK), newest first`, lines, more }, room);
    description = hidden > 0 && !list.endsWith(note) && !/… and [\d,]+ more in the last/.test(list) ? `${list}\n${note}` : list;
  }
  const embed: APIEmbed = {
    // The portrait beside the name, not as a thumbnail: a thumbnail takes a column, and journal lines would wrap on a phone.
    author: { name: fitText(detail.name, DISCORD_LIMITS.authorName), icon_url: portrait(detail.characterId).url },
    title: 'Wallet',
    color: COLOURS[detail.partial ? 'attention' : 'ok'],
    description,
    ...(chart ? { image: { url: `attachment://${CHART_FILE}` } } : {}),
  };
  return { embeds: [embed], ...(chart ? { files: [new AttachmentBuilder(chart, { name: CHART_FILE })] } : {}) };
}
