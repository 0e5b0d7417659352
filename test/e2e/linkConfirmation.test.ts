import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerConfirmation, buttonUrl, confirmationForm, CORP, followToCallback, linkCharacter } from '../support/linking.ts';
import { TestBed } from '../support/testBed.ts';

/**
 * Login CSRF: an attacker sends his /link button to a victim; the victim logs
 * in on the real EVE page. The bot must not link the victim's character to
 * the attacker: the browser is shown whose Discord account it would link to,
 * and nothing happens without its Confirm.
 */
describe('the link confirmation page', () => {
  let bed: TestBed;
  let next = 90000300;
  const character = (name: string) => {
    const id = (next += 1);
    bed.eve.addCharacter({ id, name, corporationId: CORP.id, wallet: 1_000 });
    return id;
  };
  let nextUser = 200000000000000300n;
  const userId = () => String((nextUser += 1n));

  beforeAll(async () => {
    // Confirmations and buttons expire after 5 s here, so the timeout can be watched.
    bed = await TestBed.start({ env: { LINK_TIMEOUT_SECONDS: '5' } });
    bed.eve.addCorporation({ id: CORP.id, name: CORP.name, ticker: CORP.ticker });
  });
  afterAll(async () => {
    await bed?.stop();
  });

  /** The attacker runs /link; the victim's browser completes the EVE login with the victim's character. */
  async function victimCompletesAttackersLogin(characterId: number, attacker = userId(), username = 'mallory') {
    bed.eve.nextLogin(characterId);
    const interaction = await bed.discord.sendCommand({ name: 'link', userId: attacker, username });
    const reply = await interaction.waitForReply();
    const callback = await followToCallback(buttonUrl(reply));
    const page = await fetch(callback);
    const html = await page.text();
    const issued = bed.eve.tokenRequests.filter((r) => r.grantType === 'authorization_code' && r.characterId === characterId).at(-1)!.issued!;
    return { attacker, interaction, callback, page, html, issued };
  }

  it('given the victim does not confirm, then nothing is linked, the Discord reply is untouched, and after the timeout the token is revoked and the reply says so', async () => {
    const victimCharacter = character('Victor Victim');
    const login = await victimCompletesAttackersLogin(victimCharacter);
    expect(login.page.status).toBe(200);
    // The page names the Discord account the login would go to: not the victim's.
    expect(login.html).toContain('Victor Victim');
    expect(login.html).toContain('to the Discord account <bdi class="who">@mallory</bdi>?');
    expect(login.html).toMatch(/if it is not, someone else started this login, so cancel/);
    expect(login.html).toContain(`https://images.evetech.net/characters/${victimCharacter}/portrait?size=64`);
    // No token in the page: only the one-time value.
    expect(login.html).not.toContain(login.issued.refreshToken!);
    expect(login.html).not.toContain(login.issued.accessToken);

    expect(await bed.db.character.count({ where: { id: BigInt(victimCharacter) } })).toBe(0);
    expect(await bed.db.grant.count({ where: { characterId: BigInt(victimCharacter) } })).toBe(0);
    expect(login.interaction.currentReply()?.content).toMatch(/Log in with the EVE character/);

    const reply = await login.interaction.waitForReply((r) => /not confirmed in time/.test(r.content ?? ''), 15_000);
    expect(reply.content).toContain('**Victor Victim**');
    expect(reply.content).toMatch(/nothing was linked/);
    expect(bed.eve.revokedTokens).toContain(login.issued.refreshToken);
    expect(await bed.db.linkConfirmation.count({ where: { characterId: BigInt(victimCharacter) } })).toBe(0);
    expect(await bed.db.character.count({ where: { id: BigInt(victimCharacter) } })).toBe(0);
    expect(await bed.db.auditEvent.count({ where: { characterId: BigInt(victimCharacter) } })).toBe(0);
  });

  it('given Cancel, then nothing is stored, the token is revoked, and the reply says the login was cancelled', async () => {
    const id = character('Cora Cancel');
    const login = await victimCompletesAttackersLogin(id);
    const { page, html } = await answerConfirmation(login.callback, confirmationForm(login.html), 'cancel');
    expect(page.status).toBe(200);
    expect(html).toContain('Login cancelled');
    expect(bed.eve.revokedTokens).toContain(login.issued.refreshToken);
    expect(await bed.db.character.count({ where: { id: BigInt(id) } })).toBe(0);
    const reply = await login.interaction.waitForReply((r) => /cancelled in the browser/.test(r.content ?? ''));
    expect(reply.content).toContain('**Cora Cancel**');
  });

  it('given Confirm, then the character is linked to the user who ran /link, the reply and the page say so', async () => {
    const id = character('Connie Confirm');
    const user = userId();
    const { page, html, interaction } = await linkCharacter(bed, user, id);
    expect(page.status).toBe(200);
    expect(html).toContain('Linked Connie Confirm (Alpha Industries)');
    expect(html).toContain('as your main character');
    expect((await bed.db.character.findUniqueOrThrow({ where: { id: BigInt(id) } })).discordUserId).toBe(BigInt(user));
    await interaction.waitForReply((r) => /^Linked \*\*Connie Confirm\*\* \(Alpha Industries\) as your main character\. /.test(r.content ?? ''));
    expect(await bed.db.linkConfirmation.count()).toBe(0);
  });

  it('given a forged, a replayed or a malformed confirmation, then a 4xx page and nothing changes', async () => {
    const id = character('Fred Forged');
    const login = await victimCompletesAttackersLogin(id);
    const form = confirmationForm(login.html);

    const forged = await answerConfirmation(login.callback, { ...form, value: randomBytes(32).toString('base64url') }, 'confirm');
    expect(forged.page.status).toBe(400);
    expect(forged.html).toContain('This confirmation is not valid');
    const malformed = await fetch(new URL(form.action, login.callback), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'action=confirm' });
    expect(malformed.status).toBe(400);
    const notAForm = await fetch(new URL(form.action, login.callback), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ confirmation: form.value, action: 'confirm' }) });
    expect(notAForm.status).toBe(415);
    expect(await bed.db.character.count({ where: { id: BigInt(id) } })).toBe(0);

    // The real value still works once (the attempts above did not use it up) ...
    const first = await answerConfirmation(login.callback, form, 'confirm');
    expect(first.page.status).toBe(200);
    // ... and only once: a replay changes nothing, it only says the link is done.
    const replay = await answerConfirmation(login.callback, form, 'confirm');
    expect(replay.html).toContain('Already linked');
    const replayCancel = await answerConfirmation(login.callback, form, 'cancel');
    expect(replayCancel.html).toContain('Already linked');
    expect((await bed.db.character.findUniqueOrThrow({ where: { id: BigInt(id) } })).discordUserId).toBe(BigInt(login.attacker));
    expect(bed.eve.revokedTokens).not.toContain(login.issued.refreshToken);
    expect(login.interaction.responses.filter((r) => r.kind === 'edit')).toHaveLength(1);
  });

  it('given the confirmation page reloaded before an answer, then it says the login waits for an answer on the first page, and that page still works', async () => {
    const id = character('Wanda Waiting');
    const login = await victimCompletesAttackersLogin(id);
    const exchanges = bed.eve.tokenRequests.length;
    const reload = await fetch(login.callback);
    const html = await reload.text();
    expect(reload.status).toBe(409);
    expect(html).toContain('This login is waiting for your answer');
    expect(html).toContain('run /link in Discord again');
    expect(html).not.toContain('not valid');
    expect(html).not.toContain('<form');
    expect(bed.eve.tokenRequests.length).toBe(exchanges);
    const done = await answerConfirmation(login.callback, confirmationForm(login.html), 'confirm');
    expect(done.html).toContain('Linked Wanda Waiting');
  });

  it('given a completed link, then reloading its success page or reopening its login link says "Already linked — check Discord" with the character, and changes nothing', async () => {
    const id = character('Rita Reload');
    const login = await victimCompletesAttackersLogin(id);
    const form = confirmationForm(login.html);
    const done = await answerConfirmation(login.callback, form, 'confirm');
    expect(done.html).toContain('Linked Rita Reload');
    expect(done.html).toContain('<main class="success"><header>Fake Bot</header>');
    const guild = bed.discord.guildIds[0]!;
    expect(done.html).toContain(`href="discord://-/channels/${guild}">Open Discord</a>`);
    expect(done.html).toContain(`href="https://discord.com/channels/${guild}"`);
    await login.interaction.waitForReply((r) => /^Linked \*\*Rita Reload\*\*/.test(r.content));
    const exchanges = bed.eve.tokenRequests.length;

    // A reload re-posts the form; going back re-opens the callback URL with its used state and code.
    for (const again of [await answerConfirmation(login.callback, form, 'confirm'), { page: await fetch(login.callback), html: '' }]) {
      const html = again.html || (await again.page.text());
      expect(again.page.status).toBe(200);
      expect(html).toContain('Already linked — check Discord');
      expect(html).toContain('Rita Reload was linked with this login');
      expect(html).toContain('<svg class="icon"');
      expect(html).toContain(`href="discord://-/channels/${guild}">Open Discord</a>`);
      expect(html).not.toContain('not valid');
      expect(html).not.toContain(form.value);
    }
    expect(bed.eve.tokenRequests.length).toBe(exchanges);
    expect(login.interaction.responses.filter((r) => r.kind === 'edit')).toHaveLength(1);
    // Remembered by digests only: neither the state nor the form's value is stored.
    const state = new URL(login.callback).searchParams.get('state')!;
    const remembered = JSON.stringify(await bed.db.completedLogin.findMany(), (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
    expect(remembered).toContain('Rita Reload');
    expect(remembered).not.toContain(state);
    expect(remembered).not.toContain(form.value);
  });

  it('given the sweep said a confirmation expired but could not revoke it yet, then answering it late does not say so again', async () => {
    const id = character('Sam Swept');
    const login = await victimCompletesAttackersLogin(id);
    bed.eve.sso.invalidClient = true;
    try {
      await bed.db.linkConfirmation.updateMany({ where: { characterId: BigInt(id) }, data: { expiresAt: new Date(Date.now() - 1000) } });
      await login.interaction.waitForReply((r) => /not confirmed in time/.test(r.content));
      // The revocation failed, so the row stays for the next sweep: the late answer still finds it.
      expect(await bed.db.linkConfirmation.count({ where: { characterId: BigInt(id) } })).toBe(1);
      const late = await answerConfirmation(login.callback, confirmationForm(login.html), 'confirm');
      expect(late.html).toContain('This confirmation has expired');
    } finally {
      bed.eve.sso.invalidClient = false;
    }
    expect(login.interaction.responses.filter((r) => r.kind === 'edit')).toHaveLength(1);
    expect(await bed.db.character.count({ where: { id: BigInt(id) } })).toBe(0);
  });

  it('given a completed link after its day, then the sweep forgets it and the state is just "not valid"', async () => {
    const id = character('Fay Forgotten');
    const { callback } = await linkCharacter(bed, userId(), id);
    await bed.db.completedLogin.updateMany({ where: { characterName: 'Fay Forgotten' }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await expect.poll(() => bed.db.completedLogin.count({ where: { characterName: 'Fay Forgotten' } }), { timeout: 10_000 }).toBe(0);
    const again = await fetch(callback);
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('This login link is not valid');
  });

  it('given a /link nobody follows, then once it expires its reply says so, once, and loses its button', async () => {
    const interaction = await bed.discord.sendCommand({ name: 'link', userId: userId() });
    const state = new URL(buttonUrl(await interaction.waitForReply())).searchParams.get('state')!;
    const reply = await interaction.waitForReply((r) => /^This login link expired\. Run <\/link:\d+> again\.$/.test(r.content ?? ''), 15_000);
    expect(reply.components).toEqual([]);
    expect(await bed.db.pendingLogin.count({ where: { state } })).toBe(0);
    // Later sweeps (every 1.25 s here) do not say it again.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(interaction.responses.filter((r) => r.kind === 'edit')).toHaveLength(1);
  });

  it('given a HEAD of the callback, then 405 and the login still completes; unknown parameters such as iss are ignored', async () => {
    const id = character('Hank Head');
    bed.eve.nextLogin(id);
    const interaction = await bed.discord.sendCommand({ name: 'link', userId: userId() });
    const callback = await followToCallback(buttonUrl(await interaction.waitForReply()));
    const head = await fetch(callback, { method: 'HEAD' });
    expect(head.status).toBe(405);
    expect(head.headers.get('allow')).toBe('GET, POST');
    const withIss = new URL(callback);
    withIss.searchParams.set('iss', bed.eve.ssoUrl);
    const page = await fetch(withIss);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Link <bdi class="who">Hank Head</bdi>');
  });

  it('given a confirmation answered after it expired, then an "expired" page, the token revoked, and nothing linked', async () => {
    const id = character('Eve Expired');
    const login = await victimCompletesAttackersLogin(id);
    await bed.db.linkConfirmation.updateMany({ where: { characterId: BigInt(id) }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const late = await answerConfirmation(login.callback, confirmationForm(login.html), 'confirm');
    // The sweep may have taken it first: either way it is refused and revoked.
    expect(late.page.status).toBe(400);
    expect(late.html).toMatch(/expired|not valid/);
    await expect.poll(() => bed.eve.revokedTokens.includes(login.issued.refreshToken!), { timeout: 10_000 }).toBe(true);
    expect(await bed.db.character.count({ where: { id: BigInt(id) } })).toBe(0);
    // Whoever ended it (this answer or the sweep), the reply said so once, without its button.
    const reply = await login.interaction.waitForReply((r) => /not confirmed in time/.test(r.content));
    expect(reply.components).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(login.interaction.responses.filter((r) => r.kind === 'edit')).toHaveLength(1);
  });
});
