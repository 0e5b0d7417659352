import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandOptionInput, ReplyView } from '../fakes/discord/index.ts';
import { csvRecords } from '../support/csv.ts';
import { linkCharacter } from '../support/linking.ts';
import { TestBed } from '../support/testBed.ts';

const GUILD_A = '1180000000000000100';
const GUILD_B = '1180000000000000700';
const AUDITOR_ROLE = '1180000000000000301';
const MANAGE_GUILD = '32';

const ADMIN = '200000000000000100';
const AUDITOR = '200000000000000101';
const NOBODY = '200000000000000102';
const U1 = '200000000000000111';
const U2 = '200000000000000112';
const U3 = '200000000000000113';
const OUTSIDER = '200000000000000114'; // only in guild B
const BOTH = '200000000000000115'; // in guilds A and B

const ALPHA = { id: 98000001, name: 'Alpha Industries', ticker: 'ALPHA', allianceId: 99000001 };
const BETA = { id: 98000002, name: 'Beta Corp', ticker: 'BETA' };
const GAMMA = { id: 98000003, name: 'Gamma Group', ticker: 'GAMMA' };
const ALLIANCE = { id: 99000001, name: 'Alpha Alliance', ticker: 'AA' };

const ALICE = { id: 90000001, name: 'Alice Alpha' };
const ALDO = { id: 90000002, name: 'Aldo Alt' };
const BOB = { id: 90000003, name: 'Bob Bolter' };
const DORA = { id: 90000004, name: 'Dora Dead' };
const FORMULA = { id: 90000005, name: '=1+2 Formula' };
const CAROL = { id: 90000006, name: 'Carol Outside' };
const ERIN = { id: 90000007, name: 'Erin Both' };
const GUS = { id: 90000008, name: 'Gus Gamma' };
const MIKE = { id: 90000099, name: 'Mike Missing' };

const MEMBERSHIP_SCOPE = 'esi-corporations.read_corporation_membership.v1';

type Sub = { sub: string; options?: CommandOptionInput[] };

async function runAudit(bed: TestBed, who: { userId: string; guildId?: string; permissions?: string; roles?: string[] }, { sub, options }: Sub): Promise<ReplyView> {
  const interaction = await bed.discord.sendCommand({
    name: 'audit',
    userId: who.userId,
    guildId: who.guildId ?? GUILD_A,
    permissions: who.permissions ?? '0',
    ...(who.roles ? { roles: who.roles } : {}),
    options: [{ name: sub, type: 1, ...(options ? { options } : {}) }],
  });
  return interaction.waitForReply((r) => !r.loading, 20_000);
}

/** The reply and the interaction it answered (for what was sent besides the view: allowed_mentions). */
async function runAuditWith(bed: TestBed, who: { userId: string; guildId?: string; permissions?: string; roles?: string[] }, { sub, options }: Sub) {
  const interaction = await bed.discord.sendCommand({
    name: 'audit',
    userId: who.userId,
    guildId: who.guildId ?? GUILD_A,
    permissions: who.permissions ?? '0',
    ...(who.roles ? { roles: who.roles } : {}),
    options: [{ name: sub, type: 1, ...(options ? { options } : {}) }],
  });
  return { interaction, reply: await interaction.waitForReply((r) => !r.loading, 20_000) };
}

/** allowed_mentions of the answer that carried the reply (a callback's data, or the edit of a deferral). */
const allowedMentions = (interaction: { responses: readonly { kind: string; type?: number; body: any }[] }) => {
  const answer = interaction.responses.filter((r) => r.kind === 'edit' || (r.kind === 'callback' && r.type === 4)).at(-1);
  return answer?.kind === 'callback' ? answer.body?.data?.allowed_mentions : answer?.body?.allowed_mentions;
};

const GREEN = 0x57f287;
const AMBER = 0xf0b232;
const RED = 0xed4245;

const text = (reply: ReplyView) => `${reply.content ?? ''}\n${JSON.stringify(reply.embeds)}`;
const csvOf = (reply: ReplyView) => {
  const file = reply.files.find((f) => f.name.endsWith('.csv'));
  expect(file, 'a CSV attachment').toBeDefined();
  return file!.data.toString('utf8');
};
const field = (reply: ReplyView, prefix: string): string | undefined =>
  (reply.embeds[0]?.fields as { name: string; value: string }[] | undefined)?.find((f) => f.name.startsWith(prefix))?.value;

describe('/audit', () => {
  let bed: TestBed;
  // Guild A's summary, run once, the first time a test needs it: a failed assertion on it fails only that test.
  let summary: Promise<ReplyView> | undefined;
  const summaryOfA = () => (summary ??= runAudit(bed, { userId: AUDITOR, roles: [AUDITOR_ROLE] }, { sub: 'summary' }));

  beforeAll(async () => {
    bed = await TestBed.start({
      discord: {
        guilds: [
          { id: GUILD_A, name: 'Alpha Guild', roles: [{ id: AUDITOR_ROLE, name: 'Auditor', permissions: '0' }] },
          { id: GUILD_B, name: 'Beta Guild' },
        ],
      },
    });
    const { eve, discord, db } = bed;
    eve.addAlliance(ALLIANCE);
    for (const corp of [ALPHA, BETA, GAMMA]) eve.addCorporation(corp);
    for (const c of [ALICE, ALDO, BOB, DORA, FORMULA, CAROL, MIKE]) eve.addCharacter({ ...c, corporationId: ALPHA.id });
    eve.addCharacter({ ...ERIN, corporationId: BETA.id });
    eve.addCharacter({ ...GUS, corporationId: GAMMA.id });
    discord.addMember(GUILD_A, { userId: U3, username: '=cmd|calc' });

    await linkCharacter(bed, U1, ALICE.id, { guildId: GUILD_A });
    await linkCharacter(bed, U1, ALDO.id, { guildId: GUILD_A });
    await linkCharacter(bed, U2, BOB.id, { guildId: GUILD_A });
    await linkCharacter(bed, U2, DORA.id, { guildId: GUILD_A });
    await linkCharacter(bed, U3, FORMULA.id, { guildId: GUILD_A });
    await linkCharacter(bed, OUTSIDER, CAROL.id, { guildId: GUILD_B });
    await linkCharacter(bed, BOTH, ERIN.id, { guildId: GUILD_A });
    await linkCharacter(bed, BOTH, GUS.id, { guildId: GUILD_A });
    // BOTH is seen in guild B too.
    await (await discord.sendCommand({ name: 'characters', userId: BOTH, guildId: GUILD_B })).waitForReply();

    // Aldo's login lacks the skills scope; Gus's lacks the membership scope (so Gamma has no token holder).
    const grantOf = (id: number) => db.grant.findUniqueOrThrow({ where: { characterId: BigInt(id) } });
    await db.grant.update({ where: { characterId: BigInt(ALDO.id) }, data: { scopes: (await grantOf(ALDO.id)).scopes.filter((s) => s !== 'esi-skills.read_skills.v1') } });
    await db.grant.update({ where: { characterId: BigInt(GUS.id) }, data: { scopes: (await grantOf(GUS.id)).scopes.filter((s) => s !== MEMBERSHIP_SCOPE) } });

    // Dora's login dies the real way: revoked at the SSO, then a command needs a refresh.
    eve.revokeCharacter(DORA.id);
    await db.grant.update({ where: { characterId: BigInt(DORA.id) }, data: { accessTokenExpiresAt: new Date(0) } });
    const wallet = await discord.sendCommand({ name: 'wallet', userId: U2, guildId: GUILD_A, options: [{ name: 'character', type: 3, value: String(DORA.id) }] });
    await wallet.waitForReply((r) => /expired or was revoked/.test(r.content ?? ''), 20_000);

    // Bob leaves Alpha for Beta in game; ESI's own cache would hide it for an hour.
    eve.addCharacter({ ...BOB, corporationId: BETA.id });
    eve.clearEsiCache();

    // The settings the audits below run with (the settings tests set the same through the command).
    await db.guildSettings.create({ data: { guildId: BigInt(GUILD_A), adminRoleId: BigInt(AUDITOR_ROLE), trackedCorporationIds: [BigInt(ALPHA.id)] } });
    await db.guildSettings.create({ data: { guildId: BigInt(GUILD_B), trackedCorporationIds: [BigInt(GAMMA.id)] } });
  });

  afterAll(async () => {
    await bed?.stop();
  });

  it('given a member without Manage Server or the admin role, then a refusal, no data and no ESI call', async () => {
    const esiBefore = bed.eve.esiRequests.length;
    for (const sub of ['summary', 'events']) {
      const reply = await runAudit(bed, { userId: NOBODY }, { sub });
      expect(reply.ephemeral).toBe(true);
      expect(reply.content).toMatch(/You need the Manage Server permission or the audit admin role/);
      expect(reply.embeds).toEqual([]);
      expect(reply.files).toEqual([]);
    }
    const member = await runAudit(bed, { userId: NOBODY }, { sub: 'member', options: [{ name: 'user', type: 6, value: U1 }] });
    expect(member.content).toMatch(/You need the Manage Server permission/);
    expect(text(member)).not.toContain('Alice');
    expect(bed.eve.esiRequests.length).toBe(esiBefore);
  });

  it('then the command is registered for Manage Server only and in guilds only', () => {
    const definition = (bed.discord.commands('global') as { name: string; default_member_permissions?: string; contexts?: number[] }[]).find((c) => c.name === 'audit');
    expect(definition?.default_member_permissions).toBe(MANAGE_GUILD);
    expect(definition?.contexts).toEqual([0]);
  });

  it('given an unknown corporation name, then the error names it and nothing is saved', async () => {
    const reply = await runAudit(bed, { userId: ADMIN, permissions: MANAGE_GUILD }, { sub: 'settings', options: [{ name: 'corporations', type: 3, value: 'Alpha Industries, Nope Corp' }] });
    expect(reply.content).toMatch(/Unknown corporation: "Nope Corp"/);
    expect(reply.content).toMatch(/Nothing was saved/);
    expect(await bed.db.guildSettings.findUnique({ where: { guildId: BigInt(GUILD_A) } })).toMatchObject({ trackedCorporationIds: [BigInt(ALPHA.id)] });
    expect(await bed.db.auditEvent.count({ where: { kind: 'settings_changed', guildId: BigInt(GUILD_A) } })).toBe(0);
  });

  it('given an admin-role holder without Manage Server, then they may not change the settings', async () => {
    const reply = await runAudit(bed, { userId: AUDITOR, roles: [AUDITOR_ROLE] }, { sub: 'settings', options: [{ name: 'corporations', type: 3, value: 'none' }] });
    expect(reply.content).toMatch(/Only members with the Manage Server permission can change the (<\/audit settings:\d+>|\/audit settings)/);
    expect(await bed.db.guildSettings.findUnique({ where: { guildId: BigInt(GUILD_A) } })).toMatchObject({ trackedCorporationIds: [BigInt(ALPHA.id)] });
  });

  it('given /audit settings by name and role, then they are stored per guild and recorded in the trail', async () => {
    const reply = await runAudit(
      bed,
      { userId: ADMIN, permissions: MANAGE_GUILD },
      {
        sub: 'settings',
        options: [
          { name: 'admin_role', type: 8, value: AUDITOR_ROLE },
          { name: 'corporations', type: 3, value: 'alpha industries' },
        ],
      },
    );
    expect(reply.embeds[0].title).toBe('Audit settings saved');
    expect(reply.embeds[0].color).toBe(GREEN);
    expect(reply.embeds[0].description).toContain(`**Audit admin role:** <@&${AUDITOR_ROLE}>`);
    expect(reply.embeds[0].description).toContain(`- Alpha Industries (${ALPHA.id})`);
    const saved = await bed.db.guildSettings.findUniqueOrThrow({ where: { guildId: BigInt(GUILD_A) } });
    expect(saved).toMatchObject({ adminRoleId: BigInt(AUDITOR_ROLE), trackedCorporationIds: [BigInt(ALPHA.id)] });
    const event = await bed.db.auditEvent.findFirst({ where: { kind: 'settings_changed', guildId: BigInt(GUILD_A) } });
    expect(event?.discordUserId).toBe(BigInt(ADMIN));

    // The admin role opens the audit, not the settings.
    const byRole = await runAudit(bed, { userId: AUDITOR, roles: [AUDITOR_ROLE] }, { sub: 'settings', options: [{ name: 'corporations', type: 3, value: 'none' }] });
    expect(byRole.content).toMatch(/Only members with the Manage Server permission can change the (<\/audit settings:\d+>|\/audit settings)/);
    const shown = await runAuditWith(bed, { userId: AUDITOR, roles: [AUDITOR_ROLE] }, { sub: 'settings' });
    expect(shown.reply.embeds[0].description).toContain(`**Tracked corporations (1 of at most 20):**\n- Alpha Industries (${ALPHA.id})`);
    // Without the members intent, the settings say how to turn it on.
    expect(shown.reply.embeds[0].description).toContain('DISCORD_MEMBERS_INTENT=true');
    // The role is shown, never pinged.
    expect(shown.reply.embeds[0].description).toContain(`<@&${AUDITOR_ROLE}>`);
    expect(allowedMentions(shown.interaction)).toEqual({ parse: [] });

    // Guild B tracks Gamma by id: nobody there granted the membership scope.
    const b = await runAudit(bed, { userId: ADMIN, guildId: GUILD_B, permissions: MANAGE_GUILD }, { sub: 'settings', options: [{ name: 'corporations', type: 3, value: String(GAMMA.id) }] });
    expect(b.embeds[0].description).toContain(`Gamma Group (${GAMMA.id})`);
  });

  it('given the admin role, then /audit summary answers: counts, missing member, left, dead logins, and a CSV', async () => {
    const summaryA = await summaryOfA();
    expect(summaryA.ephemeral).toBe(true);
    expect(summaryA.embeds).toHaveLength(1);
    const description = summaryA.embeds[0].description as string;
    // Users seen in guild A: U1, U2, U3, BOTH, NOBODY, ADMIN, AUDITOR; four of them linked 7 characters.
    expect(description).toContain('**4** of 7 members linked 7 pilots (4 mains, 3 alts).');
    expect(description).toContain('Logins: ✅ 4 ok · ❌ 1 dead · ⚠️ 2 missing scopes');
    // Findings first: the dead login, the pilot who left, those nobody linked.
    expect(description).toMatch(/^❌ \*\*1 dead login\*\*: their members must (<\/link:\d+>|\/link) again\n🚪 \*\*1 pilot\*\* left their corporation\n❓ \*\*2 pilots\*\* of tracked corporations not linked by any member here/);
    expect(summaryA.embeds[0].color).toBe(RED);
    expect(summaryA.embeds[0].footer.text).toBe(
      'Members: the 7 members the bot has seen here; /audit settings says how to list everyone.\nCSV: every linked pilot and every pilot of a tracked corporation nobody here linked.',
    );
    expect(field(summaryA, 'Dead logins')).toContain(`<@${U2}>: **Dora Dead** (login revoked or password changed)`);
    expect(field(summaryA, 'Missing scopes')).toContain(`<@${U1}>: **Aldo Alt**`);
  });

  it('then a member nobody linked is found through GET /corporations/{id}/members with a member\'s token, and named', async () => {
    const summaryA = await summaryOfA();
    const missing = field(summaryA, 'Missing from Alpha Industries');
    expect(missing).toContain('Mike Missing');
    // Alice, Aldo, Dora, the formula pilot linked here; Carol (linked by someone outside this guild: that stays
    // private, so she counts as not linked here) and Mike not.
    expect(missing).toContain('6 pilots · 4 linked here · **2 not linked here**');
    expect(missing).toContain('Carol Outside');
    const call = bed.eve.esiRequests.find((r) => r.method === 'GET' && r.path.endsWith(`/corporations/${ALPHA.id}/members`));
    expect(call?.status).toBe(200);
    // A live login of a member of this guild in the corporation, never Carol's (her owner is not in this guild).
    expect([ALICE.id, ALDO.id, FORMULA.id]).toContain(call?.characterId);

    const missingRow = csvRecords(csvOf(summaryA)).find((r) => r.row_type === 'missing_member' && r.character_id === String(MIKE.id));
    expect(missingRow).toMatchObject({ character_id: String(MIKE.id), character_name: 'Mike Missing', corporation_id: String(ALPHA.id), corporation: 'Alpha Industries' });
  });

  it('then a character that left the corporation shows as having left, and its stored corporation is updated', async () => {
    const summaryA = await summaryOfA();
    expect(field(summaryA, 'Left their corporation')).toContain(`**Bob Bolter** (<@${U2}>): Alpha Industries → Beta Corp`);
    const bob = csvRecords(csvOf(summaryA)).find((r) => r.character_id === String(BOB.id));
    expect(bob).toMatchObject({ corporation: 'Beta Corp', alliance: '', note: 'left Alpha Industries' });
    const stored = await bed.db.character.findUniqueOrThrow({ where: { id: BigInt(BOB.id) } });
    expect(stored.corporationId).toBe(BigInt(BETA.id));
    const event = await bed.db.auditEvent.findFirst({ where: { kind: 'corporation_changed', characterId: BigInt(BOB.id) } });
    expect(event?.detail).toMatchObject({ fromCorporationId: String(ALPHA.id), toCorporationId: String(BETA.id) });
  });

  it('then the CSV has one row per character with every column', async () => {
    const summaryA = await summaryOfA();
    const rows = csvRecords(csvOf(summaryA));
    const characters = rows.filter((r) => r.row_type === 'character');
    expect(characters.map((r) => r.character_name).sort()).toEqual(
      [ALICE, ALDO, BOB, DORA, FORMULA, ERIN, GUS].map((c) => c.name).map((n) => (n.startsWith('=') ? `'${n}` : n)).sort(),
    );
    const alice = characters.find((r) => r.character_id === String(ALICE.id))!;
    expect(alice).toMatchObject({
      discord_user_id: U1,
      main_or_alt: 'main',
      corporation_id: String(ALPHA.id),
      corporation: 'Alpha Industries',
      alliance_id: String(ALLIANCE.id),
      alliance: 'Alpha Alliance',
      token_status: 'ok',
      missing_scopes: '',
    });
    expect(alice.discord_user_name).toMatch(/^user/);
    expect(new Date(alice.linked_at!).getTime()).toBeGreaterThan(Date.now() - 600_000);
    expect(new Date(alice.last_refresh!).getTime()).toBeGreaterThan(Date.now() - 600_000);
    expect(characters.find((r) => r.character_id === String(ALDO.id))).toMatchObject({ main_or_alt: 'alt', token_status: 'missing_scopes', missing_scopes: 'esi-skills.read_skills.v1' });
    expect(characters.find((r) => r.character_id === String(DORA.id))).toMatchObject({ token_status: 'dead', note: 'login dead: login revoked or password changed' });
  });

  it('then values that start with =, +, - or @ are escaped against formula injection', async () => {
    const summaryA = await summaryOfA();
    const raw = csvOf(summaryA);
    const formula = csvRecords(raw).find((r) => r.character_id === String(FORMULA.id))!;
    expect(formula.character_name).toBe("'=1+2 Formula");
    expect(formula.discord_user_name).toBe("'=cmd|calc");
    expect(raw).not.toMatch(/(^|,)[=+\-@]/m);
  });

  it('given a user in two guilds, then each guild sees only its own members', async () => {
    const summaryA = await summaryOfA();
    const rowsA = csvRecords(csvOf(summaryA));
    expect(rowsA.some((r) => r.character_id === String(ERIN.id) && r.discord_user_id === BOTH)).toBe(true);
    expect(rowsA.some((r) => r.discord_user_id === OUTSIDER || (r.character_id === String(CAROL.id) && r.row_type !== 'missing_member'))).toBe(false);
    expect(text(summaryA)).not.toContain(OUTSIDER);

    const summaryB = await runAudit(bed, { userId: ADMIN, guildId: GUILD_B, permissions: MANAGE_GUILD }, { sub: 'summary' });
    const rowsB = csvRecords(csvOf(summaryB));
    const ids = rowsB.filter((r) => r.row_type === 'character').map((r) => Number(r.character_id)).sort();
    expect(ids).toEqual([CAROL.id, ERIN.id, GUS.id]);
    for (const c of [ALICE, ALDO, BOB, DORA, FORMULA]) expect(text(summaryB)).not.toContain(c.name);
    // Guild B tracks Gamma, whose only linked character did not grant the membership scope.
    expect(field(summaryB, 'Missing from Gamma Group')).toMatch(new RegExp(`must (</link:\\d+>|/link) a pilot and grant \`${MEMBERSHIP_SCOPE}\``));
  });

  it('given /audit member:@user, then their characters, main, corporations, logins, linked since, last refresh and events', async () => {
    bed.discord.memberChanges(GUILD_A, U2, { nick: 'Bob *the* Miner' });
    const { reply, interaction } = await runAuditWith(bed, { userId: ADMIN, permissions: MANAGE_GUILD }, { sub: 'member', options: [{ name: 'user', type: 6, value: U2 }] });
    const embed = reply.embeds[0];
    // Titled with the name the server shows, escaped; the main's portrait; red for Dora's dead login.
    expect(embed.title).toBe('Audit of Bob \\*the\\* Miner');
    expect(embed.thumbnail.url).toContain(String(BOB.id));
    expect(embed.color).toBe(RED);
    expect(embed.description).toContain(`<@${U2}>: 2 linked pilots`);
    expect(embed.description).toContain('**Bob Bolter** (main): Beta Corp');
    expect(embed.description).toContain('**Dora Dead**: Alpha Industries · Alpha Alliance');
    expect(embed.description).toContain('❌ login dead: login revoked or password changed');
    expect(embed.description).toMatch(/linked <t:\d+:f> · last refresh <t:\d+:R>/);
    // Nothing repeats the pilot lines.
    expect(embed.fields.map((f: { name: string }) => f.name)).toEqual(['Recent events']);
    expect(allowedMentions(interaction)).toEqual({ parse: [] });
    const events = field(reply, 'Recent events')!;
    expect(events).toContain(`<@${U2}> linked **Bob Bolter**`);
    expect(events).toContain(`login of **Dora Dead** (<@${U2}>) died: login revoked or password changed`);
    expect(events).toMatch(/^<@\d+> .* · <t:\d+:R>$/m);
    expect(events).toContain('**Bob Bolter** (<@' + U2 + '>) moved from Alpha Industries to Beta Corp');
  });

  it('given /audit member:@user for someone not in this guild, then nothing about them', async () => {
    const reply = await runAudit(bed, { userId: ADMIN, permissions: MANAGE_GUILD }, { sub: 'member', options: [{ name: 'user', type: 6, value: OUTSIDER }] });
    expect(reply.content).toMatch(/not a member of this server/);
    expect(text(reply)).not.toContain('Carol');
  });

  it('given /audit events, then links, dead logins, moves and settings of this guild, and nothing of non-members', async () => {
    const reply = await runAudit(bed, { userId: ADMIN, permissions: MANAGE_GUILD }, { sub: 'events' });
    const description = reply.embeds[0].description as string;
    expect(description).toContain(`<@${U1}> linked **Alice Alpha**`);
    expect(description).toContain('login of **Dora Dead**');
    expect(description).toMatch(new RegExp(`<@${ADMIN}> changed the (</audit settings:\\d+>|/audit settings)`));
    expect(description).not.toContain('invalid_grant');
    expect(description).not.toContain('Carol');
    expect(description).not.toContain(OUTSIDER);
  });

  it('given a slow ESI, then the reply is deferred and the edit still carries the CSV', async () => {
    const HANK = { id: 90000010, name: 'Hank Late' };
    bed.eve.addCharacter({ ...HANK, corporationId: ALPHA.id });
    await linkCharacter(bed, U1, HANK.id, { guildId: GUILD_A });
    bed.eve.esi.latencyMs = 2_000; // past the dispatcher's 1.5 s: it defers, then edits
    try {
      const interaction = await bed.discord.sendCommand({ name: 'audit', userId: ADMIN, guildId: GUILD_A, permissions: MANAGE_GUILD, options: [{ name: 'summary', type: 1 }] });
      const reply = await interaction.waitForReply((r) => !r.loading, 30_000);
      expect(interaction.responses[0]).toMatchObject({ kind: 'callback', type: 5 });
      expect(reply.embeds).toHaveLength(1);
      expect(csvRecords(csvOf(reply)).some((r) => r.character_id === String(HANK.id))).toBe(true);
    } finally {
      bed.eve.esi.latencyMs = 0;
    }
  });

  it('then the CSV is named after the server, and no reply pings anyone', async () => {
    const summaryA = await summaryOfA();
    expect(summaryA.files.map((f) => f.name)).toEqual([expect.stringMatching(/^audit-alpha-guild-\d{4}-\d{2}-\d{2}\.csv$/)]);
    const events = await runAuditWith(bed, { userId: ADMIN, permissions: MANAGE_GUILD }, { sub: 'events' });
    expect(events.reply.embeds[0].description).toContain(`<@${U1}>`);
    expect(allowedMentions(events.interaction)).toEqual({ parse: [] });
  });

  it('given 60 tracked corporations with 50-character names (more than the command allows), then the settings still show, fitted', async () => {
    const many = Array.from({ length: 60 }, (_, i) => ({ id: 98500000 + i, name: `${i} Corporation_With *A* Very Long Name`.padEnd(50, '_'), ticker: `L${i}` }));
    for (const corp of many) bed.eve.addCorporation(corp);
    const where = { guildId: BigInt(GUILD_A) };
    const before = await bed.db.guildSettings.findUniqueOrThrow({ where });
    await bed.db.guildSettings.update({ where, data: { trackedCorporationIds: many.map((c) => BigInt(c.id)) } });
    try {
      const { reply, interaction } = await runAuditWith(bed, { userId: ADMIN, permissions: MANAGE_GUILD }, { sub: 'settings' });
      expect(reply.content).toBe('');
      const description = reply.embeds[0].description as string;
      expect(description.length).toBeLessThanOrEqual(4096);
      expect(description).toContain('**Tracked corporations (60 of at most 20):**\n- 0 Corporation\\_With \\*A\\* Very Long Name');
      expect(description).toMatch(/… and \d+ more\n\n/);
      expect(allowedMentions(interaction)).toEqual({ parse: [] });
    } finally {
      await bed.db.guildSettings.update({ where, data: { trackedCorporationIds: before.trackedCorporationIds } });
    }
  });

  it('given more corporations than the cap, or 20 unknown names filling the option, then a refusal that fits and nothing saved', async () => {
    const admin = { userId: ADMIN, permissions: MANAGE_GUILD };
    const ids = Array.from({ length: 21 }, (_, i) => String(98600000 + i)).join(',');
    const cap = await runAudit(bed, admin, { sub: 'settings', options: [{ name: 'corporations', type: 3, value: ids }] });
    expect(cap.content).toBe('At most 20 corporations can be tracked; you listed 21. Nothing was saved.');

    // Markdown doubles when escaped: the most the refusal can grow from 1,000 typed characters.
    const typed = Array.from({ length: 20 }, (_, i) => (i === 0 ? '00 @everyone <@&1>' : `${String(i).padStart(2, '0')} <@&1>`).padEnd(47, '*')).join(', ');
    expect(typed.length).toBeLessThanOrEqual(1000);
    const unknown = await runAudit(bed, admin, { sub: 'settings', options: [{ name: 'corporations', type: 3, value: typed }] });
    expect(unknown.content.length).toBeLessThanOrEqual(2000);
    expect(unknown.content).toMatch(/^Unknown corporations: "00 @/);
    expect(unknown.content).toMatch(/ and \d+ more\.\n/);
    expect(unknown.content).not.toMatch(/@everyone|<@&/);
    expect(unknown.content).toMatch(/Nothing was saved\.$/);
    expect(await bed.db.guildSettings.findUnique({ where: { guildId: BigInt(GUILD_A) } })).toMatchObject({ trackedCorporationIds: [BigInt(ALPHA.id)] });
  });

  it('then the bot logged each report with its query count, and no unknown Discord route was hit', () => {
    const reports = bed.bot!.logs.filter((l) => l.msg === 'audit report');
    expect(reports.length).toBeGreaterThanOrEqual(2);
    expect(bed.discord.unexpected).toEqual([]);
    // Every formatter fitted its own reply: the dispatcher's safety net never had to cut one.
    expect(bed.bot!.logs.filter((l) => l.msg === 'reply did not fit Discord limits; cut')).toEqual([]);
  });
});

describe('/audit with the Guild Members intent', () => {
  let bed: TestBed;
  const LURKER = '200000000000000201'; // in the guild, never used the bot
  const GONE = '200000000000000202'; // linked here, then left the guild
  const PILOT = { id: 91000001, name: 'Lina Linked' };
  const GONER = { id: 91000002, name: 'Gary Gone' };

  beforeAll(async () => {
    bed = await TestBed.start({ env: { DISCORD_MEMBERS_INTENT: 'true' } });
    bed.eve.addCorporation({ id: ALPHA.id, name: ALPHA.name, ticker: ALPHA.ticker });
    for (const c of [PILOT, GONER]) bed.eve.addCharacter({ ...c, corporationId: ALPHA.id });
    bed.discord.addMember(GUILD_A, { userId: LURKER, username: 'lurker' });
    await linkCharacter(bed, U1, PILOT.id, { guildId: GUILD_A });
    await linkCharacter(bed, GONE, GONER.id, { guildId: GUILD_A });
    bed.discord.removeMember(GUILD_A, GONE);
  });

  afterAll(async () => {
    await bed?.stop();
  });

  it('then the bot asks for the Guild Members intent', () => {
    expect(bed.discord.identifyIntents).toBe(1 | 2); // Guilds | GuildMembers
  });

  it('given /audit summary, then only current members count, and those without a character are listed', async () => {
    const reply = await runAudit(bed, { userId: ADMIN, permissions: MANAGE_GUILD }, { sub: 'summary' });
    const description = reply.embeds[0].description as string;
    expect(reply.embeds[0].footer.text).toBe(
      'Members: everyone in this server, as Discord lists them.\nCSV: every linked pilot and every member without a linked pilot.',
    );
    expect(description).toMatch(/^👤 \*\*\d+ members?\*\* without a linked pilot/);
    expect(description).not.toContain('DISCORD_MEMBERS_INTENT');
    expect(reply.embeds[0].color).toBe(AMBER);
    const without = field(reply, 'Members without a linked pilot')!;
    expect(without).toContain(`<@${LURKER}>`);
    expect(without).not.toContain(`<@${U1}>`);
    expect(text(reply)).not.toContain('Gary Gone');
    const rows = csvRecords(csvOf(reply));
    expect(rows.find((r) => r.row_type === 'member_without_character' && r.discord_user_id === LURKER)?.discord_user_name).toBe('lurker');
    expect(rows.some((r) => r.discord_user_id === GONE)).toBe(false);
    expect(rows.find((r) => r.character_id === String(PILOT.id))?.discord_user_id).toBe(U1);
  });
});
