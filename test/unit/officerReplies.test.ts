/**
 * Issue 13: every /audit and /roles reply, at its limits. Names at their
 * longest and made of markdown characters (each escaped to two), 60
 * corporations, 300 events, 10,000 members, 200 pilots: no reply may break a
 * Discord limit, and none may ping.
 */
import { describe, expect, it } from 'vitest';
import { CommandMentions } from '../../src/bot/commandMentions.ts';
import { DISCORD_LIMITS, replyProblems } from '../../src/bot/replyLimits.ts';
import type { Reply } from '../../src/bot/command.ts';
import type { AuditCharacter, AuditMember, AuditReport, TrackedCorporation } from '../../src/audit/report.ts';
import type { TrailEvent } from '../../src/audit/trail.ts';
import { TrackedCorporationsError } from '../../src/audit/errors.ts';
import { auditCsvFileName, guildSlug } from '../../src/audit/exportCsv.ts';
import { loginReasonWords } from '../../src/audit/loginReasons.ts';
import { eventLine, eventsReply, memberReply, settingsReply, summaryReply } from '../../commands/_auditFormat.ts';
import {
  nicknameReply,
  previewReply,
  roleListReply,
  roleSettingsReply,
  roleStrippedReply,
  ruleAddedReply,
  ruleRemovedReply,
  syncDoneReply,
  syncProgressReply,
} from '../../commands/_rolesFormat.ts';
import { COLOURS } from '../../commands/_style.ts';
import type { RoleRule } from '../../src/roles/ruleStore.ts';

// ---- the longest names there are, made of characters markdown escaping doubles ----
const EVE_NAME = 37;
const CORP_NAME = 50;
const USERNAME = 32;
const marked = (length: number, i: number) => `${i}_*`.padEnd(length, '*_~`|');
const pilotName = (i: number) => marked(EVE_NAME, i);
const corpName = (i: number) => marked(CORP_NAME, i);
const username = (i: number) => marked(USERNAME, i);

const mentions = new CommandMentions();
// Long ids: clickable mentions are longer than the plain "/name" they replace.
mentions.update([
  { name: 'audit', id: '1234567890123456789', subcommands: ['summary', 'member', 'events', 'settings'] },
  { name: 'link', id: '1234567890123456790' },
  { name: 'roles', id: '1234567890123456791', subcommands: ['add', 'remove', 'list', 'nickname', 'settings', 'preview', 'sync'] },
]);
const plain = new CommandMentions();

const USER = 100_000_000_000_000_000n;
const CORP = 98_000_000n;
const PILOT = 90_000_000n;
const at = new Date('2026-11-27T12:34:56Z');

function pilot(i: number, over: Partial<AuditCharacter> = {}): AuditCharacter {
  return {
    id: PILOT + BigInt(i),
    name: pilotName(i),
    isMain: i % 2 === 0,
    corporationId: CORP + BigInt(i % 60),
    allianceId: 99_000_000n + BigInt(i % 7),
    previousCorporationId: null,
    left: false,
    health: 'ok',
    missingScopes: [],
    invalidReason: null,
    linkedAt: at,
    lastRefreshedAt: at,
    ...over,
  };
}

function events(n: number): TrailEvent[] {
  const kinds = ['linked', 'grant_invalid', 'corporation_changed', 'settings_changed', 'role_added', 'moved', 'nickname_changed'];
  return Array.from({ length: n }, (_, i) => ({
    at: new Date(at.getTime() - i * 60_000),
    kind: kinds[i % kinds.length]!,
    discordUserId: USER + BigInt(i),
    characterId: PILOT + BigInt(i),
    detail: {
      name: pilotName(i),
      reason: i % 7 === 1 ? 'invalid_grant' : `EVE role sync: main ${pilotName(i)} is in ${corpName(i)}`,
      fromCorporationId: String(CORP + 1n),
      toCorporationId: String(CORP + 2n),
      roleId: '1180000000000000999',
      fromDiscordUserId: String(USER + 1n),
    },
  }));
}

const names = new Map<bigint, string>([
  ...Array.from({ length: 60 }, (_, i): [bigint, string] => [CORP + BigInt(i), corpName(i)]),
  ...Array.from({ length: 7 }, (_, i): [bigint, string] => [99_000_000n + BigInt(i), corpName(100 + i)]),
]);

/** 10,000 members, 5,000 of them with two pilots; dead logins, departures, missing scopes; 60 tracked corporations with 300 missing each. */
function bigReport(over: Partial<AuditReport> = {}): AuditReport {
  const members: AuditMember[] = Array.from({ length: 10_000 }, (_, i) => ({
    discordUserId: USER + BigInt(i),
    name: username(i),
    characters:
      i < 5_000
        ? [
            pilot(2 * i, { health: i % 3 === 0 ? 'invalid' : 'ok', invalidReason: i % 3 === 0 ? 'invalid_grant' : null }),
            pilot(2 * i + 1, { left: i % 5 === 0, previousCorporationId: CORP + 3n, health: i % 4 === 0 ? 'missing_scopes' : 'ok', missingScopes: i % 4 === 0 ? ['esi-skills.read_skills.v1'] : [] }),
          ]
        : [],
  }));
  const tracked: TrackedCorporation[] = Array.from({ length: 60 }, (_, i) => ({
    corporationId: CORP + BigInt(i),
    list: i % 10 === 0 ? 'no_token' : i % 10 === 1 ? 'failed' : 'ok',
    memberCount: 400,
    linkedHere: 100,
    missing: Array.from({ length: 300 }, (_, k) => PILOT + 1_000_000n + BigInt(i * 1000 + k)),
  }));
  const all = members.flatMap((m) => m.characters);
  return {
    guildId: 1180000000000000100n,
    generatedAt: at,
    membersListed: true,
    affiliationsLive: false,
    trackedCorporationIds: tracked.map((t) => t.corporationId),
    members,
    totals: {
      members: members.length,
      linkedMembers: 5_000,
      characters: all.length,
      mains: all.filter((c) => c.isMain).length,
      alts: all.filter((c) => !c.isMain).length,
      ok: all.filter((c) => c.health === 'ok').length,
      dead: all.filter((c) => c.health === 'invalid').length,
      missingScopes: all.filter((c) => c.health === 'missing_scopes').length,
      left: all.filter((c) => c.left).length,
      missing: tracked.reduce((s, t) => s + t.missing.length, 0),
    },
    corporations: Array.from({ length: 60 }, (_, i) => ({ id: CORP + BigInt(i), characters: 100, members: 50 })),
    alliances: Array.from({ length: 7 }, (_, i) => ({ id: 99_000_000n + BigInt(i), characters: 100, members: 50 })),
    tracked,
    names,
    events: events(300),
    roleSync: { problems: 3, inGrace: 2 },
    ...over,
  };
}

function smallReport(over: Partial<AuditReport> = {}): AuditReport {
  const members: AuditMember[] = [{ discordUserId: USER, name: 'alice', characters: [pilot(0, { name: 'Alice Alpha' })] }];
  return {
    guildId: 1180000000000000100n,
    generatedAt: at,
    membersListed: false,
    affiliationsLive: true,
    trackedCorporationIds: [],
    members,
    totals: { members: 1, linkedMembers: 1, characters: 1, mains: 1, alts: 0, ok: 1, dead: 0, missingScopes: 0, left: 0, missing: 0 },
    corporations: [{ id: CORP, characters: 1, members: 1 }],
    alliances: [],
    tracked: [],
    names: new Map([[CORP, 'Alpha Industries']]),
    events: [],
    ...over,
  };
}

const json = (reply: Reply) => (reply.embeds ?? []).map((e) => ('toJSON' in e ? e.toJSON() : e)) as { title?: string; description?: string; color?: number; footer?: { text: string }; thumbnail?: { url: string }; fields?: { name: string; value: string }[] }[];
const allText = (reply: Reply) => `${reply.content ?? ''}\n${JSON.stringify(json(reply))}`;

/** The checks every reply of these commands passes. */
function expectSafe(reply: Reply): void {
  expect(replyProblems(reply)).toEqual([]);
  expect(reply.allowedMentions).toEqual({ parse: [] });
  for (const embed of json(reply)) {
    expect(embed.color, 'every embed has a colour').toEqual(expect.any(Number));
    // Discord renders command mentions only in descriptions and field values.
    for (const place of [embed.title, embed.footer?.text, ...(embed.fields ?? []).map((f) => f.name)]) expect(place ?? '').not.toMatch(/<\/\w/);
  }
}

describe('/audit summary', () => {
  it('given 10,000 members, 60 tracked corporations, 300 events and the longest markdown names, then it fits and pings nobody', () => {
    const reply = summaryReply({ report: bigReport(), guildName: `${'*'.repeat(100)} ${'x'.repeat(200)}`, mentions });
    expectSafe(reply);
    const [embed] = json(reply);
    expect(embed!.color).toBe(COLOURS.problem);
    // The warning outlives the fitting.
    expect(embed!.description).toContain("EVE's API did not answer");
    expect(embed!.fields!.at(-1)!.value).toMatch(/did not fit: see the CSV/);
  });

  it('then findings come first (dead logins, left, not linked), counts after, with pilots and members named apart', () => {
    const [embed] = json(summaryReply({ report: bigReport(), guildName: 'Alpha', mentions }));
    const description = embed!.description!;
    const order = ['dead logins', 'left their corporation', 'not linked by any member here', 'members** without a linked pilot', 'missing scopes', 'of 10,000 members linked 10,000 pilots'].map((s) => description.indexOf(s));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(description).toContain('must </link:1234567890123456790> again');
    expect(description).toContain('(see </roles list:1234567890123456791>)');
    expect(embed!.fields!.map((f) => f.name).slice(0, 3)).toEqual([expect.stringMatching(/^Dead logins/), expect.stringMatching(/^Left their corporation/), expect.stringMatching(/^Members without a linked pilot/)]);
    expect(embed!.fields![0]!.value).toContain('(login revoked or password changed)');
    expect(allText(summaryReply({ report: bigReport(), guildName: 'Alpha', mentions }))).not.toMatch(/invalid_grant|characters?\b/);
  });

  it('given only members not linked, missing scopes or a departure, then amber; with nothing to do, green', () => {
    const tone = (report: AuditReport) => json(summaryReply({ report, guildName: 'Alpha', mentions }))[0]!.color;
    const small = smallReport();
    expect(tone(small)).toBe(COLOURS.ok);
    expect(json(summaryReply({ report: small, guildName: 'Alpha', mentions }))[0]!.description).toMatch(/^✅ Nothing needs attention/);
    expect(tone(smallReport({ totals: { ...small.totals, missing: 2 } }))).toBe(COLOURS.attention);
    expect(tone(smallReport({ totals: { ...small.totals, missingScopes: 1 } }))).toBe(COLOURS.attention);
    expect(tone(smallReport({ totals: { ...small.totals, left: 1 } }))).toBe(COLOURS.attention);
    expect(tone(smallReport({ membersListed: true, members: [...small.members, { discordUserId: USER + 1n, name: 'lurker', characters: [] }] }))).toBe(COLOURS.attention);
    expect(tone(smallReport({ totals: { ...small.totals, dead: 1, missing: 2 } }))).toBe(COLOURS.problem);
  });

  it('then the how-to and the CSV contents are in the footer, plain and true to the CSV; the CSV is named after the server', () => {
    const seen = summaryReply({ report: smallReport(), guildName: 'Ünïted Pilots of *New Eden*!', mentions });
    const [embed] = json(seen);
    expect(embed!.footer!.text).toBe('Members: the 1 member the bot has seen here; /audit settings says how to list everyone.\nCSV: every linked pilot.');
    expect(embed!.description).not.toContain('DISCORD_MEMBERS_INTENT');
    expect((seen.files as unknown as { name: string }[])[0]!.name).toBe('audit-united-pilots-of-new-eden-2026-11-27.csv');
    expect(embed!.title).toBe('Audit of Ünïted Pilots of \\*New Eden\\*!');

    const listed = json(summaryReply({ report: bigReport(), guildName: 'Alpha', mentions }))[0]!;
    expect(listed.footer!.text).toBe(
      'Members: everyone in this server, as Discord lists them.\nCSV: every linked pilot, every pilot of a tracked corporation nobody here linked and every member without a linked pilot.',
    );
  });

  it('given no tracked corporation, then the way to track one is a clickable mention', () => {
    expect(json(summaryReply({ report: smallReport(), guildName: 'Alpha', mentions }))[0]!.description).toContain('</audit settings:1234567890123456789> `corporations:` chooses them');
    expect(json(summaryReply({ report: smallReport(), guildName: 'Alpha', mentions: plain }))[0]!.description).toContain('/audit settings `corporations:`');
  });
});

describe('CSV file name', () => {
  it('given a server name, then a lowercase ascii slug of at most 40; nothing left, then the server id', () => {
    expect(guildSlug('Goonswarm Federation')).toBe('goonswarm-federation');
    expect(guildSlug('  --Brave   Newbies!!  ')).toBe('brave-newbies');
    expect(guildSlug('x'.repeat(39) + ' yz')).toBe('x'.repeat(39));
    expect(guildSlug('a'.repeat(100)).length).toBe(40);
    expect(auditCsvFileName({ id: 42n, name: '🚀🚀 ブレイブ' }, at)).toBe('audit-42-2026-11-27.csv');
    expect(auditCsvFileName({ id: 42n, name: null }, at)).toBe('audit-42-2026-11-27.csv');
    expect(auditCsvFileName({ id: 42n, name: '../../etc/passwd' }, at)).toBe('audit-etc-passwd-2026-11-27.csv');
  });
});

describe('/audit member', () => {
  const big: AuditMember = {
    discordUserId: USER,
    name: username(1),
    characters: Array.from({ length: 200 }, (_, i) => pilot(i, { isMain: i === 7, health: i === 3 ? 'invalid' : 'ok', invalidReason: i === 3 ? 'invalid_token' : null, left: i === 5, previousCorporationId: CORP })),
  };

  it('given 200 pilots with the longest names, 300 events and a silent EVE, then it fits, warning included, and pings nobody', () => {
    const reply = memberReply({ member: big, displayName: username(1), events: events(300), names, affiliationsLive: false, mentions });
    expectSafe(reply);
    const [embed] = json(reply);
    expect(embed!.description).toMatch(/… and [\d,]+ more pilots \(the CSV of <\/audit summary:1234567890123456789> has them all\)\n\n⚠️ EVE's API did not answer/);
    expect(embed!.color).toBe(COLOURS.problem);
    // Title is the member's name as the server shows it, escaped; the main's portrait.
    expect(embed!.title).toBe(`Audit of ${username(1).replace(/([\\*_~`|[\]()])/g, '\\$1')}`);
    expect(embed!.thumbnail!.url).toContain(String(PILOT + 7n));
    // Nothing repeats the pilot lines.
    expect(embed!.fields!.map((f) => f.name)).toEqual(['Recent events']);
  });

  it('given pilots of every name length, then the warning never pushes the description past 4,096', () => {
    // However the pilot lines fall, the list gives way to the warning, never the limit.
    for (let length = 3; length <= EVE_NAME; length += 1) {
      const member = { ...big, characters: big.characters.map((c, i) => ({ ...c, name: `${i}`.padEnd(length, 'x') })) };
      const reply = memberReply({ member, displayName: 'x', events: [], names, affiliationsLive: false, mentions });
      expect(replyProblems(reply), `names of ${length}`).toEqual([]);
      expect(json(reply)[0]!.description).toMatch(/EVE's API did not answer: corporations are as last stored\.$/);
    }
  });

  it('given one pilot, then its portrait and its colour; reasons in words, times with date and time', () => {
    const one = (c: AuditCharacter) => json(memberReply({ member: { discordUserId: USER, name: 'bob', characters: [c] }, displayName: 'Bob', events: [], names, affiliationsLive: true, mentions }))[0]!;
    const dead = one(pilot(1, { health: 'invalid', invalidReason: 'invalid_grant', isMain: false }));
    expect(dead.thumbnail!.url).toContain(String(PILOT + 1n));
    expect(dead.color).toBe(COLOURS.problem);
    expect(dead.description).toContain('❌ login dead: login revoked or password changed');
    expect(dead.description).toMatch(/linked <t:\d+:f> · last refresh <t:\d+:R>/);
    expect(one(pilot(1, { health: 'missing_scopes', missingScopes: ['x'] })).color).toBe(COLOURS.attention);
    expect(one(pilot(1)).color).toBe(COLOURS.ok);
  });

  it('given no pilot, then amber, no portrait, and how to link', () => {
    const reply = memberReply({ member: { discordUserId: USER, name: 'x', characters: [] }, displayName: 'X', events: [], names, affiliationsLive: true, mentions });
    const silent = memberReply({ member: { discordUserId: USER, name: 'x', characters: [] }, displayName: 'X', events: [], names, affiliationsLive: false, mentions });
    expect(json(silent)[0]!.description).toBe(`<@${USER}> has no linked pilot: they can link one with </link:1234567890123456790>.\n\n⚠️ EVE's API did not answer: corporations are as last stored.`);
    expectSafe(reply);
    const [embed] = json(reply);
    expect(embed!.color).toBe(COLOURS.attention);
    expect(embed!.thumbnail).toBeUndefined();
    expect(embed!.description).toBe(`<@${USER}> has no linked pilot: they can link one with </link:1234567890123456790>.`);
  });
});

describe('/audit events', () => {
  it('given 300 events with the longest names, then it fits, blue, with when (relative: Discord shows date and time on hover) and reasons in words', () => {
    const reply = eventsReply({ events: events(300), names, mentions });
    expectSafe(reply);
    const [embed] = json(reply);
    expect(embed!.color).toBe(COLOURS.info);
    expect(embed!.description).toMatch(/^<@\d+> .* · <t:\d+:R>$/m);
    expect(embed!.description).toMatch(/… and [\d,]+ more$/);
  });

  it('then each kind reads in words', () => {
    const [linked, dead, moved, settings] = events(4).map((e) => eventLine(e, names, mentions));
    expect(linked).toMatch(/^<@\d+> linked \*\*.* · <t:\d+:R>$/);
    expect(dead).toContain('died: login revoked or password changed');
    expect(dead).not.toContain('invalid_grant');
    expect(moved).toContain(`moved from ${corpName(1).replace(/([\\*_~`|[\]()])/g, '\\$1')} to`);
    expect(settings).toContain('changed the </audit settings:1234567890123456789>');
  });
});

describe('/audit settings', () => {
  const sixty = { adminRoleId: 1180000000000000301n, trackedCorporationIds: Array.from({ length: 60 }, (_, i) => CORP + BigInt(i)) };

  it('given 60 tracked corporations with the longest names, then an embed that fits and does not ping the role', () => {
    for (const saved of [true, false]) {
      const reply = settingsReply({ settings: sixty, names, saved, listsMembers: false, mentions });
      expectSafe(reply);
      const [embed] = json(reply);
      expect(embed!.color).toBe(saved ? COLOURS.ok : COLOURS.info);
      expect(embed!.description).toContain('**Audit admin role:** <@&1180000000000000301>');
      expect(embed!.description).toContain('**Tracked corporations (60 of at most 20):**');
      expect(embed!.description).toMatch(/… and \d+ more\n\n/);
      expect(embed!.description).toContain('DISCORD_MEMBERS_INTENT=true');
    }
  });

  it('given nothing tracked, then "none", and the how-to of the members intent only when it is off', () => {
    const reply = settingsReply({ settings: { adminRoleId: null, trackedCorporationIds: [] }, names, saved: false, listsMembers: true, mentions });
    expectSafe(reply);
    const description = json(reply)[0]!.description!;
    expect(description).toContain('**Audit admin role:** none (only members with Manage Server)\n\n**Tracked corporations (0 of at most 20):** none');
    expect(description).not.toContain('DISCORD_MEMBERS_INTENT');
  });
});

describe('/audit settings refusals', () => {
  it('given the most an admin can type (1,000 characters) as unknown names full of markdown and mentions, then the refusal fits, names some and counts the rest', () => {
    const unknown = Array.from({ length: 200 }, (_, i) => `${i}@everyone<@&1>**_`.padEnd(60, '*'));
    const notHere = Array.from({ length: 200 }, (_, i) => String(98_100_000 + i));
    for (const problems of [{ unknown }, { notHere }, { unknown, notHere }]) {
      const message = new TrackedCorporationsError(problems).userMessage;
      expect(message.length).toBeLessThanOrEqual(DISCORD_LIMITS.content);
      expect(message).toMatch(/ and \d+ more\./);
      expect(message).toMatch(/Nothing was saved\.$/);
      expect(message).not.toMatch(/@everyone|<@&/);
    }
    const one = new TrackedCorporationsError({ unknown: ['x'.repeat(1000)] }).userMessage;
    expect(one.length).toBeLessThan(300);
  });

  it('given more than the cap, then the cap and the count', () => {
    expect(new TrackedCorporationsError({ tooMany: 60 }).userMessage).toBe('At most 20 corporations can be tracked; you listed 60. Nothing was saved.');
  });
});

describe('login reasons', () => {
  it('given the codes the token service stores, then words; an unknown code is named', () => {
    expect(loginReasonWords('invalid_grant')).toBe('login revoked or password changed');
    expect(loginReasonWords('invalid_token')).not.toContain('invalid_token');
    expect(loginReasonWords(null)).toBe('login no longer valid');
    expect(loginReasonWords('weird')).toBe('EVE refused the login (weird)');
  });
});

describe('/roles', () => {
  const ROLE = 1180000000000000999n;
  const rule = (i: number): RoleRule => ({ id: BigInt(i), roleId: ROLE + BigInt(i % 40), target: { kind: i % 2 ? 'corporation' : 'alliance', id: CORP + BigInt(i % 60) }, through: i % 3 ? 'main' : 'any' }) as RoleRule;

  it('given 300 rules on 40 roles with the longest names and 60 problems, then list fits, amber, and pings nobody', () => {
    const status = {
      rules: Array.from({ length: 300 }, (_, i) => rule(i)),
      counts: new Map(Array.from({ length: 40 }, (_, i): [bigint, { holders: number; qualify: number }] => [ROLE + BigInt(i), { holders: 10_000, qualify: 9_999 }])),
      problems: Array.from({ length: 60 }, (_, i) => `**${corpName(i)}** is above the bot's highest role: remove it with /roles remove.`),
    };
    const reply = roleListReply({ status, names, mentions });
    expectSafe(reply);
    const [embed] = json(reply);
    expect(embed!.color).toBe(COLOURS.attention);
    expect(embed!.fields![0]!.value).toContain('</roles remove:1234567890123456791>');
    expect(embed!.description).toContain('10,000 hold it, 9,999 qualify');
  });

  it('given no rule, then blue and how to add one; rules and no problem, green', () => {
    const none = roleListReply({ status: { rules: [], counts: new Map(), problems: [] }, names, mentions });
    expectSafe(none);
    expect(json(none)[0]!.color).toBe(COLOURS.info);
    expect(json(none)[0]!.description).toContain('</roles add:1234567890123456791>');
    expect(json(roleListReply({ status: { rules: [rule(1)], counts: new Map(), problems: [] }, names, mentions }))[0]!.color).toBe(COLOURS.ok);
  });

  it('given every other reply at its longest, then each fits and pings nobody', () => {
    const replies: Reply[] = [
      ruleAddedReply({ roleId: ROLE, rule: rule(1), targetName: corpName(1), added: true }),
      ruleAddedReply({ roleId: ROLE, rule: rule(1), targetName: corpName(1), added: false }),
      ruleAddedReply({ roleId: ROLE, rule: { target: { kind: 'linked' }, through: 'main' } as RoleRule, targetName: 'a live linked login', added: true }),
      ruleRemovedReply({ roleId: ROLE, removed: 0 }),
      ruleRemovedReply({ roleId: ROLE, removed: 3 }),
      roleStrippedReply({ roleId: ROLE, stripped: 10_000 }),
      nicknameReply({ template: '`'.repeat(100) }),
      nicknameReply({ template: null }),
      roleSettingsReply({ settings: { graceHours: 168, nicknameExemptRoleId: ROLE, unlinkedRoleId: ROLE, nicknameTemplate: '*'.repeat(100) }, saved: true, mentions }),
      roleSettingsReply({ settings: { graceHours: 1, nicknameExemptRoleId: null, unlinkedRoleId: null, nicknameTemplate: null }, saved: false, mentions }),
      previewReply({ lines: Array.from({ length: 300 }, (_, i) => `<@&${ROLE}>: 10 would gain it (${Array.from({ length: 10 }, (_, k) => username(i + k)).join(', ')})`), displayName: `${username(1)}`.repeat(10), mentions }),
      previewReply({ lines: [], mentions }),
      syncProgressReply({ checked: 10_000, changed: 9_999, refused: 0, total: 10_000 }),
      syncDoneReply({ checked: 10_000, changed: 1, refused: 5 }, mentions),
    ];
    for (const reply of replies) expectSafe(reply);
    expect(replies[1]!.content).toMatch(/^That rule exists already: <@&\d+> goes to members whose main is in \*\*/);
    expect(replies[5]!.content).toBe(`Removed <@&${ROLE}> from 10,000 members.`);
    expect(json(replies[8]!)[0]!.description).toContain('**Grace for dead logins:** 168 hours');
    expect(json(replies[9]!)[0]!.description).toContain('**Grace for dead logins:** 1 hour');
    expect(json(replies[8]!)[0]!.color).toBe(COLOURS.ok);
    expect(json(replies[9]!)[0]!.color).toBe(COLOURS.info);
    expect(json(replies[10]!)[0]!.description).toMatch(/… and [\d,]+ more\n\n<\/roles sync:\d+> applies it now/);
    expect(replies[13]!.content).toBe('Sync done: 10,000 members checked, 1 changed, 5 refused by Discord (see </roles list:1234567890123456791>).');
  });
});
