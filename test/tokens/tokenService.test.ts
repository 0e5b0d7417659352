import { describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../src/db/client.ts';
import { SecretBoxError } from '../../src/db/secretBox.ts';
import { openAccessToken, openRefreshToken } from '../../src/links/grantSecrets.ts';
import {
  BotMisconfiguredError,
  CharacterChangedHandsError,
  LoginExpiredError,
  LoginUnreadableError,
  MissingScopesError,
  NotLinkedError,
  SsoTemporarilyUnavailableError,
} from '../../src/tokens/errors.ts';

const WALLET = 'esi-wallet.read_character_wallet.v1';
const SKILLS = 'esi-skills.read_skills.v1';
const USER = 200000000000000001n;
import { readGrants } from '../../src/tokens/grantStore.ts';
import { useTokenTestBed } from './harness.ts';

const bed = useTokenTestBed({ user: USER, firstCharacterId: 91000000 });
const service = (database?: Database) => bed.service(database);
const linked = (ttlSeconds: number, scopes = [WALLET, SKILLS]) => bed.linked(ttlSeconds, scopes);
const refreshes = (id: number) => bed.refreshes(id);

/** Log lines of a caller that got its token after another process's refresh (the lease). */
const sharedThroughLock = () =>
  bed.logLines
    .flatMap((chunk) => chunk.split('\n'))
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.msg === 'token refreshed elsewhere' && line.outcome === 'shared');
const storedRefreshToken = async (characterId: bigint) => {
  const grant = await bed.db.grant.findUniqueOrThrow({ where: { characterId } });
  return openRefreshToken(bed.box, characterId, grant.refreshToken, grant.keyId);
};

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
    const grant = await bed.db.grant.findUniqueOrThrow({ where: { characterId } });
    expect(grant.accessTokenExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 60_000);
    expect(grant.lastRefreshedAt).not.toBeNull();
    expect(grant.version).toBe(1);
    // And a second call uses it: no new refresh.
    expect(await service().accessToken(characterId, [WALLET])).toBe(token);
    expect(refreshes(id)).toHaveLength(1);
    expect(bed.logLines.join('')).toMatch(/"outcome":"refreshed"/);
    expect(bed.logLines.join('')).not.toContain(token);
  });

  it('given 50 concurrent calls in one process for one expired character, then they share one refresh in memory: one token request, the same token, no wait on another process\'s lease', async () => {
    const { characterId, id } = await linked(-10);
    bed.eve.sso.latencyMs = 100;
    const shared = service();
    const tokens = await Promise.all(Array.from({ length: 50 }, () => shared.accessToken(characterId, [WALLET])));
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).toBe(refreshes(id)[0]!.issued!.accessToken);
    expect(refreshes(id)).toHaveLength(1);
    // The lease alone also yields one request (the waiters reuse the token), so the in-process sharing shows only here.
    expect(sharedThroughLock()).toEqual([]);
  });

  it('given two service instances with their own database pools asking at once, then one token request, and the other waits for the lease and reuses its token', async () => {
    const { characterId, id } = await linked(-10);
    const otherDb = createDatabase(bed.testDb.url, { maxConnections: 3 });
    bed.defer(() => otherDb.$disconnect());
    // Both read the stale grant long before either refresh can commit.
    bed.eve.sso.latencyMs = 500;
    const [a, b] = await Promise.all([service().accessToken(characterId, [WALLET]), service(otherDb).accessToken(characterId, [WALLET])]);
    expect(a).toBe(b);
    expect(refreshes(id)).toHaveLength(1);
    expect(sharedThroughLock()).toEqual([expect.objectContaining({ characterId: String(characterId) })]);
  });

  it('given the SSO answers 502 then 200, then the call succeeds after one retry', async () => {
    const { characterId, id } = await linked(-10);
    bed.eve.sso.failNext({ status: 502 }, 1);
    const token = await service().accessToken(characterId, [WALLET]);
    expect(refreshes(id).map((r) => r.status)).toEqual([502, 200]);
    expect(token).toBe(refreshes(id)[1]!.issued!.accessToken);
  });

  it('given a 200 the bot cannot read, then the spent refresh token is not sent again, and the uncertainty is recorded', async () => {
    const { characterId, id } = await linked(-10);
    bed.eve.sso.failNext('malformed', 1);
    await expect(service().accessToken(characterId, [WALLET])).rejects.toBeInstanceOf(SsoTemporarilyUnavailableError);
    expect(refreshes(id).map((r) => r.injected ?? r.status)).toEqual(['malformed']);
    const grant = await bed.db.grant.findUniqueOrThrow({ where: { characterId } });
    expect(grant.status).toBe('ok');
    expect(grant.refreshUncertainAt).not.toBeNull();
  });

  it('given the SSO down for longer, then the typed transient error, the grant untouched, and the next call after recovery works', async () => {
    const { characterId, id } = await linked(-10);
    const before = await bed.db.grant.findUniqueOrThrow({ where: { characterId } });
    bed.eve.sso.failNext({ status: 503 }, 3);
    await expect(service().accessToken(characterId, [WALLET])).rejects.toBeInstanceOf(SsoTemporarilyUnavailableError);
    expect(refreshes(id)).toHaveLength(3); // one try and two retries
    const after = await bed.db.grant.findUniqueOrThrow({ where: { characterId } });
    expect(after.status).toBe('ok');
    expect(after.version).toBe(before.version);
    expect(Buffer.from(after.refreshToken).equals(Buffer.from(before.refreshToken))).toBe(true);
    const recovered = await service().accessToken(characterId, [WALLET]);
    expect(recovered).toBe(refreshes(id)[3]!.issued!.accessToken);
  });

  it('given invalid_grant, then the grant is invalid (ciphertext kept), one DM, an event, and later calls fail fast without the SSO', async () => {
    const { characterId, id } = await linked(-10);
    bed.eve.revokeCharacter(id);
    const dmsBefore = bed.discord.directMessages.length;
    await expect(service().accessToken(characterId, [WALLET])).rejects.toBeInstanceOf(LoginExpiredError);
    const grant = await bed.db.grant.findUniqueOrThrow({ where: { characterId } });
    expect(grant).toMatchObject({ status: 'invalid', invalidReason: 'invalid_grant' });
    expect(grant.invalidSince).not.toBeNull();
    expect(grant.refreshToken.length).toBeGreaterThan(0);
    expect(await bed.db.auditEvent.count({ where: { characterId, kind: 'grant_invalid' } })).toBe(1);
    const dm = await bed.discord.waitForDirectMessage((d) => d.userId === String(USER) && d.body.content.includes(`Pilot ${id}`));
    expect(dm.body.content).toMatch(/use \/link/i);

    const requests = refreshes(id).length;
    const error = await service().accessToken(characterId, [WALLET]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LoginExpiredError);
    expect((error as LoginExpiredError).userMessage).toBe(`Your login for **Pilot ${id}** has expired or was revoked: use /link to log in again.`);
    expect(refreshes(id)).toHaveLength(requests);
    expect(bed.discord.directMessages.length - dmsBefore).toBe(1);
  });

  it('given a refresh answer without refresh_token, then the old refresh token is kept and still works', async () => {
    const { characterId, tokens } = await linked(-10);
    bed.eve.sso.omitRefreshToken = true;
    await service().accessToken(characterId, [WALLET]);
    expect(await storedRefreshToken(characterId)).toBe(tokens.refreshToken);
    bed.eve.sso.omitRefreshToken = false;
    await bed.db.grant.update({ where: { characterId }, data: { accessTokenExpiresAt: new Date(0) } });
    await expect(service().accessToken(characterId, [WALLET])).resolves.toMatch(/^eyJ/);
  });

  it('given scp as a single string in the refreshed token, then the scopes are stored as a list', async () => {
    const { characterId } = await linked(-10, [WALLET]);
    bed.eve.sso.scpAsString = true;
    await service().accessToken(characterId, [WALLET]);
    expect((await bed.db.grant.findUniqueOrThrow({ where: { characterId } })).scopes).toEqual([WALLET]);
  });

  it('given the owner hash changed, then the character is unlinked, an event recorded, and the user told', async () => {
    const { characterId, id } = await linked(-10);
    bed.eve.setOwnerHash(id, 'someone-else', { keepTokens: true });
    await expect(service().accessToken(characterId, [WALLET])).rejects.toBeInstanceOf(CharacterChangedHandsError);
    expect(await bed.db.character.count({ where: { id: characterId } })).toBe(0);
    expect(await bed.db.auditEvent.count({ where: { characterId, kind: 'owner_changed' } })).toBe(1);
    await bed.discord.waitForDirectMessage((d) => d.body.content.includes(`Pilot ${id}`) && /another EVE account/.test(d.body.content));
  });

  it('given invalid_client, then the misconfiguration error, logged loudly, grant untouched', async () => {
    const { characterId } = await linked(-10);
    bed.eve.sso.invalidClient = true;
    await expect(service().accessToken(characterId, [WALLET])).rejects.toBeInstanceOf(BotMisconfiguredError);
    expect((await bed.db.grant.findUniqueOrThrow({ where: { characterId } })).status).toBe('ok');
    expect(bed.logLines.join('')).toMatch(/"level":"error".*BotMisconfiguredError/);
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
    bed.eve.revokeCharacter(dead.id);
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
    const stolen = await bed.db.grant.findUniqueOrThrow({ where: { characterId: a.characterId } });
    // They open where they belong.
    expect(openAccessToken(bed.box, a.characterId, stolen.accessToken!, stolen.keyId)).toBe(a.tokens.accessToken);
    expect(openRefreshToken(bed.box, a.characterId, stolen.refreshToken, stolen.keyId)).toBe(a.tokens.refreshToken);

    await bed.db.grant.update({ where: { characterId: b.characterId }, data: { refreshToken: stolen.refreshToken, accessToken: stolen.accessToken } });
    expect(() => openAccessToken(bed.box, b.characterId, stolen.accessToken!, stolen.keyId)).toThrow(SecretBoxError);
    expect(() => openRefreshToken(bed.box, b.characterId, stolen.refreshToken, stolen.keyId)).toThrow(SecretBoxError);

    // B's access token looks valid for 10 more minutes: it would be handed out as stored, if it opened.
    await expect(service().accessToken(b.characterId, [WALLET])).rejects.toBeInstanceOf(LoginUnreadableError);
    // Among several characters, only B fails.
    const many = await service().accessTokens([a.characterId, b.characterId], [WALLET]);
    expect(many.get(a.characterId)).toEqual({ token: a.tokens.accessToken });
    expect((many.get(b.characterId) as { error: unknown }).error).toBeInstanceOf(LoginUnreadableError);
    // Expired: the refresh token is opened to refresh, and must not reach the SSO.
    await bed.db.grant.update({ where: { characterId: b.characterId }, data: { accessTokenExpiresAt: new Date(0) } });
    await expect(service().accessToken(b.characterId, [WALLET])).rejects.toBeInstanceOf(LoginUnreadableError);
    expect((await bed.db.grant.findUniqueOrThrow({ where: { characterId: b.characterId } })).refreshLeaseId).toBeNull();
    expect(bed.eve.tokenRequests).toEqual([]);
    // A itself is untouched and still works.
    expect(await service().accessToken(a.characterId, [WALLET])).toBe(a.tokens.accessToken);
  });
});


describe('readGrants: the main flag', () => {
  it("given another user's main pointing at this user's character, then the character is not this user's main; only its own user's choice counts", async () => {
    const mine = await linked(600);
    const other = 200000000000000099n;
    await bed.db.discordUser.create({ data: { id: other, mainCharacterId: mine.characterId } });
    bed.defer(() => bed.db.discordUser.delete({ where: { id: other } }));
    bed.defer(() => bed.db.discordUser.update({ where: { id: USER }, data: { mainCharacterId: null } }));
    const before = await readGrants(bed.db, { discordUserId: USER });
    expect(before.get(mine.characterId)?.character.isMain).toBe(false);

    await bed.db.discordUser.update({ where: { id: other }, data: { mainCharacterId: null } });
    await bed.db.discordUser.update({ where: { id: USER }, data: { mainCharacterId: mine.characterId } });
    const after = await readGrants(bed.db, { discordUserId: USER });
    expect(after.get(mine.characterId)?.character.isMain).toBe(true);
  });
});
