import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORP, linkCharacter } from '../support/linking.ts';
import { TestBed } from '../support/testBed.ts';

let nextUser = 300000000000000100n;
const newUser = () => String((nextUser += 1n));

describe('given a bot taking interactions over HTTP (DISCORD_PUBLIC_KEY) and Discord posting them to /interactions', () => {
  let bed: TestBed;
  beforeAll(async () => {
    // TestBed sets the endpoint like the Developer Portal: a signed PING must get a PONG, a badly signed one a 401.
    bed = await TestBed.start({ interactions: 'http' });
    bed.eve.addCorporation({ id: CORP.id, name: CORP.name, ticker: CORP.ticker });
  }, 120_000);
  afterAll(async () => {
    await bed?.stop();
  });

  const endpoint = () => `${bed.httpUrl}/interactions`;

  it('then the bot is ready without taking interactions over the gateway, and says so', async () => {
    const ready = await bed.bot!.waitForReady();
    expect(ready.interactions).toBe('http');
    expect(ready.gateway).toBe('one elected process');
  });

  it('then a command is answered once through the callback, and the POST gets 202 with no body', async () => {
    const handle = await bed.discord.sendCommand({ name: 'characters', userId: newUser() });
    const reply = await handle.waitForReply();
    expect(JSON.stringify(reply)).toContain('/link');
    const answer = await handle.endpointAnswer!;
    expect(answer.status).toBe(202);
    expect(answer.body).toBe('');
    expect(handle.responses.filter((r) => r.kind === 'callback')).toHaveLength(1);
    expect(handle.refused).toEqual([]);
  });

  it('then a forged, stale, unsigned or future-dated request is refused with 401 before anything runs', async () => {
    const user = newUser();
    // A real interaction's bytes, replayed with a bad signature or time: the bot must not run it.
    const handle = await bed.discord.sendCommand({ name: 'link', userId: newUser() });
    await handle.waitForReply();
    const payload = JSON.stringify({ ...handle.payload, id: '1', user: { ...handle.payload.user, id: user } });
    const now = Math.floor(Date.now() / 1000);
    const pendingBefore = await bed.db.pendingLogin.count();
    const answers = await Promise.all([
      bed.discord.postToInteractionsEndpoint(endpoint(), payload, { forgeSignature: true }),
      bed.discord.postToInteractionsEndpoint(endpoint(), payload, { timestamp: now - 6 * 60 }),
      bed.discord.postToInteractionsEndpoint(endpoint(), payload, { timestamp: now + 6 * 60 }),
      fetch(endpoint(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: payload }).then(async (r) => ({ status: r.status, body: await r.text() })),
    ]);
    expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 401]);
    expect(await bed.db.pendingLogin.count()).toBe(pendingBefore);
    expect(bed.logText).not.toContain(`"userId":"${user}"`);
  });

  it('then a copy of a signed interaction (a replay inside the five minutes, or a retry) runs nothing a second time', async () => {
    const user = newUser();
    const handle = await bed.discord.sendCommand({ name: 'link', userId: user });
    await handle.waitForReply();
    const pending = await bed.db.pendingLogin.count();
    const copies = await Promise.all([1, 2, 3].map(() => bed.discord.postToInteractionsEndpoint(endpoint(), JSON.stringify(handle.payload))));
    expect(copies.map((c) => c.status)).toEqual([202, 202, 202]);
    expect(await bed.db.pendingLogin.count()).toBe(pending);
    // Nothing tried to answer the copies: no second callback was attempted.
    expect(handle.responses.filter((r) => r.kind === 'callback')).toHaveLength(1);
    expect(handle.refused).toEqual([]);
    await expect.poll(() => bed.logText.split('a copy of an interaction already taken').length - 1).toBe(3);
  });

  it('then a signed body that is not an interaction is a 400, and other methods or types are refused', async () => {
    expect((await bed.discord.postToInteractionsEndpoint(endpoint(), '{"hello":')).status).toBe(400);
    expect((await bed.discord.postToInteractionsEndpoint(endpoint(), '{"type":2}')).status).toBe(400);
    expect((await fetch(endpoint())).status).toBe(405);
    // Headers that could be a signature (well formed, in time): the body is read, and must be JSON of at most 256 KiB.
    const plausible = { 'x-signature-ed25519': 'ab'.repeat(64), 'x-signature-timestamp': String(Math.floor(Date.now() / 1000)) };
    const form = await fetch(endpoint(), { method: 'POST', headers: { ...plausible, 'content-type': 'text/plain' }, body: 'x' });
    expect(form.status).toBe(415);
    expect((await bed.discord.postToInteractionsEndpoint(endpoint(), `"${'x'.repeat(300 * 1024)}"`)).status).toBe(413);
    expect((await fetch(endpoint(), { method: 'POST', headers: { ...plausible, 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);
    // Without such headers nothing is read at all: refused at once, whatever the body.
    const unsigned = await fetch(endpoint(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(300 * 1024) });
    expect(unsigned.status).toBe(401);
  });

  it('then /link, the login, /wallet, autocomplete and a button all work over HTTP', async () => {
    const user = newUser();
    bed.eve.addCharacter({ id: 95000101, name: 'Hattie Http', corporationId: CORP.id, wallet: 1234.5 });
    bed.eve.addCharacter({ id: 95000102, name: 'Harry Http', corporationId: CORP.id, wallet: 10 });
    const linked = await linkCharacter(bed, user, 95000101);
    expect(linked.page.status).toBe(200);
    await linkCharacter(bed, user, 95000102);
    // The success edit of the /link reply reached Discord through the interaction webhook.
    await linked.interaction.waitForReply((reply) => JSON.stringify(reply).includes('Hattie Http'));

    const wallet = await bed.discord.sendCommand({ name: 'wallet', userId: user });
    const balances = JSON.stringify(await wallet.waitForReply());
    expect(balances).toContain('Hattie Http');
    expect(balances).toContain('1.23k ISK');

    const auto = await bed.discord.sendAutocomplete({ name: 'characters', userId: user, focused: 'main', options: [{ name: 'main', type: 3, value: '', focused: true }] });
    const choices = (await auto.waitForResponse()).body.data.choices as { name: string }[];
    expect(choices.map((c) => c.name).sort()).toEqual(['Harry Http', 'Hattie Http']);
    expect((await auto.endpointAnswer!).status).toBe(202);

    const ask = await bed.discord.sendCommand({ name: 'unlink', userId: user, options: [{ name: 'character', type: 3, value: '95000102' }] });
    const confirm = (await ask.waitForReply()).components[0].components.find((b: any) => b.custom_id?.startsWith('unlink:confirm'));
    const press = await bed.discord.sendButton({ customId: confirm.custom_id, userId: user, messageId: (await ask.waitForReply()).id });
    expect(JSON.stringify((await press.waitForResponse()).body)).toMatch(/Unlinked \*\*Harry Http\*\*/);
    expect((await press.endpointAnswer!).status).toBe(202);
    expect(await bed.db.character.count({ where: { id: 95000102n } })).toBe(0);
  });
});

describe('given HTTP interactions with DISCORD_GATEWAY=off', () => {
  let bed: TestBed;
  beforeAll(async () => {
    bed = await TestBed.start({ interactions: 'http', env: { DISCORD_GATEWAY: 'off' } });
  }, 120_000);
  afterAll(async () => {
    await bed?.stop();
  });

  it('then no gateway is connected at all, commands are answered, and /readyz is ready without one', async () => {
    expect((await bed.bot!.waitForReady()).gateway).toBe('off');
    const handle = await bed.discord.sendCommand({ name: 'help', userId: newUser() });
    await handle.waitForReply();
    expect((await handle.endpointAnswer!).status).toBe(202);
    expect(bed.discord.gatewayConnections).toEqual([]);
    const ready = await fetch(`${bed.httpUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { checks: { discord: string } }).checks.discord).toBe('ok');
  });
});
