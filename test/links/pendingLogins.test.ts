import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../src/db/client.ts';
import { SecretBox, SecretBoxError } from '../../src/db/secretBox.ts';
import { PendingLogins } from '../../src/links/pendingLogins.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';

let testDb: TestDatabase;
let db: Database;
let logins: PendingLogins;

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = createDatabase(testDb.url, { maxConnections: 2 });
  logins = new PendingLogins(db, new SecretBox(randomBytes(32).toString('base64')));
});
afterAll(async () => {
  await db?.$disconnect();
  await testDb?.drop();
});

const start = (user: bigint, interactionToken: string) =>
  logins.create({ discordUserId: user, guildId: null, scopes: ['esi-wallet.read_character_wallet.v1'], interactionToken, applicationId: '300000000000000001', account: { username: 'pilot', displayName: 'Pilot', avatarUrl: null } });

describe('PendingLogins: sealed secrets', () => {
  it("given one login's sealed secrets moved to another state, then they do not open there", async () => {
    const victim = await start(200000000000000001n, 'victim-interaction-token');
    const attacker = await start(200000000000000002n, 'attacker-interaction-token');
    // They open under their own state.
    expect(await logins.peek(victim.state)).toMatchObject({ status: 'ok', login: { codeVerifier: victim.codeVerifier, interactionToken: 'victim-interaction-token' } });

    const { secrets } = await db.pendingLogin.findUniqueOrThrow({ where: { state: victim.state } });
    await db.pendingLogin.update({ where: { state: attacker.state }, data: { secrets } });
    await expect(logins.peek(attacker.state)).rejects.toBeInstanceOf(SecretBoxError);
    await expect(logins.consume(attacker.state)).rejects.toBeInstanceOf(SecretBoxError);
    // The victim's login is untouched.
    expect(await logins.consume(victim.state)).toMatchObject({ status: 'ok', login: { codeVerifier: victim.codeVerifier } });
  });
});
