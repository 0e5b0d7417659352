import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RestNotifier } from '../../src/bot/notifier.ts';
import { createDatabase, type Database } from '../../src/db/client.ts';
import { SecretBox } from '../../src/db/secretBox.ts';
import { TokenVerifier } from '../../src/eve/jwt.ts';
import { SsoClient } from '../../src/eve/sso.ts';
import { openRefreshToken, sealGrantTokens } from '../../src/links/grantSecrets.ts';
import { createLogger } from '../../src/log.ts';
import { CharacterChangedHandsError, LoginExpiredError, SsoTemporarilyUnavailableError } from '../../src/tokens/errors.ts';
import { TokenService } from '../../src/tokens/tokenService.ts';
import { FakeDiscord } from '../fakes/discord/index.ts';
import { FakeEve } from '../fakes/eve/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';

/**
 * What may never cost a login: an answer lost on the way back, a refusal
 * right after a rotation, a crashed process holding the refresh, a /link
 * racing a refresh; and DMs only about changes that were committed.
 */
const WALLET = 'esi-wallet.read_character_wallet.v1';
const USER = 200000000000000501n;

let eve: FakeEve;
let discord: FakeDiscord;
let testDb: TestDatabase;
let db: Database;
let box: SecretBox;
let logLines: string[];
const clientId = randomBytes(16).toString('hex');
const clientSecret = randomBytes(16).toString('hex');
const cleanups: (() => Promise<unknown>)[] = [];

function service(database: Database = db): TokenService {
  const logger = createLogger({ level: 'debug', destination: new Writable({ write: (chunk, _e, cb) => (logLines.push(String(chunk)), cb()) }) });
  const sso = new SsoClient({ ssoUrl: eve.ssoUrl, clientId, clientSecret, userAgent: 'tests', timeoutMs: 1_000 });
  cleanups.push(() => sso.close());
  const verifier = new TokenVerifier({ ssoUrl: eve.ssoUrl, clientId, jwksUri: async () => (await sso.metadata()).jwks_uri });
  return new TokenService({ database, box, sso, verifier, notifier: new RestNotifier(discord.botToken, discord.apiUrl, logger), logger, retryBaseMs: 20 });
}

let nextCharacter = 91000500;
async function linked(grant: { rotatedAt?: Date } = {}) {
  const id = (nextCharacter += 1);
  eve.addCharacter({ id, name: `Pilot ${id}`, corporationId: 98000001 });
  const tokens = eve.issueTokens(id, [WALLET]);
  const characterId = BigInt(id);
  const sealed = sealGrantTokens(box, characterId, tokens);
  await db.discordUser.upsert({ where: { id: USER }, create: { id: USER }, update: {} });
  await db.character.create({ data: { id: characterId, name: `Pilot ${id}`, ownerHash: eve.ownerHash(id), discordUserId: USER } });
  await db.grant.create({
    data: { characterId, keyId: box.keyId, refreshToken: sealed.refreshToken, accessToken: sealed.accessToken, accessTokenExpiresAt: new Date(0), scopes: [WALLET], ...grant },
  });
  return { id, characterId, tokens };
}

const refreshes = (id: number) => eve.tokenRequests.filter((r) => r.grantType === 'refresh_token' && r.characterId === id);
const grantOf = (characterId: bigint) => db.grant.findUniqueOrThrow({ where: { characterId } });
const dmsAbout = (id: number) => discord.directMessages.filter((d) => d.body.content.includes(`Pilot ${id}`));
const logged = (pattern: RegExp) => logLines.filter((line) => pattern.test(line));

beforeAll(async () => {
  [eve, discord, testDb] = await Promise.all([FakeEve.start({ clientId, clientSecret }), FakeDiscord.start(), createTestDatabase()]);
  db = createDatabase(testDb.url, { maxConnections: 5 });
  box = new SecretBox(randomBytes(32).toString('base64'));
});
beforeEach(() => {
  logLines = [];
});
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
  eve.sso.latencyMs = 0;
});
afterAll(async () => {
  await db?.$disconnect();
  await Promise.allSettled([eve?.close(), discord?.close()]);
  await testDb?.drop();
});

describe('a refusal of the refresh token', () => {
  it('given the answer to a refresh was lost (the SSO rotated the token) and the retry is refused, then the login is kept until a second, independent refusal', async () => {
    const { id, characterId } = await linked();
    eve.sso.failNext('lost-answer');
    const first = await service().accessToken(characterId, [WALLET]).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(SsoTemporarilyUnavailableError);
    expect(refreshes(id).map((r) => r.injected ?? r.status)).toEqual(['lost-answer', 400]);
    expect(await grantOf(characterId)).toMatchObject({ status: 'ok' });
    expect((await grantOf(characterId)).firstRefusalAt).not.toBeNull();
    expect(logged(/suspicious refusal/)).toHaveLength(1);
    expect(logged(/suspicious refusal/)[0]).toContain('an unanswered request');

    // Right after: not an independent refusal yet.
    await expect(service().accessToken(characterId, [WALLET])).rejects.toBeInstanceOf(SsoTemporarilyUnavailableError);
    expect((await grantOf(characterId)).status).toBe('ok');

    // Later: a second refusal kills it, and the owner is told once.
    await db.grant.update({ where: { characterId }, data: { firstRefusalAt: new Date(Date.now() - 31_000) } });
    await expect(service().accessToken(characterId, [WALLET])).rejects.toBeInstanceOf(LoginExpiredError);
    expect(await grantOf(characterId)).toMatchObject({ status: 'invalid', invalidReason: 'invalid_grant' });
    await discord.waitForDirectMessage((d) => d.body.content.includes(`Pilot ${id}`));
    expect(dmsAbout(id)).toHaveLength(1);
  });

  it('given a refusal right after a rotation, then it is logged as suspicious and the grant lives on', async () => {
    const { id, characterId } = await linked({ rotatedAt: new Date(Date.now() - 60_000) });
    eve.revokeCharacter(id);
    await expect(service().accessToken(characterId, [WALLET])).rejects.toBeInstanceOf(SsoTemporarilyUnavailableError);
    expect((await grantOf(characterId)).status).toBe('ok');
    expect(logged(/suspicious refusal/)[0]).toContain('a rotation');
    expect(dmsAbout(id)).toHaveLength(0);
  });

  it('given a refusal long after the last rotation, then the login is dead at once', async () => {
    const { id, characterId } = await linked({ rotatedAt: new Date(Date.now() - 3_600_000) });
    eve.revokeCharacter(id);
    await expect(service().accessToken(characterId, [WALLET])).rejects.toBeInstanceOf(LoginExpiredError);
    expect((await grantOf(characterId)).status).toBe('invalid');
  });

  it('given the change cannot be committed, then no DM is sent and the grant is as it was', async () => {
    const { id, characterId } = await linked();
    eve.revokeCharacter(id);
    // The audit event of this character cannot be written: the transaction that kills the grant fails.
    await db.$executeRawUnsafe(`
      CREATE OR REPLACE FUNCTION refuse_test_event() RETURNS trigger AS $$
      BEGIN IF NEW.character_id = ${id} THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`);
    await db.$executeRawUnsafe(`CREATE TRIGGER refuse_test_event BEFORE INSERT ON audit_event FOR EACH ROW EXECUTE FUNCTION refuse_test_event()`);
    try {
      await expect(service().accessToken(characterId, [WALLET])).rejects.toThrow(/refused by the test/);
    } finally {
      await db.$executeRawUnsafe(`DROP TRIGGER refuse_test_event ON audit_event`);
    }
    expect((await grantOf(characterId)).status).toBe('ok');
    await new Promise((resolve) => setTimeout(resolve, 300)); // a DM would have been sent by now
    expect(dmsAbout(id)).toHaveLength(0);
  });
});

describe('the refresh lease', () => {
  it('holds no database connection across the SSO call: another query on a one-connection pool answers while the SSO is slow', async () => {
    const single = createDatabase(testDb.url, { maxConnections: 1 });
    cleanups.push(() => single.$disconnect());
    const { id, characterId } = await linked();
    eve.sso.latencyMs = 600;
    let refreshed = false;
    const arrived = eve.tokenRequestsArrived;
    const refresh = service(single).accessToken(characterId, [WALLET]).then(() => (refreshed = true));
    await expect.poll(() => eve.tokenRequestsArrived, { interval: 10 }).toBe(arrived + 1);
    await single.$queryRaw`SELECT 1`;
    expect(refreshed).toBe(false); // the query did not wait for the refresh
    await refresh;
    expect(refreshes(id)).toHaveLength(1);
  });

  it('given another process holds the lease, then the caller waits for it and does not refresh; a crashed holder\'s lease runs out', async () => {
    const { id, characterId } = await linked();
    await db.grant.update({ where: { characterId }, data: { refreshLeaseId: 'another-process', refreshLeaseUntil: new Date(Date.now() + 60_000) } });
    await expect(service().accessToken(characterId, [WALLET], { deadline: performance.now() + 400 })).rejects.toBeInstanceOf(SsoTemporarilyUnavailableError);
    expect(refreshes(id)).toHaveLength(0);

    await db.grant.update({ where: { characterId }, data: { refreshLeaseUntil: new Date(Date.now() - 1) } });
    await expect(service().accessToken(characterId, [WALLET])).resolves.toMatch(/^eyJ/);
    expect(refreshes(id)).toHaveLength(1);
    expect(await grantOf(characterId)).toMatchObject({ refreshLeaseId: null, refreshLeaseUntil: null });
  });

  it('given a /link replaces the grant during a refresh, then the new link stands and the refresh\'s token is revoked', async () => {
    const { id, characterId } = await linked();
    eve.sso.latencyMs = 300;
    const arrived = eve.tokenRequestsArrived;
    const refresh = service().accessToken(characterId, [WALLET]).catch((e: unknown) => e);
    await expect.poll(() => eve.tokenRequestsArrived, { interval: 10 }).toBe(arrived + 1);
    const relinked = eve.issueTokens(id, [WALLET]);
    await db.grant.update({ where: { characterId }, data: { ...sealGrantTokens(box, characterId, relinked), version: { increment: 1 } } });
    expect(await refresh).toBeInstanceOf(SsoTemporarilyUnavailableError);
    const grant = await grantOf(characterId);
    expect(openRefreshToken(box, characterId, grant.refreshToken, grant.keyId)).toBe(relinked.refreshToken);
    expect(eve.revokedTokens).toContain(refreshes(id)[0]!.issued!.refreshToken);
  });
});

describe('a character that changed hands', () => {
  it('then it is unlinked, and the refresh token just issued for the new owner is revoked', async () => {
    const { id, characterId } = await linked();
    eve.setOwnerHash(id, 'the-buyer', { keepTokens: true });
    await expect(service().accessToken(characterId, [WALLET])).rejects.toBeInstanceOf(CharacterChangedHandsError);
    expect(await db.character.count({ where: { id: characterId } })).toBe(0);
    expect(eve.revokedTokens).toContain(refreshes(id)[0]!.issued!.refreshToken);
  });
});
