import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InteractionHandle } from '../fakes/discord/index.ts';
import { CORP, linkCharacter } from '../support/linking.ts';
import { TestBed } from '../support/testBed.ts';

const SSO_DELAY_MS = 3_000;
/**
 * Far below the SSO's delay, generous for a loaded two-core machine: a
 * /characters that waited for the refresh would take about 3 s.
 */
const UNRELATED_COMMAND_BOUND_MS = 500;

const REFRESHING = { user: '200000000000000151', pilot: { id: 94000151, name: 'Rhea Refresh', wallet: 5_550_000 } };
const BYSTANDER = { user: '200000000000000152', pilot: { id: 94000152, name: 'Bram Bystander', wallet: 1_000 } };

/** Milliseconds from the interaction's dispatch to the response that showed its final answer. */
async function finalReplyMs(handle: InteractionHandle, timeoutMs = 20_000): Promise<number> {
  await handle.waitForReply((r) => !r.loading, timeoutMs);
  return handle.responses.at(-1)!.at - handle.dispatchedAt;
}

const replyText = (handle: InteractionHandle) => `${handle.currentReply()?.content ?? ''}${JSON.stringify(handle.currentReply()?.embeds ?? [])}`;

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Issue 15: no network call inside a database transaction that others wait
 * for. A token refresh waiting on a slow SSO must not hold the database (on
 * the embedded one, a single session shared by every command), so another
 * user's /characters, which needs no token, answers as fast as ever.
 */
describe.each([
  { database: 'a real PostgreSQL', embedded: false },
  { database: 'the embedded database', embedded: true },
])('given $database and a token refresh the SSO answers after 3 s', ({ embedded }) => {
  let bed: TestBed;

  beforeAll(async () => {
    bed = await TestBed.start({ embedded });
    bed.eve.addCorporation({ id: CORP.id, name: CORP.name, ticker: CORP.ticker });
    for (const { pilot } of [REFRESHING, BYSTANDER]) bed.eve.addCharacter({ ...pilot, corporationId: CORP.id });
    // Access tokens living 30 s, under the bot's 60 s margin: each /wallet of this pilot refreshes first. Arranged through
    // the SSO rather than the database, since the embedded database cannot be opened while the bot holds it.
    bed.eve.sso.accessTtlSeconds = 30;
    expect((await linkCharacter(bed, REFRESHING.user, REFRESHING.pilot.id)).page.status).toBe(200);
    bed.eve.sso.accessTtlSeconds = 1199;
    expect((await linkCharacter(bed, BYSTANDER.user, BYSTANDER.pilot.id)).page.status).toBe(200);
    // Once, so the measured /characters finds ESI's names cached like any later one does.
    await finalReplyMs(await bed.discord.sendCommand({ name: 'characters', userId: BYSTANDER.user }));
  }, 120_000);

  afterAll(async () => {
    await bed?.stop();
  });

  it("then another user's /characters answers within milliseconds, and the /wallet still shows its balance", async () => {
    const refreshes = () => bed.eve.tokenRequests.filter((r) => r.grantType === 'refresh_token' && r.characterId === REFRESHING.pilot.id);
    const refreshesBefore = refreshes().length;
    const arrivedBefore = bed.eve.tokenRequestsArrived;
    bed.eve.sso.latencyMs = SSO_DELAY_MS;
    try {
      const wallet = await bed.discord.sendCommand({ name: 'wallet', userId: REFRESHING.user });
      // The refresh is at the SSO, waiting for its answer.
      await until(() => bed.eve.tokenRequestsArrived > arrivedBefore, 5_000, 'the refresh to reach the SSO');

      const characters = await bed.discord.sendCommand({ name: 'characters', userId: BYSTANDER.user });
      const charactersMs = await finalReplyMs(characters);
      expect(replyText(characters)).toContain(BYSTANDER.pilot.name);
      // Answered while the refresh still waited for the SSO, and without waiting for it.
      expect(refreshes()).toHaveLength(refreshesBefore);
      expect(charactersMs).toBeLessThan(UNRELATED_COMMAND_BOUND_MS);

      const walletMs = await finalReplyMs(wallet);
      expect(replyText(wallet)).toContain(`**${REFRESHING.pilot.name}** · 5.55m ISK`);
      expect(walletMs).toBeGreaterThanOrEqual(SSO_DELAY_MS);
      expect(refreshes().slice(refreshesBefore).map((r) => r.status)).toEqual([200]);
    } finally {
      bed.eve.sso.latencyMs = 0;
    }
  }, 60_000);
});
