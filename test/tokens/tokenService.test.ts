import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RestNotifier } from '../../src/bot/notifier.ts';
import { createDatabase, type Database } from '../../src/db/client.ts';
import { SecretBox, SecretBoxError } from '../../src/db/secretBox.ts';
import { TokenVerifier } from '../../src/eve/jwt.ts';
import { SsoClient } from '../../src/eve/sso.ts';
import { openAccessToken, openRefreshToken, sealGrantTokens } from '../../src/links/grantSecrets.ts';
import { createLogger } from '../../src/log.ts';
import {
  BotMisconfiguredError,
  CharacterChangedHandsError,
  LoginExpiredError,
  LoginUnreadableError,
  MissingScopesError,
  NotLinkedError,
  SsoTemporarilyUnavailableError,
} from '../../src/tokens/errors.ts';
import { TokenService } from '../../src/tokens/tokenService.ts';
import { FakeDiscord } from '../fakes/discord/index.ts';
import { FakeEve } from '../fakes/eve/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';

const WALLET = 'esi-wallet.read_character_wallet.v1';
const SKILLS = 'esi-skills.read_skills.v1';
const USER = 200000000000000001n;

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
  const logger = createLogger({
    level: 'debug',
    destination: new Writable({ write: (chunk, _e, cb) => (logLines.push(String(chunk)), cb()) }),
  });
  const sso = new SsoClient({ ssoUrl: eve.ssoUrl, clientId, clientSecret, userAgent: 'tests', timeoutMs: 2_000 });
  cleanups.push(() => sso.close());
  const verifier = new TokenVerifier({ ssoUrl: eve.ssoUrl, clientId, jwksUri: async () => (await sso.metadata()).jwks_uri });
  const notifier = new RestNotifier(discord.botToken, discord.apiUrl, logger);
  return new TokenService({ database, box, sso, verifier, notifier, logger, retryBaseMs: 20 });
}

let nextCharacter = 91000000;
/** A linked character whose stored access token expires in `ttlSeconds` (negative: already expired). */
async function linked(ttlSeconds: number, scopes = [WALLET, SKILLS]) {
  const id = (nextCharacter += 1);
  eve.addCharacter({ id, name: `Pilot ${id}`, corporationId: 98000001 });
  const tokens = eve.issueTokens(id, scopes);
  const characterId = BigInt(id);
  const sealed = sealGrantTokens(box, characterId, tokens);
  await db.discordUser.upsert({ where: { id: USER }, create: { id: USER }, update: {} });
  await db.character.create({ data: { id: characterId, name: `Pilot ${id}`, ownerHash: eve.ownerHash(id), discordUserId: USER } });
  await db.grant.create({
    data: {
      characterId,
      keyId: box.keyId,
      refreshToken: sealed.refreshToken,
      accessToken: sealed.accessToken,
      accessTokenExpiresAt: new Date(Date.now() + ttlSeconds * 1000),
      scopes,
    },
  });
  return { id, characterId, tokens };
}

/** The refresh requests the fake SSO received for this character (injected failures included). */
const refreshes = (id: number) => eve.tokenRequests.filter((r) => r.grantType === 'refresh_token' && r.characterId === id);
/** Log lines of a caller that got its token after waiting on the cross-process lock. */
const sharedThroughLock = () =>
  logLines
    .flatMap((chunk) => chunk.split('\n'))
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.msg === 'token refreshed elsewhere' && line.outcome === 'shared');
const storedRefreshToken = async (characterId: bigint) => {
  const grant = await db.grant.findUniqueOrThrow({ where: { characterId } });
  return openRefreshToken(box, characterId, grant.refreshToken, grant.keyId);
};

beforeAll(async () => {
  [eve, discord, testDb] = await Promise.all([FakeEve.start({ clientId, clientSecret }), FakeDiscord.start(), createTestDatabase()]);
  db = createDatabase(testDb.url, { maxConnections: 10 });
  box = new SecretBox(randomBytes(32).toString('base64'));
});
beforeEach(() => {
  logLines = [];
  eve.resetCounters();
});
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
  eve.resetSsoControls();
});
afterAll(async () => {
  await db?.$disconnect();
  await Promise.allSettled([eve?.close(), discord?.close()]);
  await testDb?.drop();
});

describe('TokenService.accessToken', () => {
  it('given a token valid for longer than the margin, then it is returned without calling the SSO', async () => {
    const { characterId, tokens, id } = await linked(600);
    expect(await service().accessToken(characterId, [WALLET])).toBe(tokens.accessToken);
    expect(refreshes(id)).toHaveLength(0);
  });

  it('given a token inside the margin, then exactly one refresh, and both new tokens are stored', async () => {
    const { characterId, tokens, id } = await linked(30);
    // A command's budget: a deadline on performance.now()'s fractional clock.
    const token = await service().accessToken(characterId, [WALLET], { deadline: performance.now() + 9_000.25 });
    expect(token).not.toBe(tokens.accessToken);
    expect(refreshes(id)).toHaveLength(1);
    const issued = refreshes(id)[0]!.issued!;
    expect(token).toBe(issued.accessToken);
    expect(await storedRefreshToken(characterId)).toBe(issued.refreshToken);
    const grant = await db.grant.findUniqueOrThrow({ where: { characterId } });
    expect(grant.accessTokenExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 60_000);
    expect(grant.lastRefreshedAt).not.toBeNull();
    expect(grant.version).toBe(1);
    // And a second call uses it: no new refresh.
    expect(await service().accessToken(characterId, [WALLET])).toBe(token);
    expect(refreshes(id)).toHaveLength(1);
    expect(logLines.join('')).toMatch(/"outcome":"refreshed"/);
    expect(logLines.join('')).not.toContain(token);
  });

  it('given 50 concurrent calls in one process for one expired character, then they share one refresh in memory: one token request, the same token, no wait on the cross-process lock', async () => {
    const { characterId, id } = await linked(-10);
    eve.sso.latencyMs = 100;
    const shared = service();
    const tokens = await Promise.all(Array.from({ length: 50 }, () => shared.accessToken(characterId, [WALLET])));
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).toBe(refreshes(id)[0]!.issued!.accessToken);
    expect(refreshes(id)).toHaveLength(1);
    // The advisory lock alone also yields one request (the waiters reuse the token), so the in-process sharing shows only here.
    expect(sharedThroughLock()).toEqual([]);
  });

  it('given two service instances with their own database pools asking at once, then one token request, and the other waits on the lock and reuses its token', async () => {
    const { characterId, id } = await linked(-10);
    const otherDb = createDatabase(testDb.url, { maxConnections: 3 });
    cleanups.push(() => otherDb.$disconnect());
    // Both read the stale grant long before either refresh can commit.
    eve.sso.latencyMs = 500;
    const [a, b] = await Promise.all([service().accessToken(characterId, [WALLET]), service(otherDb).accessToken(characterId, [WALLET])]);
    expect(a).toBe(b);
    expect(refreshes(id)).toHaveLength(1);
    expect(sharedThroughLock()).toEqual([expect.objectContaining({ characterId: String(characterId) })]);
  });

  it('given the SSO answers 502 then 200, then the call succeeds after one retry', async () => {
    const { characterId, id } = await linked(-10);
    eve.sso.failNext({ status: 502 }, 1);
    const token = await service().accessToken(characterId, [WALLET]);
    expect(refreshes(id).map((r) => r.status)).toEqual([502, 200]);
    expect(token).toBe(refreshes(id)[1]!.issued!.accessToken);
  });

  it('given a malformed answer then a good one, then it is retried like an outage', async () => {
    const { characterId, id } = await linked(-10);
    eve.sso.failNext('malformed', 1);
    await service().accessToken(characterId, [WALLET]);
    expect(refreshes(id)).toHaveLength(2);
  });

  it('given the SSO down for longer, then the typed transient error, the grant untouched, and the next call after recovery works', async () => {
    const { characterId, id } = await linked(-10);
    const before = await db.grant.findUniqueOrThrow({ where: { characterId } });
    eve.sso.failNext({ status: 503 }, 3);
    await expect(service().accessToken(characterId, [WALLET])).rejects.toBeInstanceOf(SsoTemporarilyUnavailableError);
    expect(refreshes(id)).toHaveLength(3); // one try and two retries
    const after = await db.grant.findUniqueOrThrow({ where: { characterId } });
    expect(after.status).toBe('ok');
    expect(after.version).toBe(before.version);
    expect(Buffer.from(after.refreshToken).equals(Buffer.from(before.refreshToken))).toBe(true);
    const recovered = await service().accessToken(characterId, [WALLET]);
    expect(recovered).toBe(refreshes(id)[3]!.issued!.accessToken);
  });

  it('given invalid_grant, then the grant is invalid (ciphertext kept), one DM, an event, and later calls fail fast without the SSO', async () => {
    const { characterId, id } = await linked(-10);
    eve.revokeCharacter(id);
    const dmsBefore = discord.directMessages.length;
    await expect(service().accessToken(characterId, [WALLET])).rejects.toBeInstanceOf(LoginExpiredError);
    const grant = await db.grant.findUniqueOrThrow({ where: { characterId } });
    expect(grant).toMatchObject({ status: 'invalid', invalidReason: 'invalid_grant' });
    expect(grant.invalidSince).not.toBeNull();
    expect(grant.refreshToken.length).toBeGreaterThan(0);
    expect(await db.auditEvent.count({ where: { characterId, kind: 'grant_invalid' } })).toBe(1);
    const dm = await discord.waitForDirectMessage((d) => d.userId === String(USER) && d.body.content.includes(`Pilot ${id}`));
    expect(dm.body.content).toMatch(/use \/link/i);

    const requests = refreshes(id).length;
    const error = await service().accessToken(characterId, [WALLET]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LoginExpiredError);
    expect((error as LoginExpiredError).userMessage).toBe(`Your login for **Pilot ${id}** has expired or was revoked: use /link to log in again.`);
    expect(refreshes(id)).toHaveLength(requests);
    expect(discord.directMessages.length - dmsBefore).toBe(1);
  });

  it('given a refresh answer without refresh_token, then the old refresh token is kept and still works', async () => {
    const { characterId, tokens } = await linked(-10);
    eve.sso.omitRefreshToken = true;
    await service().accessToken(characterId, [WALLET]);
    expect(await storedRefreshToken(characterId)).toBe(tokens.refreshToken);
    eve.sso.omitRefreshToken = false;
    await db.grant.update({ where: { characterId }, data: { accessTokenExpiresAt: new Date(0) } });
    await expect(service().accessToken(characterId, [WALLET])).resolves.toMatch(/^eyJ/);
  });

  it('given scp as a single string in the refreshed token, then the scopes are stored as a list', async () => {
    const { characterId } = await linked(-10, [WALLET]);
    eve.sso.scpAsString = true;
    await service().accessToken(characterId, [WALLET]);
    expect((await db.grant.findUniqueOrThrow({ where: { characterId } })).scopes).toEqual([WALLET]);
  });

  it('given the owner hash changed, then the character is unlinked, an event recorded, and the user told', async () => {
    const { characterId, id } = await linked(-10);
    eve.setOwnerHash(id, 'someone-else', { keepTokens: true });
    await expect(service().accessToken(characterId, [WALLET])).rejects.toBeInstanceOf(CharacterChangedHandsError);
    expect(await db.character.count({ where: { id: characterId } })).toBe(0);
    expect(await db.auditEvent.count({ where: { characterId, kind: 'owner_changed' } })).toBe(1);
    await discord.waitForDirectMessage((d) => d.body.content.includes(`Pilot ${id}`) && /another EVE account/.test(d.body.content));
  });

  it('given invalid_client, then the misconfiguration error, logged loudly, grant untouched', async () => {
    const { characterId } = await linked(-10);
    eve.sso.invalidClient = true;
    await expect(service().accessToken(characterId, [WALLET])).rejects.toBeInstanceOf(BotMisconfiguredError);
    expect((await db.grant.findUniqueOrThrow({ where: { characterId } })).status).toBe('ok');
    expect(logLines.join('')).toMatch(/"level":"error".*BotMisconfiguredError/);
  });

  it('given a missing scope or an unknown character, then the typed errors, without the SSO', async () => {
    const { characterId, id } = await linked(-10, [WALLET]);
    const error = await service().accessToken(characterId, [WALLET, SKILLS]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingScopesError);
    expect((error as MissingScopesError).missing).toEqual([SKILLS]);
    await expect(service().accessToken(123n, [WALLET])).rejects.toBeInstanceOf(NotLinkedError);
    expect(refreshes(id)).toHaveLength(0);
  });

  it('given several characters at once (valid, expired, dead, unknown), then each gets its token or its own error', async () => {
    const valid = await linked(600);
    const expired = await linked(-10);
    const dead = await linked(-10);
    eve.revokeCharacter(dead.id);
    const results = await service().accessTokens([valid.characterId, expired.characterId, dead.characterId, 5n], [WALLET]);
    expect(results.get(valid.characterId)).toEqual({ token: valid.tokens.accessToken });
    expect(results.get(expired.characterId)).toEqual({ token: refreshes(expired.id).find((r) => r.status === 200)!.issued!.accessToken });
    expect((results.get(dead.characterId) as { error: unknown }).error).toBeInstanceOf(LoginExpiredError);
    expect((results.get(5n) as { error: unknown }).error).toBeInstanceOf(NotLinkedError);
    // The expired one and the dead one once each; the valid one needs none.
    expect(refreshes(valid.id)).toHaveLength(0);
    expect(refreshes(expired.id)).toHaveLength(1);
    expect(refreshes(dead.id).map((r) => r.status)).toEqual([400]);
  });
});

describe('sealed grant tokens', () => {
  it("given character A's sealed tokens copied into character B's grant, then they do not open for B, and B gets no token", async () => {
    const a = await linked(600);
    const b = await linked(600);
    const stolen = await db.grant.findUniqueOrThrow({ where: { characterId: a.characterId } });
    // They open where they belong.
    expect(openAccessToken(box, a.characterId, stolen.accessToken!, stolen.keyId)).toBe(a.tokens.accessToken);
    expect(openRefreshToken(box, a.characterId, stolen.refreshToken, stolen.keyId)).toBe(a.tokens.refreshToken);

    await db.grant.update({ where: { characterId: b.characterId }, data: { refreshToken: stolen.refreshToken, accessToken: stolen.accessToken } });
    expect(() => openAccessToken(box, b.characterId, stolen.accessToken!, stolen.keyId)).toThrow(SecretBoxError);
    expect(() => openRefreshToken(box, b.characterId, stolen.refreshToken, stolen.keyId)).toThrow(SecretBoxError);

    // B's access token looks valid for 10 more minutes: it would be handed out as stored, if it opened.
    await expect(service().accessToken(b.characterId, [WALLET])).rejects.toBeInstanceOf(LoginUnreadableError);
    // Among several characters, only B fails.
    const many = await service().accessTokens([a.characterId, b.characterId], [WALLET]);
    expect(many.get(a.characterId)).toEqual({ token: a.tokens.accessToken });
    expect((many.get(b.characterId) as { error: unknown }).error).toBeInstanceOf(LoginUnreadableError);
    // Expired: the refresh token is opened to refresh, and must not reach the SSO.
    await db.grant.update({ where: { characterId: b.characterId }, data: { accessTokenExpiresAt: new Date(0) } });
    await expect(service().accessToken(b.characterId, [WALLET])).rejects.toBeInstanceOf(LoginUnreadableError);
    expect((await db.grant.findUniqueOrThrow({ where: { characterId: b.characterId } })).refreshLeaseId).toBeNull();
    expect(eve.tokenRequests).toEqual([]);
    // A itself is untouched and still works.
    expect(await service().accessToken(a.characterId, [WALLET])).toBe(a.tokens.accessToken);
  });
});

