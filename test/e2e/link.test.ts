import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBed } from '../support/testBed.ts';
import { buttonUrl, CORP, followToCallback, linkCharacter } from '../support/linking.ts';

/** Each test links its own characters for its own users: one failure does not cascade. */
describe('linking through EVE SSO', () => {
  let bed: TestBed;
  let nextCharacter = 90000000;
  let nextUser = 200000000000000000n;
  const newCharacter = (name: string) => {
    const id = (nextCharacter += 1);
    bed.eve.addCharacter({ id, name, corporationId: CORP.id });
    return { id, name };
  };
  const newUser = () => String((nextUser += 1n));

  beforeAll(async () => {
    bed = await TestBed.start();
    bed.eve.addCorporation({ id: CORP.id, name: CORP.name, ticker: CORP.ticker });
  });
  afterAll(async () => {
    await bed?.stop();
  });

  it('given /link, then an ephemeral button to the SSO with state and PKCE, and the scopes in words', async () => {
    const user = newUser();
    const interaction = await bed.discord.sendCommand({ name: 'link', userId: user });
    const reply = await interaction.waitForReply();
    expect(reply.flags & 64).toBe(64);
    // One line per scope, saying why it is asked.
    expect(reply.content).toMatch(/^- \*\*wallet\*\*: your balance and journal in (<\/wallet:\d+>|\/wallet)$/m);
    expect(reply.content).toContain("- **corporation member list**: lets your corporation's officers in this server see which members have not linked");
    const url = new URL(buttonUrl(reply));
    expect(url.origin).toBe(bed.eve.ssoUrl);
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('redirect_uri')).toBe(bed.env.EVE_CALLBACK_URL);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('state')).toMatch(/^[\w-]{43,}$/);
    expect(url.searchParams.get('scope')?.split(' ')).toContain('esi-wallet.read_character_wallet.v1');
    const pending = await bed.db.pendingLogin.findUnique({ where: { state: url.searchParams.get('state')! } });
    expect(pending?.discordUserId).toBe(BigInt(user));
    // The interaction token and verifier are stored sealed.
    expect(Buffer.from(pending!.secrets).includes(Buffer.from(interaction.token))).toBe(false);
  });

  it('given the login completes and is confirmed, then the character is stored, the reply edited, the page says so, and it is the main', async () => {
    const alice = newCharacter('Alice Alpha');
    const user = newUser();
    const { interaction, page, html } = await linkCharacter(bed, user, alice.id);
    expect(page.status).toBe(200);
    expect(html).toContain('Linked Alice Alpha (Alpha Industries)');
    expect(html).toMatch(/close this tab/);
    const reply = await interaction.waitForReply((r) => /Linked/.test(r.content ?? ''));
    expect(reply.content).toMatch(/^Linked \*\*Alice Alpha\*\* \(Alpha Industries\) as your main character\. Try <\/wallet:\d+> and <\/skills:\d+>\.$/);

    const character = await bed.db.character.findUnique({ where: { id: BigInt(alice.id) }, include: { grant: true } });
    expect(character).toMatchObject({ name: 'Alice Alpha', discordUserId: BigInt(user), corporationId: BigInt(CORP.id), ownerHash: bed.eve.ownerHash(alice.id) });
    expect(character!.grant!.scopes).toContain('esi-skills.read_skills.v1');
    expect(character!.grant!.accessTokenExpiresAt!.getTime()).toBeGreaterThan(Date.now());
    expect((await bed.db.discordUser.findUnique({ where: { id: BigInt(user) } }))?.mainCharacterId).toBe(BigInt(alice.id));
    const events = await bed.db.auditEvent.findMany({ where: { characterId: BigInt(alice.id) } });
    expect(events.map((e) => e.kind)).toEqual(['linked']);

    const list = await bed.discord.sendCommand({ name: 'characters', userId: user });
    const text = JSON.stringify((await list.waitForReply()).embeds);
    expect(text).toContain('⭐ **Alice Alpha** · Alpha Industries [ALPHA]');
    expect(text).toContain('login ok');
  });

  it('given tokens were stored, then no column of any table holds a plaintext token', async () => {
    await linkCharacter(bed, newUser(), newCharacter('Tess Tokens').id);
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
    const rita = newCharacter('Rita Relink');
    const user = newUser();
    await linkCharacter(bed, user, rita.id);
    const before = await bed.db.grant.findUnique({ where: { characterId: BigInt(rita.id) } });
    const { page, interaction } = await linkCharacter(bed, user, rita.id);
    expect(page.status).toBe(200);
    await interaction.waitForReply((r) => /^Renewed the login of \*\*Rita Relink\*\* \(Alpha Industries\), your main character\. Try /.test(r.content ?? ''));
    expect(await bed.db.character.count({ where: { id: BigInt(rita.id) } })).toBe(1);
    const after = await bed.db.grant.findUnique({ where: { characterId: BigInt(rita.id) } });
    expect(Buffer.from(after!.refreshToken).equals(Buffer.from(before!.refreshToken))).toBe(false);
    expect(after!.version).toBe(before!.version + 1);
    const kinds = (await bed.db.auditEvent.findMany({ where: { characterId: BigInt(rita.id) }, orderBy: { id: 'asc' } })).map((e) => e.kind);
    expect(kinds).toEqual(['linked', 'relinked']);
  });

  it('given a second character, then the main stays the first', async () => {
    const user = newUser();
    const first = newCharacter('Fiona First');
    await linkCharacter(bed, user, first.id);
    const { interaction } = await linkCharacter(bed, user, newCharacter('Sam Second').id);
    await interaction.waitForReply((r) => /^Linked \*\*Sam Second\*\* \(Alpha Industries\) as an alt; your main character is still \*\*Fiona First\*\*\. Try /.test(r.content ?? ''));
    expect((await bed.db.discordUser.findUnique({ where: { id: BigInt(user) } }))?.mainCharacterId).toBe(BigInt(first.id));
  });

  it('given another Discord user logs in with the character, then it moves, the event says so, and the previous user gets a DM', async () => {
    const bob = newCharacter('Bob Beta');
    const [previous, next] = [newUser(), newUser()];
    await linkCharacter(bed, previous, bob.id);
    const { page } = await linkCharacter(bed, next, bob.id);
    expect(page.status).toBe(200);
    expect((await bed.db.character.findUnique({ where: { id: BigInt(bob.id) } }))?.discordUserId).toBe(BigInt(next));
    const moved = await bed.db.auditEvent.findFirst({ where: { characterId: BigInt(bob.id), kind: 'moved' } });
    expect(moved?.detail).toMatchObject({ fromDiscordUserId: previous });
    const dm = await bed.discord.waitForDirectMessage((d) => d.userId === previous);
    expect(dm.body.content).toMatch(/Bob Beta.*no longer linked to yours/);
    expect((await bed.db.discordUser.findUnique({ where: { id: BigInt(next) } }))?.mainCharacterId).toBe(BigInt(bob.id));
    expect((await bed.db.discordUser.findUnique({ where: { id: BigInt(previous) } }))?.mainCharacterId).toBeNull();
  });

  it('given the owner hash changed (character sold), then relinking records the change of hands', async () => {
    const sold = newCharacter('Sold Sally');
    const user = newUser();
    await linkCharacter(bed, user, sold.id);
    bed.eve.setOwnerHash(sold.id, 'new-owner-hash-after-transfer');
    await linkCharacter(bed, user, sold.id);
    expect((await bed.db.character.findUnique({ where: { id: BigInt(sold.id) } }))?.ownerHash).toBe('new-owner-hash-after-transfer');
    expect(await bed.db.auditEvent.count({ where: { characterId: BigInt(sold.id), kind: 'owner_changed' } })).toBe(1);
  });

  it('given a name with HTML, then the pages escape it', async () => {
    const carol = newCharacter('Carol <Gamma>');
    const { html } = await linkCharacter(bed, newUser(), carol.id);
    expect(html).toContain('Carol &lt;Gamma&gt;');
    expect(html).not.toContain('<Gamma>');
  });

  it('given two callbacks race with one state, then exactly one exchanges the code', async () => {
    bed.eve.nextLogin(newCharacter('Rachel Race').id);
    const interaction = await bed.discord.sendCommand({ name: 'link', userId: newUser() });
    const callback = await followToCallback(buttonUrl(await interaction.waitForReply()));
    const exchangesBefore = bed.eve.tokenRequests.filter((r) => r.grantType === 'authorization_code').length;
    const answers = await Promise.all([fetch(callback), fetch(callback), fetch(callback)]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 400, 400]);
    expect(bed.eve.tokenRequests.filter((r) => r.grantType === 'authorization_code').length - exchangesBefore).toBe(1);
  });

  it("given /characters main:, then the main changes; autocomplete offers only the user's own characters; an id out of range is not one of theirs", async () => {
    const user = newUser();
    const [mine1, mine2] = [newCharacter('Mona Mine'), newCharacter('Milo Mine')];
    const theirs = newCharacter('Theo Theirs');
    await linkCharacter(bed, user, mine1.id);
    await linkCharacter(bed, user, mine2.id);
    await linkCharacter(bed, newUser(), theirs.id);
    const auto = await bed.discord.sendAutocomplete({ name: 'characters', userId: user, focused: 'main', options: [{ name: 'main', type: 3, value: '', focused: true }] });
    const choices = (await auto.waitForResponse()).body.data.choices as { name: string; value: string }[];
    expect(choices.map((c) => c.name).sort()).toEqual(['Milo Mine', 'Mona Mine']);
    const set = await bed.discord.sendCommand({ name: 'characters', userId: user, options: [{ name: 'main', type: 3, value: String(mine2.id) }] });
    const confirmed = (await set.waitForReply()).embeds[0] as { description: string; thumbnail: { url: string } };
    expect(confirmed.description.startsWith('⭐ **Milo Mine** is now your main character.\n\n⭐ **Milo Mine** · ')).toBe(true);
    expect(confirmed.thumbnail.url).toContain(String(mine2.id));
    expect((await bed.db.discordUser.findUnique({ where: { id: BigInt(user) } }))?.mainCharacterId).toBe(BigInt(mine2.id));
    for (const value of [String(theirs.id), '99999999999999999999', '9223372036854775808']) {
      const steal = await bed.discord.sendCommand({ name: 'characters', userId: user, options: [{ name: 'main', type: 3, value }] });
      expect((await steal.waitForReply()).content).toMatch(/no linked character like that/);
    }
  });

  it('given /unlink and the confirm button, then the token is revoked and the link and grant are gone; others cannot unlink it, nor with a forged id', async () => {
    const user = newUser();
    const other = newUser();
    const keep = newCharacter('Kim Keep');
    const gone = newCharacter('Gina Gone');
    await linkCharacter(bed, user, keep.id);
    await linkCharacter(bed, user, gone.id);
    await bed.discord.sendCommand({ name: 'characters', userId: user, options: [{ name: 'main', type: 3, value: String(gone.id) }] });
    await expect.poll(async () => (await bed.db.discordUser.findUnique({ where: { id: BigInt(user) } }))?.mainCharacterId).toBe(BigInt(gone.id));

    const ask = await bed.discord.sendCommand({ name: 'unlink', userId: user, options: [{ name: 'character', type: 3, value: String(gone.id) }] });
    const question = await ask.waitForReply();
    const confirm = question.components[0].components.find((b: any) => b.custom_id?.startsWith('unlink:confirm'));
    expect(confirm.custom_id).toBe(`unlink:confirm:${gone.id}`);

    // Another user presses the button (or forges one): refused, nothing changes.
    for (const customId of [confirm.custom_id, 'unlink:confirm:99999999999999999999']) {
      const forged = await bed.discord.sendButton({ customId, userId: customId === confirm.custom_id ? other : user });
      expect((await forged.waitForResponse()).body.data?.content ?? JSON.stringify(await forged.waitForReply())).toMatch(/no linked character like that/);
    }
    expect(await bed.db.character.count({ where: { id: BigInt(gone.id) } })).toBe(1);

    const revokedBefore = bed.eve.revokedTokens.length;
    const press = await bed.discord.sendButton({ customId: confirm.custom_id, userId: user });
    expect(JSON.stringify((await press.waitForResponse()).body)).toMatch(/Unlinked \*\*Gina Gone\*\*/);
    expect(bed.eve.revokedTokens.length).toBe(revokedBefore + 1);
    expect(await bed.db.character.count({ where: { id: BigInt(gone.id) } })).toBe(0);
    expect(await bed.db.grant.count({ where: { characterId: BigInt(gone.id) } })).toBe(0);
    expect(await bed.db.auditEvent.count({ where: { characterId: BigInt(gone.id), kind: 'unlinked' } })).toBe(1);
    // The main moves to the remaining character.
    expect((await bed.db.discordUser.findUnique({ where: { id: BigInt(user) } }))?.mainCharacterId).toBe(BigInt(keep.id));
  });

  it('given more than 5 /link in a row, then only the newest 5 logins are kept', async () => {
    const user = newUser();
    for (let i = 0; i < 7; i += 1) {
      await (await bed.discord.sendCommand({ name: 'link', userId: user })).waitForReply();
    }
    expect(await bed.db.pendingLogin.count({ where: { discordUserId: BigInt(user) } })).toBe(5);
  });

  it('given 20 /link at once, then at most 5 logins are kept', async () => {
    const user = newUser();
    const interactions = await Promise.all(Array.from({ length: 20 }, () => bed.discord.sendCommand({ name: 'link', userId: user })));
    await Promise.all(interactions.map((i) => i.waitForReply((r) => !r.loading, 20_000)));
    expect(await bed.db.pendingLogin.count({ where: { discordUserId: BigInt(user) } })).toBe(5);
  });
});
