import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBed } from '../support/testBed.ts';
import { buttonUrl, CORP, followToCallback, linkCharacter } from '../support/linking.ts';

const ALICE = { id: 90000001, name: 'Alice Alpha' };
const BOB = { id: 90000002, name: 'Bob Beta' };
const CAROL = { id: 90000003, name: 'Carol <Gamma>' };
const USER_1 = '200000000000000001';
const USER_2 = '200000000000000002';

describe('linking through EVE SSO', () => {
  let bed: TestBed;
  beforeAll(async () => {
    bed = await TestBed.start();
    bed.eve.addCorporation({ id: CORP.id, name: CORP.name, ticker: CORP.ticker });
    for (const c of [ALICE, BOB, CAROL]) bed.eve.addCharacter({ ...c, corporationId: CORP.id });
  });
  afterAll(async () => {
    await bed?.stop();
  });

  it('given /link, then an ephemeral button to the SSO with state and PKCE, and the scopes in words', async () => {
    const interaction = await bed.discord.sendCommand({ name: 'link', userId: USER_1 });
    const reply = await interaction.waitForReply();
    expect(reply.flags & 64).toBe(64);
    expect(reply.content).toMatch(/read your wallet/);
    const url = new URL(buttonUrl(reply));
    expect(url.origin).toBe(bed.eve.ssoUrl);
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('redirect_uri')).toBe(bed.env.EVE_CALLBACK_URL);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('state')).toMatch(/^[\w-]{43,}$/);
    expect(url.searchParams.get('scope')?.split(' ')).toContain('esi-wallet.read_character_wallet.v1');
    const pending = await bed.db.pendingLogin.findUnique({ where: { state: url.searchParams.get('state')! } });
    expect(pending?.discordUserId).toBe(BigInt(USER_1));
    // The interaction token and verifier are stored sealed.
    expect(Buffer.from(pending!.secrets).includes(Buffer.from(interaction.token))).toBe(false);
  });

  it('given the login completes, then the character is stored, the reply edited, the page says so, and it is the main', async () => {
    const { interaction, page, html } = await linkCharacter(bed, USER_1, ALICE.id);
    expect(page.status).toBe(200);
    expect(html).toContain('Linked Alice Alpha (Alpha Industries)');
    expect(html).toMatch(/close this tab/);
    const reply = await interaction.waitForReply((r) => /Linked/.test(r.content ?? ''));
    expect(reply.content).toBe('Linked **Alice Alpha** (Alpha Industries).');

    const character = await bed.db.character.findUnique({ where: { id: BigInt(ALICE.id) }, include: { grant: true } });
    expect(character).toMatchObject({ name: 'Alice Alpha', discordUserId: BigInt(USER_1), corporationId: BigInt(CORP.id), ownerHash: bed.eve.ownerHash(ALICE.id) });
    expect(character!.grant!.scopes).toContain('esi-skills.read_skills.v1');
    expect(character!.grant!.accessTokenExpiresAt!.getTime()).toBeGreaterThan(Date.now());
    const user = await bed.db.discordUser.findUnique({ where: { id: BigInt(USER_1) } });
    expect(user?.mainCharacterId).toBe(BigInt(ALICE.id));
    const events = await bed.db.auditEvent.findMany({ where: { characterId: BigInt(ALICE.id) } });
    expect(events.map((e) => e.kind)).toEqual(['linked']);

    const list = await bed.discord.sendCommand({ name: 'characters', userId: USER_1 });
    const text = JSON.stringify((await list.waitForReply()).embeds);
    expect(text).toContain('Alice Alpha** (main)');
    expect(text).toContain('Alpha Industries [ALPHA]');
    expect(text).toContain('login ok');
  });

  it('given tokens were stored, then no column of any table holds a plaintext token', async () => {
    const issued = bed.eve.tokenRequests.flatMap((r) => (r.issued ? [r.issued.accessToken, r.issued.refreshToken ?? ''] : [])).filter(Boolean);
    expect(issued.length).toBeGreaterThanOrEqual(2);
    const columns = await bed.db.$queryRaw<{ table_name: string; column_name: string; data_type: string }[]>`
      SELECT table_name, column_name, data_type FROM information_schema.columns
      WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'bytea', 'jsonb', 'json', 'ARRAY')`;
    expect(columns.length).toBeGreaterThan(5);
    for (const { table_name, column_name, data_type } of columns) {
      const rows = await bed.db.$queryRawUnsafe<{ v: string | Uint8Array | null }[]>(
        data_type === 'bytea' ? `SELECT "${column_name}" AS v FROM "${table_name}"` : `SELECT "${column_name}"::text AS v FROM "${table_name}"`,
      );
      for (const { v } of rows) {
        const haystack = v === null ? Buffer.alloc(0) : typeof v === 'string' ? Buffer.from(v) : Buffer.from(v);
        for (const token of issued) expect(haystack.includes(Buffer.from(token)), `${table_name}.${column_name}`).toBe(false);
      }
    }
    for (const token of issued) expect(bed.logText).not.toContain(token);
  });

  it('given the same character is linked again, then its grant is replaced, no duplicate, event "relinked"', async () => {
    const before = await bed.db.grant.findUnique({ where: { characterId: BigInt(ALICE.id) } });
    const { page } = await linkCharacter(bed, USER_1, ALICE.id);
    expect(page.status).toBe(200);
    expect(await bed.db.character.count({ where: { id: BigInt(ALICE.id) } })).toBe(1);
    const after = await bed.db.grant.findUnique({ where: { characterId: BigInt(ALICE.id) } });
    expect(Buffer.from(after!.refreshToken).equals(Buffer.from(before!.refreshToken))).toBe(false);
    expect(after!.version).toBe(before!.version + 1);
    const kinds = (await bed.db.auditEvent.findMany({ where: { characterId: BigInt(ALICE.id) }, orderBy: { id: 'asc' } })).map((e) => e.kind);
    expect(kinds).toEqual(['linked', 'relinked']);
  });

  it('given a second character, then the main stays the first', async () => {
    await linkCharacter(bed, USER_1, BOB.id);
    const user = await bed.db.discordUser.findUnique({ where: { id: BigInt(USER_1) } });
    expect(user?.mainCharacterId).toBe(BigInt(ALICE.id));
  });

  it('given another Discord user logs in with the character, then it moves, the event says so, and the previous user gets a DM', async () => {
    const { page } = await linkCharacter(bed, USER_2, BOB.id);
    expect(page.status).toBe(200);
    const bob = await bed.db.character.findUnique({ where: { id: BigInt(BOB.id) } });
    expect(bob?.discordUserId).toBe(BigInt(USER_2));
    const moved = await bed.db.auditEvent.findFirst({ where: { characterId: BigInt(BOB.id), kind: 'moved' } });
    expect(moved?.detail).toMatchObject({ fromDiscordUserId: USER_1 });
    const dm = await bed.discord.waitForDirectMessage((d) => d.userId === USER_1);
    expect(dm.body.content).toMatch(/Bob Beta.*no longer linked to yours/);
    const user2 = await bed.db.discordUser.findUnique({ where: { id: BigInt(USER_2) } });
    expect(user2?.mainCharacterId).toBe(BigInt(BOB.id));
  });

  it('given the owner hash changed (character sold), then relinking records the change of hands', async () => {
    bed.eve.setOwnerHash(BOB.id, 'new-owner-hash-after-transfer');
    await linkCharacter(bed, USER_2, BOB.id);
    const bob = await bed.db.character.findUnique({ where: { id: BigInt(BOB.id) } });
    expect(bob?.ownerHash).toBe('new-owner-hash-after-transfer');
    expect(await bed.db.auditEvent.count({ where: { characterId: BigInt(BOB.id), kind: 'owner_changed' } })).toBe(1);
  });

  it('given a name with HTML, then the page escapes it', async () => {
    const { html } = await linkCharacter(bed, USER_2, CAROL.id);
    expect(html).toContain('Carol &lt;Gamma&gt;');
    expect(html).not.toContain('<Gamma>');
  });

  it('given two callbacks race with one state, then exactly one links', async () => {
    bed.eve.nextLogin(ALICE.id);
    const interaction = await bed.discord.sendCommand({ name: 'link', userId: USER_1 });
    const callback = await followToCallback(buttonUrl(await interaction.waitForReply()));
    const exchangesBefore = bed.eve.tokenRequests.filter((r) => r.grantType === 'authorization_code').length;
    const answers = await Promise.all([fetch(callback), fetch(callback), fetch(callback)]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 400, 400]);
    expect(bed.eve.tokenRequests.filter((r) => r.grantType === 'authorization_code').length - exchangesBefore).toBe(1);
  });

  it('given /characters main:, then the main changes; autocomplete offers only the user\'s own characters', async () => {
    const auto = await bed.discord.sendAutocomplete({ name: 'characters', userId: USER_2, focused: 'main', options: [{ name: 'main', type: 3, value: '', focused: true }] });
    const choices = (await auto.waitForResponse()).body.data.choices as { name: string; value: string }[];
    expect(choices.map((c) => c.name).sort()).toEqual(['Bob Beta', 'Carol <Gamma>']);
    const set = await bed.discord.sendCommand({ name: 'characters', userId: USER_2, options: [{ name: 'main', type: 3, value: String(CAROL.id) }] });
    expect(JSON.stringify((await set.waitForReply()).embeds)).toContain('is now your main character');
    expect((await bed.db.discordUser.findUnique({ where: { id: BigInt(USER_2) } }))?.mainCharacterId).toBe(BigInt(CAROL.id));
    // Someone else's character cannot be chosen.
    const steal = await bed.discord.sendCommand({ name: 'characters', userId: USER_2, options: [{ name: 'main', type: 3, value: String(ALICE.id) }] });
    expect((await steal.waitForReply()).content).toMatch(/no linked character like that/);
  });

  it('given /unlink and the confirm button, then the token is revoked and the link and grant are gone; others cannot unlink it', async () => {
    const ask = await bed.discord.sendCommand({ name: 'unlink', userId: USER_2, options: [{ name: 'character', type: 3, value: String(CAROL.id) }] });
    const question = await ask.waitForReply();
    const confirm = question.components[0].components.find((b: any) => b.custom_id?.startsWith('unlink:confirm'));
    expect(confirm.custom_id).toBe(`unlink:confirm:${CAROL.id}`);

    // USER_1 presses a forged button for USER_2's character: refused, nothing changes.
    const forged = await bed.discord.sendButton({ customId: confirm.custom_id, userId: USER_1 });
    expect((await forged.waitForResponse()).body.data?.content ?? JSON.stringify((await forged.waitForReply()))).toMatch(/no linked character like that/);
    expect(await bed.db.character.count({ where: { id: BigInt(CAROL.id) } })).toBe(1);

    const grant = await bed.db.grant.findUnique({ where: { characterId: BigInt(CAROL.id) } });
    expect(grant).not.toBeNull();
    const revokedBefore = bed.eve.revokedTokens.length;
    const press = await bed.discord.sendButton({ customId: confirm.custom_id, userId: USER_2 });
    const done = await press.waitForResponse();
    expect(JSON.stringify(done.body)).toMatch(/Unlinked \*\*Carol <Gamma>\*\*/);
    expect(bed.eve.revokedTokens.length).toBe(revokedBefore + 1);
    expect(await bed.db.character.count({ where: { id: BigInt(CAROL.id) } })).toBe(0);
    expect(await bed.db.grant.count({ where: { characterId: BigInt(CAROL.id) } })).toBe(0);
    expect(await bed.db.auditEvent.count({ where: { characterId: BigInt(CAROL.id), kind: 'unlinked' } })).toBe(1);
    // The main moves to the remaining character.
    expect((await bed.db.discordUser.findUnique({ where: { id: BigInt(USER_2) } }))?.mainCharacterId).toBe(BigInt(BOB.id));
  });

  it('given more than 5 /link in a row, then only the newest 5 logins are kept', async () => {
    const user = '200000000000000009';
    for (let i = 0; i < 7; i += 1) {
      await (await bed.discord.sendCommand({ name: 'link', userId: user })).waitForReply();
    }
    expect(await bed.db.pendingLogin.count({ where: { discordUserId: BigInt(user) } })).toBe(5);
  });
});
