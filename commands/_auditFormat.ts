/**
 * Wording of /audit: every reply as a pure function of plain data and the
 * command mentions, so each can be checked against Discord's limits without
 * an interaction. Words: "members" are Discord people, "pilots" EVE characters.
 */
import { AttachmentBuilder, EmbedBuilder, userMention } from 'discord.js';
import type { Reply } from '../src/bot/command.ts';
import type { CommandMentions } from '../src/bot/commandMentions.ts';
import { DISCORD_LIMITS, fitDescription, fitFields, fitLines, fitText, type Field } from '../src/bot/replyLimits.ts';
import { MEMBERSHIP_SCOPE } from '../src/audit/corporationMembers.ts';
import { auditCsv, auditCsvContents, auditCsvFileName } from '../src/audit/exportCsv.ts';
import { loginReasonWords } from '../src/audit/loginReasons.ts';
import type { AuditCharacter, AuditMember, AuditReport, TrackedCorporation } from '../src/audit/report.ts';
import { MAX_TRACKED_CORPORATIONS, type AuditSettings } from '../src/audit/settings.ts';
import type { TrailEvent } from '../src/audit/trail.ts';
import { escapeMarkdown } from '../src/text.ts';
import { formatNumber, plural, relative, shortDateTime } from './_format.ts';
import { COLOURS, healthTone, portrait, worstTone, type Tone } from './_style.ts';

export type Names = Map<bigint, string>;
export type Mentions = Pick<CommandMentions, 'mention'>;

/** Nothing in an /audit reply pings: it names members and roles to read, not to call. */
const NO_PINGS = { parse: [] } as const;

const seeCsv = (n: number) => `… and ${formatNumber(n)} more (see the CSV)`;
const more = (n: number) => `… and ${formatNumber(n)} more`;
const bold = (text: string) => `**${escapeMarkdown(text)}**`;

export function entityName(names: Names, id: bigint | null, what: 'corporation' | 'alliance'): string {
  if (id === null) return `no ${what}`;
  const name = names.get(id);
  return name ? escapeMarkdown(name) : `${what} ${id}`;
}

export const HOW_TO_ENABLE_MEMBERS_INTENT =
  'To audit every member of the server and list those who never linked, turn on the **Server Members Intent** ' +
  '(Discord Developer Portal → your application → Bot → Privileged Gateway Intents), set `DISCORD_MEMBERS_INTENT=true` and restart the bot.';

const EVE_SILENT = "⚠️ EVE's API did not answer: corporations are as last stored.";

// ---- /audit summary ----

export interface SummaryInput {
  report: AuditReport;
  guildName: string | null;
  mentions: Mentions;
}

/** Green all good; amber pilots left, not linked, missing scopes or a blind spot; red a dead login. */
export function summaryTone(report: AuditReport): Tone {
  const t = report.totals;
  const withoutPilot = report.membersListed && report.members.some((m) => m.characters.length === 0);
  const attention =
    t.left > 0 ||
    t.missing > 0 ||
    t.missingScopes > 0 ||
    withoutPilot ||
    !report.affiliationsLive ||
    report.tracked.some((c) => c.list !== 'ok') ||
    (report.roleSync?.problems ?? 0) > 0;
  return t.dead > 0 ? 'problem' : attention ? 'attention' : 'ok';
}

/** Findings first (what an officer acts on), then the counts; notes go to the footer. */
export function summaryDescription(report: AuditReport, mentions: Mentions): string {
  const t = report.totals;
  const link = mentions.mention('link');
  const without = report.membersListed ? report.members.filter((m) => m.characters.length === 0).length : 0;
  const findings: string[] = [];
  if (t.dead > 0) findings.push(`❌ ${bold(plural(t.dead, 'dead login'))}: their members must ${link} again`);
  if (t.left > 0) findings.push(`🚪 ${bold(plural(t.left, 'pilot'))} left their corporation`);
  if (t.missing > 0) findings.push(`❓ ${bold(plural(t.missing, 'pilot'))} of tracked corporations not linked by any member here`);
  if (without > 0) findings.push(`👤 ${bold(plural(without, 'member'))} without a linked pilot`);
  if (t.missingScopes > 0) findings.push(`⚠️ ${bold(plural(t.missingScopes, 'pilot'))} missing scopes: their members must ${link} again to grant them`);
  if (findings.length === 0) findings.push('✅ Nothing needs attention: no dead login, nobody left, nobody missing.');

  const counts = [
    `${bold(formatNumber(t.linkedMembers))} of ${plural(t.members, 'member')} linked ${plural(t.characters, 'pilot')} (${plural(t.mains, 'main')}, ${plural(t.alts, 'alt')}).`,
    `Logins: ✅ ${formatNumber(t.ok)} ok · ❌ ${formatNumber(t.dead)} dead · ⚠️ ${formatNumber(t.missingScopes)} missing scopes`,
  ];
  if (report.trackedCorporationIds.length === 0) {
    counts.push(`No corporation is tracked yet: ${mentions.mention('audit', 'settings')} \`corporations:\` chooses them.`);
  }
  if (report.roleSync) {
    const { problems, inGrace } = report.roleSync;
    counts.push(
      `Role sync: ${problems === 0 ? '✅ no problem' : `⚠️ ${plural(problems, 'problem')} (see ${mentions.mention('roles', 'list')})`}` +
        (inGrace > 0 ? ` · ${plural(inGrace, 'member')} keep roles on a dead login until its grace ends` : ''),
    );
  }
  return fitDescription({ head: findings.join('\n'), lines: counts, more, ...(report.affiliationsLive ? {} : { tail: EVE_SILENT }) });
}

/** Plain text (footers render no markdown or mentions): who the members are, and what the CSV holds. */
export function summaryFooter(report: AuditReport): string {
  const members = report.membersListed
    ? 'Members: everyone in this server, as Discord lists them.'
    : `Members: the ${plural(report.totals.members, 'member')} the bot has seen here; /audit settings says how to list everyone.`;
  return fitText(`${members}\nCSV: ${auditCsvContents(report)}.`, DISCORD_LIMITS.footer);
}

export function summaryFields(report: AuditReport, mentions: Mentions): Field[] {
  const max = DISCORD_LIMITS.fieldValue;
  const owners = new Map(report.members.flatMap((m) => m.characters.map((c) => [c.id, m.discordUserId] as const)));
  const characters = report.members.flatMap((m) => m.characters);
  const left = characters.filter((c) => c.left);
  const fields: Field[] = [
    byOwnerField(`Dead logins (${formatNumber(report.totals.dead)})`, report, (c) => c.health === 'invalid', (c) => `${bold(c.name)} (${loginReasonWords(c.invalidReason)})`),
    {
      name: `Left their corporation (${formatNumber(left.length)})`,
      value: fitLines(
        left.map((c) => `${bold(c.name)} (${userMention(String(owners.get(c.id)))}): ${entityName(report.names, c.previousCorporationId, 'corporation')} → ${entityName(report.names, c.corporationId, 'corporation')}`),
        max,
        seeCsv,
      ),
    },
  ];
  if (report.membersListed) {
    const without = report.members.filter((m) => m.characters.length === 0);
    fields.push({
      name: `Members without a linked pilot (${formatNumber(without.length)})`,
      value: without.length === 0 ? 'None: everyone linked.' : fitLines(without.map((m) => userMention(String(m.discordUserId))), max, seeCsv, ' '),
    });
  }
  fields.push(...report.tracked.map((t) => trackedField(t, report.names, mentions)));
  fields.push(byOwnerField(`Missing scopes (${formatNumber(report.totals.missingScopes)})`, report, (c) => c.health === 'missing_scopes', (c) => bold(c.name)));
  fields.push({
    name: 'Corporations',
    value: fitLines(
      report.corporations.map((c) => `${entityName(report.names, c.id, 'corporation')}: ${plural(c.characters, 'pilot')}, ${plural(c.members, 'member')}`),
      max,
      seeCsv,
    ),
  });
  fields.push({
    name: 'Alliances',
    value: fitLines(
      report.alliances.map((a) => `${entityName(report.names, a.id, 'alliance')}: ${plural(a.characters, 'pilot')}, ${plural(a.members, 'member')}`),
      max,
      seeCsv,
    ),
  });
  fields.push({ name: 'Recent events', value: fitLines(report.events.map((e) => eventLine(e, report.names, mentions)), max, more) });
  return fields;
}

function trackedField(t: TrackedCorporation, names: Names, mentions: Mentions): Field {
  const name = `Missing from ${entityName(names, t.corporationId, 'corporation')}`;
  if (t.list === 'no_token') {
    return {
      name,
      value: `No member list: a member in this corporation must ${mentions.mention('link')} a pilot and grant \`${MEMBERSHIP_SCOPE}\` (reading the corporation's member list).`,
    };
  }
  if (t.list === 'failed') return { name, value: "EVE's API did not give the member list this time. Please try again in a few minutes." };
  const head = `${plural(t.memberCount, 'pilot')} · ${formatNumber(t.linkedHere)} linked here · **${formatNumber(t.missing.length)} not linked here**`;
  if (t.missing.length === 0) return { name, value: head };
  const list = fitLines(
    t.missing.map((id) => (names.has(id) ? escapeMarkdown(names.get(id)!) : `pilot ${id}`)),
    DISCORD_LIMITS.fieldValue - head.length - 1,
    seeCsv,
    ', ',
  );
  return { name, value: `${head}\n${list}` };
}

function byOwnerField(name: string, report: AuditReport, which: (c: AuditCharacter) => boolean, show: (c: AuditCharacter) => string): Field {
  const lines = report.members.flatMap((m) => {
    const chosen = m.characters.filter(which);
    return chosen.length === 0 ? [] : [`${userMention(String(m.discordUserId))}: ${chosen.map(show).join(', ')}`];
  });
  return { name, value: fitLines(lines, DISCORD_LIMITS.fieldValue, seeCsv) };
}

/** The summary embed and the CSV, under a name that tells the servers apart. */
export function summaryReply({ report, guildName, mentions }: SummaryInput): Reply {
  const title = fitText(`Audit of ${guildName === null ? 'this server' : escapeMarkdown(guildName)}`, DISCORD_LIMITS.title);
  const description = summaryDescription(report, mentions);
  const footer = summaryFooter(report);
  const fields = fitFields(summaryFields(report, mentions), title.length + description.length + footer.length, (n) => ({
    name: 'More',
    value: `${plural(n, 'more section')} did not fit: see the CSV.`,
  }));
  const embed = new EmbedBuilder()
    .setColor(COLOURS[summaryTone(report)])
    .setTitle(title)
    .setDescription(description)
    .addFields(fields)
    .setFooter({ text: footer })
    .setTimestamp(report.generatedAt);
  const csv = new AttachmentBuilder(Buffer.from(auditCsv(report), 'utf8'), { name: auditCsvFileName({ id: report.guildId, name: guildName }, report.generatedAt) });
  return { embeds: [embed], files: [csv], allowedMentions: NO_PINGS };
}

// ---- /audit member ----

export interface MemberInput {
  member: AuditMember;
  /** the guild member's display name (nickname, else global name, else username), as typed: escaped here */
  displayName: string;
  events: TrailEvent[];
  names: Names;
  affiliationsLive: boolean;
  mentions: Mentions;
}

export function loginStatus(c: AuditCharacter): string {
  if (c.health === 'ok') return '✅ login ok';
  if (c.health === 'invalid') return `❌ login dead: ${loginReasonWords(c.invalidReason)}`;
  return `⚠️ missing ${c.missingScopes.map((s) => `\`${s}\``).join(', ')}`;
}

/** Two lines per pilot: who and where, then the login. */
export function characterLines(c: AuditCharacter, names: Names): string {
  const corporation = entityName(names, c.corporationId, 'corporation');
  const alliance = c.allianceId === null ? '' : ` · ${entityName(names, c.allianceId, 'alliance')}`;
  const left = c.left ? ` · left ${entityName(names, c.previousCorporationId, 'corporation')}` : '';
  const refreshed = c.lastRefreshedAt ? `last refresh ${relative(c.lastRefreshedAt)}` : 'never refreshed';
  return [`${bold(c.name)}${c.isMain ? ' (main)' : ''}: ${corporation}${alliance}${left}`, `${loginStatus(c)} · linked ${shortDateTime(c.linkedAt)} · ${refreshed}`].join('\n');
}

/** Red a dead login, amber missing scopes, a departure or no pilot at all, green all good. */
export function memberTone(member: AuditMember): Tone {
  if (member.characters.length === 0) return 'attention';
  return worstTone(...member.characters.map((c) => healthTone(c.health)), ...member.characters.map((c): Tone => (c.left ? 'attention' : 'ok')));
}

export function memberReply({ member, displayName, events, names, affiliationsLive, mentions }: MemberInput): Reply {
  const { characters } = member;
  const who = userMention(String(member.discordUserId));
  const tail = affiliationsLive ? undefined : EVE_SILENT;
  const description =
    characters.length === 0
      ? `${who} has no linked pilot: they can link one with ${mentions.mention('link')}.${tail ? `\n\n${tail}` : ''}`
      : fitDescription({
          head: `${who}: ${plural(characters.length, 'linked pilot')}`,
          lines: characters.map((c) => characterLines(c, names)),
          more: (n) => `… and ${plural(n, 'more pilot')} (the CSV of ${mentions.mention('audit', 'summary')} has them all)`,
          separator: '\n\n',
          ...(tail ? { tail } : {}),
        });
  const title = fitText(`Audit of ${escapeMarkdown(displayName)}`, DISCORD_LIMITS.title);
  const embed = new EmbedBuilder().setColor(COLOURS[memberTone(member)]).setTitle(title).setDescription(description);
  // The subject's face: their only pilot, else their main.
  const face = characters.length === 1 ? characters[0] : characters.find((c) => c.isMain);
  if (face) embed.setThumbnail(portrait(face.id).url);
  const fields = fitFields(
    [{ name: 'Recent events', value: fitLines(events.map((e) => eventLine(e, names, mentions)), DISCORD_LIMITS.fieldValue, more) || 'none' }],
    title.length + description.length,
    () => ({ name: 'More', value: 'The recent events did not fit.' }),
  );
  embed.addFields(fields);
  return { embeds: [embed], allowedMentions: NO_PINGS };
}

// ---- /audit events ----

export function eventsReply({ events, names, mentions }: { events: TrailEvent[]; names: Names; mentions: Mentions }): Reply {
  const embed = new EmbedBuilder()
    .setColor(COLOURS.info)
    .setTitle('Audit trail: latest events')
    .setDescription(events.length === 0 ? 'Nothing yet.' : fitLines(events.map((e) => eventLine(e, names, mentions)), DISCORD_LIMITS.description, more));
  return { embeds: [embed], allowedMentions: NO_PINGS };
}

const roleOf = (e: TrailEvent) => (typeof e.detail.roleId === 'string' && /^\d+$/.test(e.detail.roleId) ? `<@&${e.detail.roleId}>` : 'a role');
/** The sync's reason without its "EVE role sync: " prefix (the event says what it is). */
const reasonOf = (e: TrailEvent) => (typeof e.detail.reason === 'string' ? ` (${escapeMarkdown(e.detail.reason.replace(/^EVE role sync: /, ''))})` : '');

/** One line of the audit trail: when (date and time, in the reader's zone), then what. */
export function eventLine(e: TrailEvent, names: Names, mentions: Mentions): string {
  const who = e.discordUserId === null ? 'someone' : userMention(String(e.discordUserId));
  const pilot = typeof e.detail.name === 'string' ? bold(e.detail.name) : e.characterId === null ? 'a pilot' : `pilot ${e.characterId}`;
  const corp = (key: string) => {
    const value = e.detail[key];
    return typeof value === 'string' && /^\d+$/.test(value) ? entityName(names, BigInt(value), 'corporation') : 'unknown';
  };
  const from = typeof e.detail.fromDiscordUserId === 'string' ? ` from ${userMention(e.detail.fromDiscordUserId)}` : '';
  const text: Record<string, () => string> = {
    linked: () => `${who} linked ${pilot}`,
    relinked: () => `${who} renewed the login of ${pilot}`,
    moved: () => `${pilot} moved to ${who}${from}`,
    owner_changed: () => `${pilot} (${who}) changed EVE account`,
    unlinked: () => `${who} unlinked ${pilot}`,
    main_changed: () => `${who} made ${pilot} their main`,
    grant_invalid: () => `login of ${pilot} (${who}) died: ${loginReasonWords(typeof e.detail.reason === 'string' ? e.detail.reason : null)}`,
    refresh_failed: () => `refresh of ${pilot} (${who}) failed`,
    corporation_changed: () => `${pilot} (${who}) moved from ${corp('fromCorporationId')} to ${corp('toCorporationId')}`,
    settings_changed: () => `${who} changed the ${mentions.mention('audit', 'settings')}`,
    guild_left: () => (e.discordUserId === null ? 'the bot was removed from this server' : `${who} left this server`),
    role_added: () => `${who} got ${roleOf(e)}${reasonOf(e)}`,
    role_removed: () => `${who} lost ${roleOf(e)}${reasonOf(e)}`,
    nickname_changed: () => `${who}'s nickname: ${typeof e.detail.reason === 'string' ? escapeMarkdown(e.detail.reason) : 'changed'}`,
    alliance_changed: () => `${pilot} (${who}) changed alliance`,
  };
  // What happened first; when at the end, relative (Discord shows the date and time on hover): short on a phone.
  return `${text[e.kind]?.() ?? `${escapeMarkdown(e.kind)}: ${pilot} (${who})`} · ${relative(e.at)}`;
}

// ---- /audit settings ----

export interface SettingsInput {
  settings: AuditSettings;
  names: Names;
  /** true right after a change */
  saved: boolean;
  /** the bot can list the server's members (DISCORD_MEMBERS_INTENT) */
  listsMembers: boolean;
  mentions: Mentions;
}

/** An embed (4,096 characters of room): the role, the tracked corporations, and how to change them. */
export function settingsReply({ settings, names, saved, listsMembers, mentions }: SettingsInput): Reply {
  const role = settings.adminRoleId === null ? 'none (only members with Manage Server)' : `<@&${settings.adminRoleId}>`;
  const tracked = settings.trackedCorporationIds;
  const heading = `**Tracked corporations (${formatNumber(tracked.length)} of at most ${MAX_TRACKED_CORPORATIONS}):**${tracked.length === 0 ? ' none' : ''}`;
  const notes = [
    `${mentions.mention('audit', 'settings')} \`admin_role:\` lets a role use /audit; \`corporations:\` takes ids or names, comma separated ("none" tracks none).`,
    ...(listsMembers ? [] : [`Members: only those the bot has seen here count. ${HOW_TO_ENABLE_MEMBERS_INTENT}`]),
  ];
  const description = fitDescription({
    head: `**Audit admin role:** ${role}`,
    // The heading comes first, so it always shows; only corporations give way.
    lines: [heading, ...tracked.map((id) => `- ${entityName(names, id, 'corporation')} (${id})`)],
    more: (n) => `… and ${formatNumber(n)} more`,
    tail: notes.join('\n'),
  });
  const embed = new EmbedBuilder()
    .setColor(COLOURS[saved ? 'ok' : 'info'])
    .setTitle(saved ? 'Audit settings saved' : 'Audit settings')
    .setDescription(description);
  return { embeds: [embed], allowedMentions: NO_PINGS };
}
