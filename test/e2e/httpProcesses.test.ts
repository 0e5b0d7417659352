import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/db/secretBox.ts';
import { seedLinkedUsers } from '../../bench/support/seed.ts';
import type { InteractionHandle } from '../fakes/discord/index.ts';
import { BotProcess, freePort } from '../support/botProcess.ts';
import { answerConfirmation, buttonUrl, confirmationForm, CORP, followToCallback } from '../support/linking.ts';
import { parsePrometheusText, sampleValue } from '../support/prometheusText.ts';
import { RoundRobinProxy } from '../support/roundRobinProxy.ts';
import { TestBed } from '../support/testBed.ts';

const WALLET = 'esi-wallet.read_character_wallet.v1';

/** How many of `command` this process answered, from its own /metrics. */
async function answered(port: number, command: string): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  return sampleValue(parsePrometheusText(await response.text()), 'evebot_commands_total', { command, outcome: 'ok' }) ?? 0;
}

const isFinal = (handle: InteractionHandle) => {
  const reply = handle.currentReply();
  return reply !== undefined && reply !== null && !reply.loading;
};

/**
 * Three bot processes in HTTP interactions mode on one PostgreSQL, behind a
 * round-robin load balancer that Discord and browsers reach (the bed's
 * public URL): commands, logins and callbacks land on any process.
 */
describe('given three bot processes taking HTTP interactions behind a round-robin load balancer', () => {
  let bed: TestBed;
  let proxy: RoundRobinProxy;
  const ports: number[] = [];
  const bots: BotProcess[] = [];
  let users: { userId: bigint; characterIds: number[] }[];

  beforeAll(async () => {
    bed = await TestBed.start({ startBot: false, interactions: 'http' });
    bed.eve.addCorporation({ id: CORP.id, name: CORP.name, ticker: CORP.ticker });
    const box = new SecretBox(bed.env.TOKEN_ENCRYPTION_KEY!);
    // 50 pilots whose access tokens have expired: the first /wallet of each must refresh.
    users = await seedLinkedUsers(bed.db, box, bed.eve, {
      users: 50, charactersPerUser: 1, firstUserId: 340000000000000000n, firstCharacterId: 98200000,
      corporationId: CORP.id, accessTtlSeconds: -60, realTokens: true, wallet: 77,
    });
    for (let i = 0; i < 3; i += 1) ports.push(await freePort());
    // The load balancer takes the public URL (EVE_CALLBACK_URL and the interactions endpoint point at it).
    proxy = await RoundRobinProxy.start(ports.map((port) => `http://127.0.0.1:${port}`), Number(new URL(bed.httpUrl).port));
    for (const port of ports) bots.push(new BotProcess({ ...bed.env, HTTP_PORT: String(port) }));
    await Promise.all(bots.map((bot) => bot.waitForReady()));
    await bed.discord.setInteractionsEndpoint(`${bed.httpUrl}/interactions`);
  }, 120_000);
  afterAll(async () => {
    await Promise.all(bots.map((bot) => bot.stop()));
    await proxy?.close();
    await bed?.stop();
  });

  it('then exactly one process holds the gateway', async () => {
    await bed.discord.waitForReady(15_000, 1);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const leaders = bots.filter((bot) => bot.stdout.includes('this process now holds the Discord gateway (leader)'));
    expect(leaders).toHaveLength(1);
    expect(bed.discord.gatewayConnections.filter((c) => c.open && c.ready)).toHaveLength(1);
  });

  it('then 300 commands from 100 users are each answered exactly once, by all three processes', async () => {
    const handles: InteractionHandle[] = [];
    for (let i = 0; i < 300; i += 1) {
      handles.push(await bed.discord.sendCommand({ name: i % 2 ? 'characters' : 'help', userId: String(350000000000000000n + BigInt(i % 100)) }));
    }
    await Promise.all(handles.map((h) => h.waitForReply(undefined, 30_000)));
    for (const handle of handles) {
      expect(handle.responses.filter((r) => r.kind === 'callback')).toHaveLength(1);
      expect(handle.refused).toEqual([]);
      expect((await handle.endpointAnswer!).status).toBe(202);
    }
    const counts = await Promise.all(ports.map(async (port) => (await answered(port, 'characters')) + (await answered(port, 'help'))));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(300);
    for (const count of counts) expect(count).toBeGreaterThanOrEqual(90);
  }, 60_000);

  it('then /link started on one process completes through a callback served by another', async () => {
    const user = '360000000000000001';
    bed.eve.addCharacter({ id: 95000201, name: 'Petra Proxy', corporationId: CORP.id, wallet: 5 });
    bed.eve.nextLogin(95000201);
    const link = await bed.discord.sendCommand({ name: 'link', userId: user });
    const reply = await link.waitForReply();
    const started = proxy.interactionBackend.get(link.id)!;
    const other = (started + 1) % ports.length;
    // The browser comes back to the other process directly (not through the balancer).
    const callback = new URL(await followToCallback(buttonUrl(reply)));
    callback.port = String(ports[other]);
    const page = await fetch(callback);
    const html = await page.text();
    expect(page.status).toBe(200);
    const { page: done } = await answerConfirmation(callback.toString(), confirmationForm(html), 'confirm');
    expect(done.status).toBe(200);
    expect(bots[other]!.stdout).toContain('"path":"/sso/callback"');
    expect(bots[started]!.stdout).not.toContain('"path":"/sso/callback"');
    // The process that served the callback edited the reply the first one sent.
    await link.waitForReply((r) => JSON.stringify(r).includes('Petra Proxy'));
    expect(await bed.db.character.count({ where: { id: 95000201n, discordUserId: BigInt(user) } })).toBe(1);

    // The same signed /link posted again to each process: none runs it a second time.
    const pending = await bed.db.pendingLogin.count();
    const copies = await Promise.all(ports.map((port) => bed.discord.postToInteractionsEndpoint(`http://127.0.0.1:${port}/interactions`, JSON.stringify(link.payload))));
    expect(copies.map((c) => c.status)).toEqual([202, 202, 202]);
    expect(await bed.db.pendingLogin.count()).toBe(pending);
    expect(link.refused).toEqual([]);
  });

  it('then the refresh storm (500 /wallet over 50 expired logins) makes exactly 50 token requests over the three processes', async () => {
    bed.eve.resetCounters();
    bed.eve.sso.latencyMs = 100;
    const handles: InteractionHandle[] = [];
    for (let i = 0; i < 500; i += 1) handles.push(await bed.discord.sendCommand({ name: 'wallet', userId: String(users[i % 50]!.userId) }));
    await Promise.all(handles.map((h) => h.waitForReply(undefined, 60_000)));
    bed.eve.sso.latencyMs = 0;
    const refreshes = bed.eve.tokenRequests.filter((r) => r.grantType === 'refresh_token');
    expect(refreshes).toHaveLength(50);
    expect(refreshes.filter((r) => r.status !== 200)).toEqual([]);
    expect(handles.filter((h) => !JSON.stringify(h.currentReply()?.embeds ?? []).includes('77 ISK'))).toEqual([]);
    const byProcess = ports.map((port) => [...proxy.interactionBackend.entries()].filter(([id, index]) => index === ports.indexOf(port) && handles.some((h) => h.id === id)).length);
    for (const count of byProcess) expect(count).toBeGreaterThan(100);
  }, 120_000);

  it('then one process killed (SIGKILL) in the middle loses nothing: the others answer, and every login still works', async () => {
    const victim = 2;
    const handles: InteractionHandle[] = [];
    for (let i = 0; i < 150; i += 1) {
      // Killed with the first 60 commands in flight; once it is gone the balancer skips it.
      if (i === 60) await bots[victim]!.stop('SIGKILL');
      handles.push(await bed.discord.sendCommand({ name: 'wallet', userId: String(users[i % 50]!.userId) }));
    }
    await Promise.all(handles.map((h) => h.waitForResponse(() => isFinal(h), 20_000).catch(() => undefined)));
    // What a failure needs to say: which command, which process took it, what the balancer answered Discord.
    const explain = async (i: number) => `command ${i}: sent to process ${proxy.interactionBackend.get(handles[i]!.id)}, endpoint answered ${JSON.stringify(await handles[i]!.endpointAnswer)}`;
    const unanswered = [...handles.keys()].filter((i) => !isFinal(handles[i]!));
    // Only commands the killed process had taken may be unanswered; after the kill the balancer skips it.
    expect(await Promise.all(unanswered.filter((i) => proxy.interactionBackend.get(handles[i]!.id) !== victim).map(explain))).toEqual([]);
    expect(await Promise.all(unanswered.filter((i) => i >= 60).map(explain))).toEqual([]);
    // Nothing lost: every pilot's login is alive and shows the balance through the two that remain.
    const again = await Promise.all(users.map((u) => bed.discord.sendCommand({ name: 'wallet', userId: String(u.userId) })));
    await Promise.all(again.map((h) => h.waitForReply(undefined, 20_000)));
    expect(again.filter((h) => !JSON.stringify(h.currentReply()?.embeds ?? []).includes('77 ISK')).map((h) => JSON.stringify(h.currentReply()))).toEqual([]);
    expect(await bed.db.grant.count({ where: { status: { not: 'ok' } } })).toBe(0);
    expect(await bed.db.grant.count({ where: { scopes: { has: WALLET } } })).toBe(51);
  }, 120_000);
});

describe('given two HTTP-mode processes with the members intent, one holding the gateway', () => {
  let bed: TestBed;
  const bots: BotProcess[] = [];
  const LEADS = 'this process now holds the Discord gateway (leader)';

  beforeAll(async () => {
    bed = await TestBed.start({ startBot: false, interactions: 'http', env: { DISCORD_MEMBERS_INTENT: 'true' } });
    for (let i = 0; i < 2; i += 1) bots.push(new BotProcess({ ...bed.env, HTTP_PORT: String(await freePort()) }));
    await Promise.all(bots.map((bot) => bot.waitForReady()));
    await bed.discord.waitForReady(15_000, 1);
  }, 120_000);
  afterAll(async () => {
    await Promise.all(bots.map((bot) => bot.stop()));
    await bed?.stop();
  });

  /** A member the audit has seen leaves: the leader's gateway hears it and the sighting is forgotten. */
  async function leaveIsHeard(userId: string): Promise<void> {
    const guildId = bed.discord.guildIds[0]!;
    bed.discord.addMember(guildId, { userId, username: `member${userId.slice(-3)}` });
    await bed.db.guildMember.create({ data: { guildId: BigInt(guildId), discordUserId: BigInt(userId), name: 'someone' } });
    bed.discord.memberLeaves(guildId, userId);
    await expect.poll(() => bed.db.guildMember.count({ where: { discordUserId: BigInt(userId) } }), { timeout: 10_000 }).toBe(0);
  }

  it('then member events flow through the leader; when it is killed, the other takes the gateway over within 10 s and they keep flowing', async () => {
    await expect.poll(() => bots.filter((bot) => bot.stdout.includes(LEADS)).length, { timeout: 10_000 }).toBe(1);
    const leader = bots.findIndex((bot) => bot.stdout.includes(LEADS));
    const follower = bots[1 - leader]!;
    await leaveIsHeard('370000000000000001');

    const killedAt = performance.now();
    await bots[leader]!.stop('SIGKILL');
    await follower.waitForLog((line) => line.msg === LEADS, 10_000);
    await bed.discord.waitForGateway((connections) => connections.some((c) => c.open && c.ready), 10_000);
    expect(performance.now() - killedAt).toBeLessThan(10_000);
    expect(bed.discord.gatewayConnections.filter((c) => c.open && c.ready)).toHaveLength(1);
    await leaveIsHeard('370000000000000002');
  }, 60_000);
});
