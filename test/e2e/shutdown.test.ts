import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBed } from '../support/testBed.ts';
import { bedWithLinkedPilots } from '../support/linking.ts';

const USER = '200000000000000031';
const PILOT = { id: 93000001, name: 'Sam Slow', wallet: 42 };

describe('given SIGTERM while a command is in flight', () => {
  let bed: TestBed;
  beforeAll(async () => {
    bed = await bedWithLinkedPilots(USER, [PILOT]);
  });
  afterAll(async () => {
    await bed?.stop();
  });

  it('then the command still answers, and the bot exits 0 after it', async () => {
    bed.eve.esi.latencyMs = 2_500;
    const interaction = await bed.discord.sendCommand({ name: 'wallet', userId: USER });
    // The command is running once it was deferred (after 1.5 s) or reached ESI.
    await interaction.waitForResponse(() => true, 10_000);
    const exit = bed.bot!.stop('SIGTERM');
    const reply = await interaction.waitForReply((r) => !r.loading, 15_000);
    expect(JSON.stringify(reply.embeds)).toContain('42 ISK');
    expect(await exit).toBe(0);
    const order = bed.bot!.logs.map((l) => l.msg);
    expect(order.lastIndexOf('interaction answered')).toBeGreaterThan(order.indexOf('shutting down'));
    expect(order.lastIndexOf('interaction answered')).toBeLessThan(order.indexOf('stopped'));
  });
});
