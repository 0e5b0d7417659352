// The gateway connect against the fake Discord: a connect given up leaves no session behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDiscord } from '../../src/bot/client.ts';
import { createLogger } from '../../src/log.ts';
import { FakeDiscord } from '../fakes/discord/index.ts';

describe('connectDiscord', () => {
  let fake: FakeDiscord;
  beforeAll(async () => {
    fake = await FakeDiscord.start();
  });
  afterAll(async () => {
    await fake?.close();
  });

  const options = () => ({ token: fake.botToken, apiUrl: fake.apiUrl, logger: createLogger({ level: 'silent' }), onInteraction: () => undefined });

  it('given Discord holds IDENTIFY, then aborting rejects at once with the reason, and the session that comes up later is closed at once: never a second one', async () => {
    const open = () => fake.gatewayConnections.filter((c) => c.open);
    fake.gatewayHoldsIdentify = true;
    try {
      const controller = new AbortController();
      const connecting = connectDiscord({ ...options(), signal: controller.signal });
      await expect.poll(() => open().length, { timeout: 10_000 }).toBe(1);
      controller.abort(new Error('the gateway was not ready within 60 s'));
      await expect(connecting).rejects.toThrow('the gateway was not ready within 60 s');
    } finally {
      fake.gatewayHoldsIdentify = false;
    }
    // Discord answers late: the abandoned client's session comes up (READY) and is closed right after.
    await expect.poll(() => fake.gatewayConnections.filter((c) => c.sessionId !== undefined).length, { timeout: 10_000 }).toBe(1);
    await expect.poll(() => open().length, { timeout: 10_000 }).toBe(0);
    expect(fake.gatewayConnections).toHaveLength(1); // and it did not connect again
  });

  it('given an answered IDENTIFY, then the signal that never aborts changes nothing', async () => {
    const client = await connectDiscord({ ...options(), signal: new AbortController().signal });
    expect(client.isReady()).toBe(true);
    await client.destroy();
  });
});
