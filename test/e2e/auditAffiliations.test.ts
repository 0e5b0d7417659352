import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkCharacter } from '../support/linking.ts';
import { TestBed } from '../support/testBed.ts';

/**
 * The bot caches POST /characters/affiliation by its whole body, so the
 * answer for one character (read at link time) and the answer for all of a
 * guild's characters (read by the summary) age apart. An older answer must
 * never move a character back into a corporation it has left.
 */
const GUILD = '1180000000000000901';
const ADMIN = '200000000000000901';
const MOVER = '200000000000000911';
const STAYER = '200000000000000912';
const OLD_CORP = { id: 98000901, name: 'Old Corp', ticker: 'OLD' };
const NEW_CORP = { id: 98000902, name: 'New Corp', ticker: 'NEW' };
const MARA = { id: 90000901, name: 'Mara Mover' };
const STAN = { id: 90000902, name: 'Stan Stayer' };

describe('/audit and stale affiliation answers', () => {
  let bed: TestBed;
  const audit = async (sub: string, options?: { name: string; type: number; value: string }[]) => {
    const interaction = await bed.discord.sendCommand({ name: 'audit', userId: ADMIN, guildId: GUILD, permissions: '32', options: [{ name: sub, type: 1, ...(options ? { options } : {}) }] });
    return interaction.waitForReply((r) => !r.loading, 20_000);
  };

  beforeAll(async () => {
    bed = await TestBed.start({ discord: { guilds: [{ id: GUILD, name: 'Movers' }] } });
    for (const corp of [OLD_CORP, NEW_CORP]) bed.eve.addCorporation(corp);
    for (const c of [MARA, STAN]) bed.eve.addCharacter({ ...c, corporationId: OLD_CORP.id });
    await linkCharacter(bed, MOVER, MARA.id, { guildId: GUILD });
    await linkCharacter(bed, STAYER, STAN.id, { guildId: GUILD });
  });
  afterAll(async () => {
    await bed?.stop();
  });

  it('given a character moved, a summary, then /audit member (whose answer the bot cached at link time), then one "moved" event and the new corporation shown', async () => {
    bed.eve.addCharacter({ ...MARA, corporationId: NEW_CORP.id });
    bed.eve.clearEsiCache();

    const summary = await audit('summary');
    expect(JSON.stringify(summary.embeds)).toContain('Old Corp → New Corp');
    expect((await bed.db.character.findUniqueOrThrow({ where: { id: BigInt(MARA.id) } })).corporationId).toBe(BigInt(NEW_CORP.id));

    const affiliationCalls = bed.eve.esiRequests.filter((r) => r.path === '/characters/affiliation').length;
    const member = await audit('member', [{ name: 'user', type: 6, value: MOVER }]);
    // The bot answered from its cache (the single-character body of the link), which still says Old Corp ...
    expect(bed.eve.esiRequests.filter((r) => r.path === '/characters/affiliation').length).toBe(affiliationCalls);
    // ... and that older answer did not win.
    expect(member.embeds[0].description).toContain('**Mara Mover** (main): New Corp');
    expect((await bed.db.character.findUniqueOrThrow({ where: { id: BigInt(MARA.id) } })).corporationId).toBe(BigInt(NEW_CORP.id));
    expect(await bed.db.auditEvent.count({ where: { characterId: BigInt(MARA.id), kind: 'corporation_changed' } })).toBe(1);
  });
});
