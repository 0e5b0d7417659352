// The guild data store on both databases the bot runs on: a real PostgreSQL and the embedded one (PGlite).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../src/db/client.ts';
import { startEmbeddedDatabase } from '../../src/db/embedded.ts';
import { clearBotGuildMissing, forgetGuild, markBotGuildMissing, missingBotGuilds, recordBotGuilds } from '../../src/db/guildData.ts';
import { applyPendingMigrations } from '../../src/db/migrations.ts';
import { createTestDatabase } from '../support/postgres.ts';

const APP = 1000000000000000001n;
const OTHER_APP = 1000000000000000002n;
const HOUR = 60 * 60_000;

interface Bed {
  db: Database;
  close(): Promise<void>;
}

const beds: Record<string, () => Promise<Bed>> = {
  'real PostgreSQL': async () => {
    const test = await createTestDatabase();
    const db = createDatabase(test.url, { maxConnections: 2 });
    return { db, close: async () => (await db.$disconnect(), await test.drop()) };
  },
  'embedded database': async () => {
    const dir = mkdtempSync(join(tmpdir(), 'evebot-guilddata-'));
    const embedded = await startEmbeddedDatabase(dir);
    await applyPendingMigrations(embedded.url);
    const db = createDatabase(embedded.url, { maxConnections: 1 });
    return { db, close: async () => (await db.$disconnect(), await embedded.close(), rmSync(dir, { recursive: true, force: true })) };
  },
};

for (const [name, open] of Object.entries(beds)) {
  describe(`guild data on the ${name}`, () => {
    let bed: Bed;
    beforeAll(async () => {
      bed = await open();
    }, 60_000);
    afterAll(async () => {
      await bed?.close();
    });

    it('records the servers the bot is in per application, finds the missing ones, and confirms only a mark older than the wait', async () => {
      const { db } = bed;
      await recordBotGuilds(db, APP, [11n, 12n, 13n]);
      await recordBotGuilds(db, OTHER_APP, [21n]);
      await recordBotGuilds(db, APP, []); // an empty list records nothing (and fails nothing)
      expect(await missingBotGuilds(db, APP, [11n, 12n, 13n], HOUR)).toEqual({ missing: [], known: 3 });
      // 13 and 12 gone from the list: not confirmed until marked, and the mark is old enough.
      expect(await missingBotGuilds(db, APP, [11n], HOUR)).toEqual({ missing: expect.arrayContaining([{ guildId: 12n, marked: false, confirmed: false }, { guildId: 13n, marked: false, confirmed: false }]), known: 3 });
      await markBotGuildMissing(db, APP, 12n);
      await markBotGuildMissing(db, APP, 13n);
      expect((await missingBotGuilds(db, APP, [11n], HOUR)).missing.filter((m) => m.confirmed)).toEqual([]);
      await db.$executeRaw`UPDATE bot_guild SET missing_since = now() - interval '2 hours' WHERE guild_id = 12`;
      expect((await missingBotGuilds(db, APP, [11n], HOUR)).missing.filter((m) => m.confirmed)).toEqual([{ guildId: 12n, marked: true, confirmed: true }]);
      // A second mark keeps the first time; a server back in the list, or shown again, is no longer missing.
      await markBotGuildMissing(db, APP, 12n);
      expect((await missingBotGuilds(db, APP, [11n], HOUR)).missing.filter((m) => m.confirmed)).toHaveLength(1);
      await clearBotGuildMissing(db, APP, 13n);
      await recordBotGuilds(db, APP, [12n]);
      expect(await db.botGuild.count({ where: { applicationId: APP, missingSince: { not: null } } })).toBe(0);
      // Another application's servers are never among this one's.
      expect((await missingBotGuilds(db, APP, [], HOUR)).missing.map((m) => m.guildId).sort()).toEqual([11n, 12n, 13n]);
    });

    it('forgets a server found missing once (a second run does nothing), and on an event whatever was recorded', async () => {
      const { db } = bed;
      await recordBotGuilds(db, APP, [31n, 32n]);
      await db.guildMember.create({ data: { guildId: 31n, discordUserId: 5n, name: 'seen' } });
      await db.roleRule.create({ data: { guildId: 31n, roleId: 7n, kind: 'linked', createdBy: 1n } });
      const check = { by: 'check' as const, applicationId: APP, confirmAfterMs: HOUR };
      // Not marked, then marked only now: the check does not forget it (the age is read in the delete itself).
      expect(await forgetGuild(db, 31n, check)).toBeUndefined();
      await markBotGuildMissing(db, APP, 31n);
      expect(await forgetGuild(db, 31n, check)).toBeUndefined();
      await db.$executeRaw`UPDATE bot_guild SET missing_since = now() - interval '2 hours' WHERE guild_id = 31`;
      expect(await forgetGuild(db, 31n, { ...check, applicationId: OTHER_APP })).toBeUndefined();
      expect(await forgetGuild(db, 31n, check)).toEqual({ members: 1 });
      expect(await forgetGuild(db, 31n, check)).toBeUndefined();
      expect(await db.roleRule.count({ where: { guildId: 31n } })).toBe(0);
      expect(await db.auditEvent.count({ where: { kind: 'guild_left', guildId: 31n } })).toBe(1);
      expect(await forgetGuild(db, 32n)).toEqual({ members: 0 });
      expect(await db.botGuild.count({ where: { guildId: { in: [31n, 32n] } } })).toBe(0);
    });
  });
}
