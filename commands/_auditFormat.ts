/** Wording of /audit: the report, a member and the audit trail, as Discord markdown. */
import { time, TimestampStyles, userMention } from 'discord.js';
import type { AuditCharacter, AuditReport, TrackedCorporation } from '../src/audit/report.ts';
import type { TrailEvent } from '../src/audit/trail.ts';
import { MEMBERSHIP_SCOPE } from '../src/audit/corporationMembers.ts';
import { escapeMarkdown } from '../src/text.ts';
import { DISCORD_LIMITS, fitLines, type Field } from '../src/bot/replyLimits.ts';
import { formatNumber } from './_format.ts';

export type Names = Map<bigint, string>;

const seeCsv = (n: number) => `… and ${formatNumber(n)} more (see the CSV)`;
const more = (n: number) => `… and ${formatNumber(n)} more`;

export function entityName(names: Names, id: bigint | null, what: 'corporation' | 'alliance'): string {
  if (id === null) return `no ${what}`;
  const name = names.get(id);
  return name ? escapeMarkdown(name) : `${what} ${id}`;
}

const bold = (text: string) => `**${escapeMarkdown(text)}**`;
const plural = (n: number, one: string, many = `${one}s`) => `${formatNumber(n)} ${n === 1 ? one : many}`;

export const HOW_TO_ENABLE_MEMBERS_INTENT =
  'To audit every member of the server and list those who never linked, turn on the **Server Members Intent** ' +
  '(Discord Developer Portal → your application → Bot → Privileged Gateway Intents), set `DISCORD_MEMBERS_INTENT=true` and restart the bot.';

/** The summary's description: counts first, then what the numbers cover. */
export function summaryDescription(report: AuditReport): string {
  const t = report.totals;
  const lines = [
    `${bold(formatNumber(t.linkedMembers))} of ${plural(t.members, 'member')} linked ${plural(t.characters, 'character')} (${plural(t.mains, 'main')}, ${plural(t.alts, 'alt')}).`,
    `Logins: ✅ ${formatNumber(t.ok)} ok · ❌ ${formatNumber(t.dead)} dead · ⚠️ ${formatNumber(t.missingScopes)} missing scopes`,
  ];
  if (report.trackedCorporationIds.length > 0) {
    lines.push(`Tracked corporations: ${bold(formatNumber(t.missing))} members not linked · ${plural(t.left, 'character')} left`);
  } else {
    lines.push('No corporation is tracked yet: `/audit settings corporations:` chooses them.');
  }
  lines.push('');
  lines.push(
    report.membersListed
      ? 'Members: everyone in this server, as Discord lists them.'
      : `Members: the ${plural(t.members, 'user')} the bot has seen in this server (they used a command or /link here). ${HOW_TO_ENABLE_MEMBERS_INTENT}`,
  );
  if (!report.affiliationsLive) lines.push("⚠️ EVE's API did not answer: corporations are as last stored.");
  if (report.roleSync) {
    const { problems, inGrace } = report.roleSync;
    lines.push(
      `Role sync: ${problems === 0 ? '✅ no problem' : `⚠️ ${plural(problems, 'problem')} (see /roles list)`}${inGrace > 0 ? ` · ${plural(inGrace, 'member')} keep roles on a dead login until its grace ends` : ''}`,
    );
  }
  return lines.join('\n').slice(0, DISCORD_LIMITS.description);
}

export function summaryFields(report: AuditReport): Field[] {
  const max = DISCORD_LIMITS.fieldValue;
  const fields: Field[] = report.tracked.map((t) => trackedField(t, report.names));
  const owners = new Map(report.members.flatMap((m) => m.characters.map((c) => [c.id, m.discordUserId] as const)));
  const characters = report.members.flatMap((m) => m.characters);

  const left = characters.filter((c) => c.left);
  fields.push({
    name: `Left their corporation (${formatNumber(left.length)})`,
    value: fitLines(
      left.map((c) => `${bold(c.name)} (${userMention(String(owners.get(c.id)))}): ${entityName(report.names, c.previousCorporationId, 'corporation')} → ${entityName(report.names, c.corporationId, 'corporation')}`),
      max,
      seeCsv,
    ),
  });
  fields.push(byOwnerField(`Dead logins (${formatNumber(report.totals.dead)})`, report, (c) => c.health === 'invalid'));
  fields.push(byOwnerField(`Missing scopes (${formatNumber(report.totals.missingScopes)})`, report, (c) => c.health === 'missing_scopes'));
  fields.push({
    name: 'Corporations',
    value: fitLines(
      report.corporations.map((c) => `${entityName(report.names, c.id, 'corporation')}: ${plural(c.characters, 'character')}, ${plural(c.members, 'member')}`),
      max,
      seeCsv,
    ),
  });
  fields.push({
    name: 'Alliances',
    value: fitLines(
      report.alliances.map((a) => `${entityName(report.names, a.id, 'alliance')}: ${plural(a.characters, 'character')}, ${plural(a.members, 'member')}`),
      max,
      seeCsv,
    ),
  });
  if (report.membersListed) {
    const without = report.members.filter((m) => m.characters.length === 0);
    fields.push({
      name: `Members without a linked character (${formatNumber(without.length)})`,
      value: without.length === 0 ? 'None: everyone linked.' : fitLines(without.map((m) => userMention(String(m.discordUserId))), max, seeCsv, ' '),
    });
  }
  fields.push({ name: 'Recent events', value: fitLines(report.events.map((e) => eventLine(e, report.names)), max, more) });
  return fields;
}

function trackedField(t: TrackedCorporation, names: Names): Field {
  const name = `Missing from ${entityName(names, t.corporationId, 'corporation')}`;
  if (t.list === 'no_token') {
    return {
      name,
      value: `No member list: a member of this corporation must /link and grant \`${MEMBERSHIP_SCOPE}\` (reading the corporation's member list).`,
    };
  }
  if (t.list === 'failed') return { name, value: "EVE's API did not give the member list this time. Please try again in a few minutes." };
  const head = `${plural(t.memberCount, 'member')} · ${formatNumber(t.linkedHere)} linked here · **${formatNumber(t.missing.length)} not linked here**`;
  if (t.missing.length === 0) return { name, value: head };
  const list = fitLines(
    t.missing.map((id) => (names.has(id) ? escapeMarkdown(names.get(id)!) : `character ${id}`)),
    DISCORD_LIMITS.fieldValue - head.length - 1,
    seeCsv,
    ', ',
  );
  return { name, value: `${head}\n${list}` };
}

function byOwnerField(name: string, report: AuditReport, which: (c: AuditCharacter) => boolean): Field {
  const lines = report.members.flatMap((m) => {
    const chosen = m.characters.filter(which);
    return chosen.length === 0 ? [] : [`${userMention(String(m.discordUserId))}: ${chosen.map((c) => bold(c.name)).join(', ')}`];
  });
  return { name, value: fitLines(lines, DISCORD_LIMITS.fieldValue, seeCsv) };
}

export function loginStatus(c: AuditCharacter): string {
  if (c.health === 'ok') return '✅ login ok';
  if (c.health === 'invalid') return `❌ login dead${c.invalidReason ? ` (${escapeMarkdown(c.invalidReason)})` : ''}`;
  return `⚠️ missing ${c.missingScopes.map((s) => `\`${s}\``).join(', ')}`;
}

/** Two lines per character, for /audit member. */
export function characterLines(c: AuditCharacter, names: Names): string {
  const corporation = entityName(names, c.corporationId, 'corporation');
  const alliance = c.allianceId === null ? '' : ` · ${entityName(names, c.allianceId, 'alliance')}`;
  const left = c.left ? ` · left ${entityName(names, c.previousCorporationId, 'corporation')}` : '';
  const refreshed = c.lastRefreshedAt ? `last refresh ${time(c.lastRefreshedAt, TimestampStyles.RelativeTime)}` : 'never refreshed';
  return [
    `${bold(c.name)}${c.isMain ? ' (main)' : ''}: ${corporation}${alliance}${left}`,
    `${loginStatus(c)} · linked ${time(c.linkedAt, TimestampStyles.ShortDate)} · ${refreshed}`,
  ].join('\n');
}

/** One line of the audit trail. */
const roleOf = (e: TrailEvent) => (typeof e.detail.roleId === 'string' && /^\d+$/.test(e.detail.roleId) ? `<@&${e.detail.roleId}>` : 'a role');
/** The sync's reason without its "EVE role sync: " prefix (the event says what it is). */
const reasonOf = (e: TrailEvent) => (typeof e.detail.reason === 'string' ? ` (${escapeMarkdown(e.detail.reason.replace(/^EVE role sync: /, ''))})` : '');

export function eventLine(e: TrailEvent, names: Names): string {
  const who = e.discordUserId === null ? 'someone' : userMention(String(e.discordUserId));
  const character = typeof e.detail.name === 'string' ? bold(e.detail.name) : e.characterId === null ? 'a character' : `character ${e.characterId}`;
  const corp = (key: string) => {
    const value = e.detail[key];
    return typeof value === 'string' && /^\d+$/.test(value) ? entityName(names, BigInt(value), 'corporation') : 'unknown';
  };
  const from = typeof e.detail.fromDiscordUserId === 'string' ? ` from ${userMention(e.detail.fromDiscordUserId)}` : '';
  const text: Record<string, () => string> = {
    linked: () => `${who} linked ${character}`,
    relinked: () => `${who} renewed the login of ${character}`,
    moved: () => `${character} moved to ${who}${from}`,
    owner_changed: () => `${character} (${who}) changed EVE account`,
    unlinked: () => `${who} unlinked ${character}`,
    main_changed: () => `${who} made ${character} their main`,
    grant_invalid: () => `login of ${character} (${who}) died${typeof e.detail.reason === 'string' ? ` (${escapeMarkdown(e.detail.reason)})` : ''}`,
    refresh_failed: () => `refresh of ${character} (${who}) failed`,
    corporation_changed: () => `${character} (${who}) moved from ${corp('fromCorporationId')} to ${corp('toCorporationId')}`,
    settings_changed: () => `${who} changed the /audit settings`,
    guild_left: () => (e.discordUserId === null ? 'the bot was removed from this server' : `${who} left this server`),
    role_added: () => `${who} got ${roleOf(e)}${reasonOf(e)}`,
    role_removed: () => `${who} lost ${roleOf(e)}${reasonOf(e)}`,
    nickname_changed: () => `${who}'s nickname: ${typeof e.detail.reason === 'string' ? escapeMarkdown(e.detail.reason) : 'changed'}`,
    alliance_changed: () => `${character} (${who}) changed alliance`,
  };
  return `${time(e.at, TimestampStyles.ShortDate)} ${text[e.kind]?.() ?? `${escapeMarkdown(e.kind)}: ${character} (${who})`}`;
}
