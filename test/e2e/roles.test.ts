import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandOptionInput, ReplyView } from '../fakes/discord/index.ts';
import { SecretBox } from '../../src/db/secretBox.ts';
import { sealGrantTokens } from '../../src/links/grantSecrets.ts';
import { BotProcess, freePort } from '../support/botProcess.ts';
import { linkCharacter } from '../support/linking.ts';
import { TestBed } from '../support/testBed.ts';

/**
 * Role and nickname sync end to end: the real bot, the fake Discord that
 * refuses what Discord refuses (hierarchy, permissions, owner, 32
 * characters), and the fake EVE moving characters between corporations.
 */
const GUILD = '1180000000000001001';
const PILOTS = '1180000000000001011'; // managed by rules, below the bot
const MANUAL = '1180000000000001012'; // given by hand, never touched
const DIRECTORS = '1180000000000001013'; // above the bot
const EXEMPT = '1180000000000001014';
const MANAGE_ROLES = String(1n << 28n);
/** The officer in these tests: an administrator (a mere Manage Roles holder may hand out only roles below his own) */
const ADMINISTRATOR = String((1n << 3n) | (1n << 28n));

const OFFICER = '200000000000001001';
const ALICE_USER = '200000000000001011';
const BOB_USER = '200000000000001012';
const CARL_USER = '200000000000001013';
const DORA_USER = '200000000000001014';
const ERIC_USER = '200000000000001015';

const ALPHA = { id: 98001001, name: 'Alpha Industries', ticker: 'ALPHA' };
const BETA = { id: 98001002, name: 'Beta Corp', ticker: 'BETA' };
const ALICE = { id: 90001011, name: 'Alice Alpha' };
const BOB = { id: 90001012, name: 'Bob Beta-With-A-Very-Long-Character-Name' };
const CARL = { id: 90001013, name: 'Carl Carrier' };
const DORA = { id: 90001014, name: 'Dora Dies' };
const ERIC = { id: 90001015, name: 'Eric Exempt' };

describe('/roles: roles and nicknames from EVE', () => {
  let bed: TestBed;
  const roles = async (sub: string, options: CommandOptionInput[] = [], userId = OFFICER, permissions = ADMINISTRATOR): Promise<ReplyView> => {
    const interaction = await bed.discord.sendCommand({ name: 'roles', userId, guildId: GUILD, permissions, options: [{ name: sub, type: 1, options }] });
    return interaction.waitForReply((r) => !r.loading, 30_000);
  };
  const rolesOf = (userId: string): string[] => bed.discord.member(GUILD, userId)?.roles ?? [];
  const nickOf = (userId: string): string | null => bed.discord.member(GUILD, userId)?.nick ?? null;
  const writesFor = (userId: string) => bed.discord.memberWrites.filter((w) => w.userId === userId && w.status === 200);

  beforeAll(async () => {
    bed = await TestBed.start({
      env: { DISCORD_MEMBERS_INTENT: 'true', AFFILIATION_INTERVAL_S: '2' },
      discord: {
        guilds: [
          {
            id: GUILD,
            name: 'Alpha Home',
            roles: [
              { id: PILOTS, name: 'Alpha Pilots', permissions: '0', position: 1 },
              { id: MANUAL, name: 'Fleet Commander', permissions: '0', position: 2 },
              { id: EXEMPT, name: 'Keeps Nick', permissions: '0', position: 3 },
              { id: DIRECTORS, name: 'Directors', permissions: '0', position: 5 },
            ],
            botRole: { position: 4, permissions: String((1n << 28n) | (1n << 27n)) },
            members: [
              { userId: OFFICER, username: 'officer' },
              { userId: ALICE_USER, username: 'alice', roles: [MANUAL] },
              { userId: BOB_USER, username: 'bob' },
              { userId: CARL_USER, username: 'carl' },
              { userId: DORA_USER, username: 'dora' },
              { userId: ERIC_USER, username: 'eric', roles: [EXEMPT] },
            ],
          },
        ],
      },
    });
    for (const corp of [ALPHA, BETA]) bed.eve.addCorporation(corp);
    for (const c of [ALICE, BOB, CARL, DORA, ERIC]) bed.eve.addCharacter({ ...c, corporationId: ALPHA.id });
    const added = await roles('add', [
      { name: 'role', type: 8, value: PILOTS },
      { name: 'corporation', type: 3, value: String(ALPHA.id) },
    ]);
    expect(added.content).toMatch(/now goes to members whose main is in \*\*Alpha Industries\*\*/);
    // The rule change reconciles the guild in the background: let it finish before the tests count writes.
    await bed.bot!.waitForLog((l) => l.msg === 'role reconcile');
  });
  afterAll(async () => {
    await bed?.stop();
  });

  it('given a member links a character of the corporation, then the role comes within seconds, in one write with a reason, and a hand-given role stays', async () => {
    await linkCharacter(bed, ALICE_USER, ALICE.id, { guildId: GUILD });
    await expect.poll(() => rolesOf(ALICE_USER), { timeout: 10_000 }).toContain(PILOTS);
    expect(rolesOf(ALICE_USER)).toContain(MANUAL);
    const writes = writesFor(ALICE_USER);
    expect(writes).toHaveLength(1);
    expect(writes[0]!.auditLogReason).toMatch(/^EVE role sync: .*Alice Alpha/);
    expect(await bed.db.auditEvent.count({ where: { kind: 'role_added', discordUserId: BigInt(ALICE_USER) } })).toBe(1);
  });

  it('given /roles preview, then it says what would change and writes nothing', async () => {
    await linkCharacter(bed, CARL_USER, CARL.id);
    await expect.poll(() => rolesOf(CARL_USER), { timeout: 10_000 }).toContain(PILOTS);
    // Someone takes the role away by hand: a sync would give it back; a preview only says so.
    bed.discord.memberChanges(GUILD, CARL_USER, { roles: rolesOf(CARL_USER).filter((r) => r !== PILOTS) });
    const writes = bed.discord.memberWrites.length;
    const preview = await roles('preview');
    expect(JSON.stringify(preview.embeds)).toMatch(/1 would gain it \(carl\)/);
    expect(bed.discord.memberWrites.length).toBe(writes);
  });

  it('given /roles sync, then every member is reconciled, and a second sync writes nothing', async () => {
    const first = await roles('sync');
    expect(first.content).toMatch(/^Sync done: \d+ members checked, \d+ changed/);
    await expect.poll(() => rolesOf(CARL_USER)).toContain(PILOTS);
    const writes = bed.discord.memberWrites.length;
    const second = await roles('sync');
    expect(second.content).toMatch(/, 0 changed/);
    expect(bed.discord.memberWrites.length).toBe(writes);
  });

  it('given the character leaves the corporation, then the role goes after the next affiliation sweep', async () => {
    // ESI announces an hour for affiliations, and the bot never asks again sooner: a sweep that read Bob before
    // the move (under load it can) would keep the old answer for an hour. A short cache time keeps the test about the sweep.
    bed.eve.esi.cacheSeconds.affiliation = 1;
    await linkCharacter(bed, BOB_USER, BOB.id, { guildId: GUILD });
    await expect.poll(() => rolesOf(BOB_USER), { timeout: 10_000 }).toContain(PILOTS);
    bed.eve.addCharacter({ ...BOB, corporationId: BETA.id });
    bed.eve.clearEsiCache();
    await expect.poll(() => rolesOf(BOB_USER), { timeout: 20_000, interval: 250 }).not.toContain(PILOTS);
    const removed = await bed.db.auditEvent.findFirst({ where: { kind: 'role_removed', discordUserId: BigInt(BOB_USER) } });
    expect(removed?.detail).toMatchObject({ roleId: PILOTS });
  });

  it('given /unlink, then the role goes', async () => {
    await expect.poll(() => rolesOf(CARL_USER)).toContain(PILOTS);
    const ask = await bed.discord.sendCommand({ name: 'unlink', userId: CARL_USER, guildId: GUILD, options: [{ name: 'character', type: 3, value: String(CARL.id) }] });
    const button = (await ask.waitForReply()).components[0].components[0].custom_id as string;
    await (await bed.discord.sendButton({ customId: button, userId: CARL_USER, guildId: GUILD })).waitForResponse();
    await expect.poll(() => rolesOf(CARL_USER), { timeout: 10_000 }).not.toContain(PILOTS);
  });

  it('given an SSO outage, then no role is removed; a dead login keeps its role through the grace, and loses it after', async () => {
    await linkCharacter(bed, DORA_USER, DORA.id, { guildId: GUILD });
    await expect.poll(() => rolesOf(DORA_USER), { timeout: 10_000 }).toContain(PILOTS);
    // The SSO is down while a command needs a refresh: nothing about roles changes.
    await bed.db.grant.update({ where: { characterId: BigInt(DORA.id) }, data: { accessTokenExpiresAt: new Date(0) } });
    bed.eve.sso.failNext({ status: 503 }, 10);
    await (await bed.discord.sendCommand({ name: 'wallet', userId: DORA_USER, guildId: GUILD })).waitForReply((r) => !r.loading, 20_000);
    await roles('sync');
    expect(rolesOf(DORA_USER)).toContain(PILOTS);
    bed.eve.resetSsoControls();

    // The login dies for real: within the grace (24 h by default) the role stays ...
    bed.eve.revokeCharacter(DORA.id);
    await bed.db.grant.update({ where: { characterId: BigInt(DORA.id) }, data: { status: 'invalid', invalidSince: new Date(), invalidReason: 'invalid_grant' } });
    await roles('sync');
    expect(rolesOf(DORA_USER)).toContain(PILOTS);
    // ... and once the grace is over, it goes.
    await bed.db.grant.update({ where: { characterId: BigInt(DORA.id) }, data: { invalidSince: new Date(Date.now() - 25 * 3_600_000) } });
    await roles('sync');
    expect(rolesOf(DORA_USER)).not.toContain(PILOTS);
  });

  it('given a rule for a role above the bot, then /roles list says what to do and nothing crashes', async () => {
    await roles('add', [
      { name: 'role', type: 8, value: DIRECTORS },
      { name: 'linked', type: 5, value: true },
    ]);
    const list = await roles('list');
    const text = JSON.stringify(list.embeds);
    expect(text).toMatch(/Directors\*\* is above the bot's highest role/);
    expect(text).toMatch(/drag the bot's role above it in Server Settings → Roles/);
    // Amber: something stops the sync.
    expect(list.embeds[0].color).toBe(0xf0b232);
    const sync = await roles('sync');
    expect(sync.content).toMatch(/^Sync done/);
    expect(rolesOf(ALICE_USER)).not.toContain(DIRECTORS);
    await roles('remove', [{ name: 'role', type: 8, value: DIRECTORS }]);
  });

  it('then no /roles reply pings the roles and members it names', async () => {
    for (const sub of ['list', 'settings', 'preview']) {
      const interaction = await bed.discord.sendCommand({ name: 'roles', userId: OFFICER, guildId: GUILD, permissions: ADMINISTRATOR, options: [{ name: sub, type: 1, options: [] }] });
      await interaction.waitForReply((r) => !r.loading, 30_000);
      const answer = interaction.responses.filter((r) => r.kind === 'edit' || (r.kind === 'callback' && r.type === 4)).at(-1);
      const sent = answer?.kind === 'callback' ? answer.body?.data : answer?.body;
      expect(sent?.allowed_mentions, sub).toEqual({ parse: [] });
    }
  });

  it('given a nickname template, then nicknames follow it, cut from the name to 32 characters, never for the exempt role', async () => {
    const settings = await roles('settings', [{ name: 'nickname_exempt_role', type: 8, value: EXEMPT }]);
    expect(settings.embeds[0]).toMatchObject({ title: 'Role settings saved', color: 0x57f287 });
    expect(settings.embeds[0].description).toContain(`**Nickname exempt role:** <@&${EXEMPT}>`);
    await linkCharacter(bed, ERIC_USER, ERIC.id, { guildId: GUILD });
    const saved = await roles('nickname', [{ name: 'template', type: 3, value: '[{corp_ticker}] {character_name}' }]);
    expect(saved.content).toMatch(/Nicknames now follow/);
    await roles('sync');
    expect(nickOf(ALICE_USER)).toBe('[ALPHA] Alice Alpha');
    const bobNick = nickOf(BOB_USER)!;
    expect(bobNick.length).toBeLessThanOrEqual(32);
    expect(bobNick.startsWith('[BETA] Bob Beta')).toBe(true);
    expect(nickOf(ERIC_USER)).toBeNull();
    const bad = await roles('nickname', [{ name: 'template', type: 3, value: '{nope} {character_name}' }]);
    expect(bad.content).toMatch(/does not work/);
  });

  it('then no Discord request was refused and no rate limit was hit', () => {
    expect(bed.discord.memberWrites.filter((w) => w.status >= 400)).toEqual([]);
    expect(bed.discord.memberRateLimitHits).toBe(0);
  });

  it('given an officer with Manage Roles but no role above it, then he cannot make the bot hand it out', async () => {
    const reply = await roles('add', [{ name: 'role', type: 8, value: EXEMPT }, { name: 'linked', type: 5, value: true }], CARL_USER, MANAGE_ROLES);
    // Named, not mentioned: an error reply carries no allowed_mentions.
    expect(reply.content).toMatch(/^\*\*Keeps Nick\*\* is not below your highest role, so you cannot hand it out/);
    expect(await bed.db.roleRule.count({ where: { roleId: BigInt(EXEMPT) } })).toBe(0);
    const strip = await bed.discord.sendButton({ customId: `roles:strip:${MANUAL}`, userId: CARL_USER, guildId: GUILD, permissions: MANAGE_ROLES });
    expect(JSON.stringify((await strip.waitForResponse()).body)).toMatch(/is not below your highest role/);
    expect(rolesOf(ALICE_USER)).toContain(MANUAL);
  });

  it('given /roles without Manage Roles, then a refusal and nothing changes', async () => {
    const interaction = await bed.discord.sendCommand({ name: 'roles', userId: ALICE_USER, guildId: GUILD, permissions: '0', options: [{ name: 'sync', type: 1 }] });
    const reply = await interaction.waitForReply((r) => !r.loading);
    expect(reply.content).toMatch(/You need the Manage Roles/);
    await sleep(10);
  });
});

describe('role sync with two bot processes on one database', () => {
  let bed: TestBed;
  let second: BotProcess | undefined;
  beforeAll(async () => {
    bed = await TestBed.start({ env: { AFFILIATION_INTERVAL_S: '2' } });
    bed.eve.addCorporation(ALPHA);
    bed.eve.addCharacter({ ...ALICE, corporationId: ALPHA.id });
    // Each sweep asks ESI again (cache time 1 s, shorter than the period), so the requests count the sweeps.
    bed.eve.esi.cacheSeconds.affiliation = 1;
    await linkCharacter(bed, ALICE_USER, ALICE.id);
    second = new BotProcess({ ...bed.env, HTTP_PORT: String(await freePort()) });
    await second.waitForReady();
  });
  afterAll(async () => {
    await second?.stop();
    await bed?.stop();
  });

  it('then each affiliation sweep runs once across both, not once in each', async () => {
    const sweeps = () => bed.eve.esiRequests.filter((r) => r.path === '/characters/affiliation').length;
    const before = sweeps();
    await sleep(8_000);
    const ran = sweeps() - before;
    console.log(`affiliation sweeps in 8 s with two processes: ${ran}`);
    // Four periods of 2 s: about four sweeps in all (one more or less at the edges), never eight.
    expect(ran).toBeGreaterThanOrEqual(2);
    expect(ran).toBeLessThanOrEqual(5);
  });
});

describe('a background reconcile interrupted by a restart', () => {
  let bed: TestBed;
  const FIRST = '200000000000001101';
  const SECOND = '200000000000001102';
  beforeAll(async () => {
    bed = await TestBed.start({
      startBot: false,
      env: { DISCORD_MEMBERS_INTENT: 'true', ROLE_SYNC_INTERVAL_S: '3' },
      discord: {
        guilds: [
          {
            id: GUILD,
            name: 'Alpha Home',
            roles: [{ id: PILOTS, name: 'Alpha Pilots', permissions: '0', position: 1 }],
            botRole: { position: 2, permissions: MANAGE_ROLES },
            members: [
              { userId: FIRST, username: 'first' },
              { userId: SECOND, username: 'second' },
            ],
          },
        ],
      },
    });
    bed.eve.addCorporation(ALPHA);
    const box = new SecretBox(bed.env.TOKEN_ENCRYPTION_KEY!);
    // Both members' mains are in the corporation; the rule exists; the last run stopped after FIRST.
    let character = 90001100;
    for (const userId of [FIRST, SECOND]) {
      character += 1;
      bed.eve.addCharacter({ id: character, name: `Pilot ${character}`, corporationId: ALPHA.id });
      await bed.db.discordUser.create({ data: { id: BigInt(userId) } });
      await bed.db.character.create({ data: { id: BigInt(character), name: `Pilot ${character}`, ownerHash: 'seeded', corporationId: BigInt(ALPHA.id), discordUserId: BigInt(userId) } });
      await bed.db.discordUser.update({ where: { id: BigInt(userId) }, data: { mainCharacterId: BigInt(character) } });
      const sealed = sealGrantTokens(box, BigInt(character), bed.eve.issueTokens(character, ['esi-wallet.read_character_wallet.v1']));
      await bed.db.grant.create({ data: { characterId: BigInt(character), keyId: box.keyId, ...sealed, accessTokenExpiresAt: new Date(Date.now() + 600_000), scopes: ['esi-wallet.read_character_wallet.v1'] } });
    }
    await bed.db.roleRule.create({ data: { guildId: BigInt(GUILD), roleId: BigInt(PILOTS), kind: 'corporation', targetId: BigInt(ALPHA.id), through: 'main', createdBy: 1n } });
    await bed.db.roleSyncCursor.create({ data: { guildId: BigInt(GUILD), after: BigInt(FIRST), checked: 1, changed: 0 } });
    await bed.startBot();
  });
  afterAll(async () => {
    await bed?.stop();
  });

  it('then it continues after the last member it checked, and the next one starts over', async () => {
    const first = await bed.bot!.waitForLog((l) => l.msg === 'role reconcile', 20_000);
    // Resumed: SECOND (after the cursor) was checked and changed; FIRST (before it) was not touched.
    expect(first).toMatchObject({ changed: 1 });
    expect(bed.discord.member(GUILD, SECOND).roles).toContain(PILOTS);
    expect(bed.discord.member(GUILD, FIRST).roles).not.toContain(PILOTS);
    expect(await bed.db.roleSyncCursor.count()).toBe(0);
    // The next periodic reconcile starts from the beginning.
    await expect.poll(() => bed.discord.member(GUILD, FIRST).roles, { timeout: 15_000 }).toContain(PILOTS);
  });
});
