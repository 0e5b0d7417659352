import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../src/db/client.ts';
import { HandledInteractions } from '../../src/db/handledInteractions.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';

describe('HandledInteractions (real PostgreSQL)', () => {
  let testDb: TestDatabase;
  let db: Database;
  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = createDatabase(testDb.url, { maxConnections: 4 });
  });
  afterAll(async () => {
    await db?.$disconnect();
    await testDb?.drop();
  });

  it('given the same id claimed at once by several callers, then exactly one wins', async () => {
    const handled = new HandledInteractions(db);
    const wins = await Promise.all(Array.from({ length: 8 }, () => handled.claim(1234567890123456789n)));
    expect(wins.filter(Boolean)).toHaveLength(1);
    expect(await handled.claim(1234567890123456790n)).toBe(true);
  });

  it('given ids older than 15 minutes on the database clock, then only those are forgotten', async () => {
    const handled = new HandledInteractions(db);
    await db.$executeRaw`INSERT INTO handled_interaction (id, handled_at) VALUES (11, now() - interval '16 minutes'), (12, now() - interval '14 minutes')`;
    expect(await handled.forgetOld()).toBeGreaterThanOrEqual(1);
    const left = (await db.handledInteraction.findMany({ where: { id: { in: [11n, 12n] } } })).map((r) => r.id);
    expect(left).toEqual([12n]);
  });
});
