import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBed } from '../support/testBed.ts';
import { buttonUrl, CORP, followToCallback } from '../support/linking.ts';

const ALICE = { id: 90000011, name: 'Alice Errant' };
const USER = '200000000000000011';

/** Every bad callback answers an HTML page with safe headers and stores nothing. */
describe('SSO callback, bad input', () => {
  let bed: TestBed;
  beforeAll(async () => {
    bed = await TestBed.start();
    bed.eve.addCorporation({ id: CORP.id, name: CORP.name, ticker: CORP.ticker });
    bed.eve.addCharacter({ ...ALICE, corporationId: CORP.id });
  });
  afterAll(async () => {
    await bed?.stop();
  });

  async function startLogin() {
    bed.eve.nextLogin(ALICE.id);
    const interaction = await bed.discord.sendCommand({ name: 'link', userId: USER });
    const url = buttonUrl(await interaction.waitForReply());
    return { interaction, state: new URL(url).searchParams.get('state')!, callback: await followToCallback(url) };
  }

  async function expectRefusal(url: string, status: number, text: RegExp) {
    const answer = await fetch(url);
    const html = await answer.text();
    expect(answer.status).toBe(status);
    expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
    expect(answer.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(html).toMatch(text);
    expect(await bed.db.character.count()).toBe(0);
    expect(await bed.db.grant.count()).toBe(0);
    return html;
  }

  const callbackUrl = (query: string) => `${bed.env.EVE_CALLBACK_URL}?${query}`;

  it('given no state, then 400', async () => {
    await expectRefusal(callbackUrl('code=abc'), 400, /incomplete/);
  });

  it('given an unknown state, then 400', async () => {
    await expectRefusal(callbackUrl(`code=abc&state=${'A'.repeat(43)}`), 400, /not valid/);
  });

  it('given an expired state, then 400 "expired", and the reply says so once and loses its button', async () => {
    const { interaction, state, callback } = await startLogin();
    await bed.db.pendingLogin.update({ where: { state }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const html = await expectRefusal(callback, 400, /This login link has expired/);
    expect(html).toContain('<main class="attention">');
    const reply = await interaction.waitForReply((r) => /^This login link expired\. Run <\/link:\d+> again\.$/.test(r.content ?? ''));
    expect(reply.components).toEqual([]);
    expect(interaction.responses.filter((r) => r.kind === 'edit')).toHaveLength(1);
    // The short URL of an expired login says "expired" too (and leaves the telling to the sweep: it may be a link preview).
    const { state: other } = await startLogin();
    await bed.db.pendingLogin.update({ where: { state: other }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await expectRefusal(`${bed.httpUrl}/sso/start?state=${other}`, 400, /This login link has expired/);
  });

  it('given a state but neither a code nor an error, then a page says EVE did not send back the code, not that the state is missing', async () => {
    const { state } = await startLogin();
    const html = await expectRefusal(callbackUrl(`state=${state}`), 400, /did not send back its authorization code/);
    expect(html).not.toMatch(/missing its login state/);
    expect(html).toContain('<main class="failure">');
  });

  it('given the server\'s own address, then a page names the bot instead of "Not found"; HEAD too', async () => {
    const answer = await fetch(`${bed.httpUrl}/`);
    const html = await answer.text();
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html).toContain('<header>Fake Bot</header>');
    expect(html).toMatch(/Discord bot for EVE Online corporations/);
    expect(html).toMatch(/run \/link in Discord/);
    const head = await fetch(`${bed.httpUrl}/`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect((await fetch(`${bed.httpUrl}/nothing-here`)).status).toBe(404);
  });

  it('given a used state, then 400', async () => {
    const { callback } = await startLogin();
    bed.eve.sso.failNext({ status: 503 });
    await expectRefusal(callback, 502, /not answering/);
    await expectRefusal(callback, 400, /not valid/);
  });

  it('given access_denied with a hostile description, then a friendly page that reflects nothing, and the Discord reply says so', async () => {
    const { interaction, state } = await startLogin();
    const html = await expectRefusal(callbackUrl(`error=access_denied&error_description=%3Cscript%3Ealert(1)%3C%2Fscript%3E&state=${state}`), 400, /cancelled/);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('alert(1)');
    expect((await interaction.waitForReply((r) => /cancelled/.test(r.content ?? ''))).content).toMatch(/nothing was linked/);
    expect(await bed.db.pendingLogin.count({ where: { state } })).toBe(0);
  });

  it('given another SSO error, then a friendly page without the raw error', async () => {
    const { state } = await startLogin();
    const html = await expectRefusal(callbackUrl(`error=%3Cb%3Eserver_error%3C%2Fb%3E&state=${state}`), 400, /did not complete/);
    expect(html).not.toContain('<b>server_error');
  });

  it('given the code exchange fails with 5xx, then 502 "try /link again", and the reply says so', async () => {
    const { interaction, callback } = await startLogin();
    bed.eve.sso.failNext({ status: 502, body: { error: 'bad_gateway' } });
    await expectRefusal(callback, 502, /try \/link again/i);
    expect((await interaction.waitForReply((r) => /did not answer/.test(r.content ?? ''))).content).toMatch(/\/link/);
  });

  it('given the code exchange answers garbage, then 502', async () => {
    const { callback } = await startLogin();
    bed.eve.sso.failNext('malformed');
    await expectRefusal(callback, 502, /not answering/);
  });

  it('given the SSO rejects the code (invalid_grant), then 400', async () => {
    const { callback } = await startLogin();
    bed.eve.sso.failNext({ status: 400, body: { error: 'invalid_grant', error_description: 'code expired' } });
    await expectRefusal(callback, 400, /refused/);
  });

  for (const [name, options] of [
    ['a bad signature', { key: 'wrong-signature' }],
    ['an unknown key', { key: 'unknown' }],
    ['an expired token', { expiresIn: -300 }],
    ['a wrong audience', { claims: { aud: ['another-app', 'EVE Online'] } }],
    ['a wrong issuer', { claims: { iss: 'https://evil.example' } }],
    ['a bad subject', { claims: { sub: 'CHARACTER:EVE:x' } }],
  ] as const) {
    it(`given the token answer holds ${name}, then 400, nothing stored, the refresh token revoked and the reply edited`, async () => {
      const { callback, interaction } = await startLogin();
      const jwt = await bed.eve.mintJwt({ characterId: ALICE.id, ...(options as object) });
      const refreshToken = randomBytes(16).toString('base64');
      bed.eve.sso.failNext({ status: 200, body: { access_token: jwt, expires_in: 1199, token_type: 'Bearer', refresh_token: refreshToken } });
      await expectRefusal(callback, 400, /could not be verified/);
      expect(bed.eve.revokedTokens).toContain(refreshToken);
      expect((await interaction.waitForReply((r) => /could not be completed/.test(r.content ?? ''))).content).toMatch(/nothing was linked/);
    });
  }

  it('given all of the above, then no SSO code, state or token reached the log', async () => {
    expect(bed.logText).not.toMatch(/[?&]code=(?!\[Redacted\])/);
    for (const token of bed.eve.revokedTokens) expect(bed.logText).not.toContain(token);
  });
});

describe('given scopes that make the authorize URL longer than a button allows', () => {
  let bed: TestBed;
  beforeAll(async () => {
    const many = Array.from({ length: 40 }, (_, i) => `esi-example-${i}.read_things.v1`).join(' ');
    bed = await TestBed.start({ env: { EVE_SCOPES: many } });
  });
  afterAll(async () => {
    await bed?.stop();
  });

  it('then the button holds the bot\'s short URL, which redirects to the SSO with every parameter', async () => {
    const interaction = await bed.discord.sendCommand({ name: 'link', userId: USER });
    const url = buttonUrl(await interaction.waitForReply());
    expect(url.length).toBeLessThanOrEqual(512);
    expect(url.startsWith(`${bed.httpUrl}/sso/start?state=`)).toBe(true);
    const answer = await fetch(url, { redirect: 'manual' });
    expect(answer.status).toBe(302);
    const target = new URL(answer.headers.get('location')!);
    expect(target.origin).toBe(bed.eve.ssoUrl);
    expect(target.searchParams.get('scope')?.split(' ')).toHaveLength(40);
    expect(target.searchParams.get('state')).toBe(new URL(url).searchParams.get('state'));
    expect(target.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
  });
});
