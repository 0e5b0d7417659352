import { describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../src/db/client.ts';
import { openRefreshToken, sealGrantTokens } from '../../src/links/grantSecrets.ts';
import { CharacterChangedHandsError, LoginExpiredError, SsoTemporarilyUnavailableError } from '../../src/tokens/errors.ts';
import { useTokenTestBed } from './harness.ts';

/**
 * What may never cost a login: an answer lost on the way back, a refusal
 * right after a rotation, a crashed process holding the refresh, a /link
 * racing a refresh; and DMs only about changes that were committed.
 */
const WALLET = 'esi-wallet.read_character_wallet.v1';
const USER = 200000000000000501n;

const bed = useTokenTestBed({ user: USER, firstCharacterId: 91000500, ssoTimeoutMs: 1_000 });
const service = (database?: Database) => bed.service(database);
const linked = (grant: { rotatedAt?: Date } = {}) => bed.linked(-10, [WALLET], grant);
const refreshes = (id: number) => bed.refreshes(id);
const grantOf = (characterId: bigint) => bed.db.grant.findUniqueOrThrow({ where: { characterId } });
const dmsAbout = (id: number) => bed.discord.directMessages.filter((d) => d.body.content.includes(`Pilot ${id}`));
const logged = (pattern: RegExp) => bed.logLines.filter((line) => pattern.test(line));

describe('a refusal of the refresh token', () => {
  it('given the answer to a refresh was lost (the SSO rotated the token) and the retry is refused, then the login is kept until a second, independent refusal', async () => {
    const { id, characterId } = await linked();
    bed.eve.sso.failNext('lost-answer');
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
    await bed.db.grant.update({ where: { characterId }, data: { firstRefusalAt: new Date(Date.now() - 31_000) } });
    await expect(service().accessToken(characterId, [WALLET])).rejects.toBeInstanceOf(LoginExpiredError);
    expect(await grantOf(characterId)).toMatchObject({ status: 'invalid', invalidReason: 'invalid_grant' });
    await bed.discord.waitForDirectMessage((d) => d.body.content.includes(`Pilot ${id}`));
    expect(dmsAbout(id)).toHaveLength(1);
  });

  it('given a refusal right after a rotation, then it is logged as suspicious and the grant lives on', async () => {
    const { id, characterId } = await linked({ rotatedAt: new Date(Date.now() - 60_000) });
    bed.eve.revokeCharacter(id);
    await expect(service().accessToken(characterId, [WALLET])).rejects.toBeInstanceOf(SsoTemporarilyUnavailableError);
    expect((await grantOf(characterId)).status).toBe('ok');
    expect(logged(/suspicious refusal/)[0]).toContain('a rotation');
    expect(dmsAbout(id)).toHaveLength(0);
  });

  it('given a refusal long after the last rotation, then the login is dead at once', async () => {
    const { id, characterId } = await linked({ rotatedAt: new Date(Date.now() - 3_600_000) });
    bed.eve.revokeCharacter(id);
    await expect(service().accessToken(characterId, [WALLET])).rejects.toBeInstanceOf(LoginExpiredError);
    expect((await grantOf(characterId)).status).toBe('invalid');
  });

  it('given the change cannot be committed, then no DM is sent and the grant is as it was', async () => {
    const { id, characterId } = await linked();
    bed.eve.revokeCharacter(id);
    // The audit event of this character cannot be written: the transaction that kills the grant fails.
    await bed.db.$executeRawUnsafe(`
      CREATE OR REPLACE FUNCTION refuse_test_event() RETURNS trigger AS $$
      BEGIN IF NEW.character_id = ${id} THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`);
    await bed.db.$executeRawUnsafe(`CREATE TRIGGER refuse_test_event BEFORE INSERT ON audit_event FOR EACH ROW EXECUTE FUNCTION refuse_test_event()`);
    try {
      await expect(service().accessToken(characterId, [WALLET])).rejects.toThrow(/refused by the test/);
    } finally {
      await bed.db.$executeRawUnsafe(`DROP TRIGGER refuse_test_event ON audit_event`);
    }
    expect((await grantOf(characterId)).status).toBe('ok');
    await new Promise((resolve) => setTimeout(resolve, 300)); // a DM would have been sent by now
    expect(dmsAbout(id)).toHaveLength(0);
  });
});

describe('the refresh lease', () => {
  it('holds no database connection across the SSO call: another query on a one-connection pool answers while the SSO is slow', async () => {
    const single = createDatabase(bed.testDb.url, { maxConnections: 1 });
    bed.defer(() => single.$disconnect());
    const { id, characterId } = await linked();
    bed.eve.sso.latencyMs = 600;
    let refreshed = false;
    const arrived = bed.eve.tokenRequestsArrived;
    const refresh = service(single).accessToken(characterId, [WALLET]).then(() => (refreshed = true));
    await expect.poll(() => bed.eve.tokenRequestsArrived, { interval: 10 }).toBe(arrived + 1);
    await single.$queryRaw`SELECT 1`;
    expect(refreshed).toBe(false); // the query did not wait for the refresh
    await refresh;
    expect(refreshes(id)).toHaveLength(1);
  });

  it('given another process holds the lease, then the caller waits for it and does not refresh; a crashed holder\'s lease runs out', async () => {
    const { id, characterId } = await linked();
    await bed.db.grant.update({ where: { characterId }, data: { refreshLeaseId: 'another-process', refreshLeaseUntil: new Date(Date.now() + 60_000) } });
    await expect(service().accessToken(characterId, [WALLET], { deadline: performance.now() + 400 })).rejects.toBeInstanceOf(SsoTemporarilyUnavailableError);
    expect(refreshes(id)).toHaveLength(0);

    await bed.db.grant.update({ where: { characterId }, data: { refreshLeaseUntil: new Date(Date.now() - 1) } });
    await expect(service().accessToken(characterId, [WALLET])).resolves.toMatch(/^eyJ/);
    expect(refreshes(id)).toHaveLength(1);
    expect(await grantOf(characterId)).toMatchObject({ refreshLeaseId: null, refreshLeaseUntil: null });
  });

  it('given a /link replaces the grant during a refresh, then the new link stands, untouched', async () => {
    const { id, characterId } = await linked();
    bed.eve.sso.latencyMs = 300;
    const arrived = bed.eve.tokenRequestsArrived;
    const refresh = service().accessToken(characterId, [WALLET]).catch((e: unknown) => e);
    await expect.poll(() => bed.eve.tokenRequestsArrived, { interval: 10 }).toBe(arrived + 1);
    const relinked = bed.eve.issueTokens(id, [WALLET]);
    await bed.db.grant.update({ where: { characterId }, data: { ...sealGrantTokens(bed.box, characterId, relinked), version: { increment: 1 } } });
    expect(await refresh).toBeInstanceOf(SsoTemporarilyUnavailableError);
    const grant = await grantOf(characterId);
    expect(openRefreshToken(bed.box, characterId, grant.refreshToken, grant.keyId)).toBe(relinked.refreshToken);
    expect(grant.status).toBe('ok');
    // Revoking the refresh's token could end the authorization the new login shares: it is left alone.
    expect(bed.eve.revokedTokens).toEqual([]);
  });

  it('given an /unlink during a refresh, then the token the refresh got is revoked', async () => {
    const { id, characterId } = await linked();
    bed.eve.sso.latencyMs = 300;
    const arrived = bed.eve.tokenRequestsArrived;
    const refresh = service().accessToken(characterId, [WALLET]).catch((e: unknown) => e);
    await expect.poll(() => bed.eve.tokenRequestsArrived, { interval: 10 }).toBe(arrived + 1);
    await bed.db.character.delete({ where: { id: characterId } });
    expect(await refresh).toBeInstanceOf(SsoTemporarilyUnavailableError);
    expect(bed.eve.revokedTokens).toContain(refreshes(id)[0]!.issued!.refreshToken);
  });

  it('given the refresh is refused after a /link replaced the grant, then the new grant is not killed and nobody is told', async () => {
    const { id, characterId } = await linked();
    bed.eve.revokeCharacter(id);
    bed.eve.sso.latencyMs = 300;
    const arrived = bed.eve.tokenRequestsArrived;
    const refresh = service().accessToken(characterId, [WALLET]).catch((e: unknown) => e);
    await expect.poll(() => bed.eve.tokenRequestsArrived, { interval: 10 }).toBe(arrived + 1);
    const relinked = bed.eve.issueTokens(id, [WALLET]);
    await bed.db.grant.update({ where: { characterId }, data: { ...sealGrantTokens(bed.box, characterId, relinked), version: { increment: 1 }, refreshLeaseId: null, refreshLeaseUntil: null } });
    expect(await refresh).toBeInstanceOf(SsoTemporarilyUnavailableError);
    expect((await grantOf(characterId)).status).toBe('ok');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(dmsAbout(id)).toHaveLength(0);
  });

  it('given the lease was taken over from a holder that ran out of time, then a refusal is suspicious', async () => {
    const { id, characterId } = await linked();
    bed.eve.revokeCharacter(id);
    await bed.db.grant.update({ where: { characterId }, data: { refreshLeaseId: 'stalled-process', refreshLeaseUntil: new Date(Date.now() - 1_000) } });
    await expect(service().accessToken(characterId, [WALLET])).rejects.toBeInstanceOf(SsoTemporarilyUnavailableError);
    expect((await grantOf(characterId)).status).toBe('ok');
    expect(logged(/suspicious refusal/)).toHaveLength(1);
  });
});

describe('a character that changed hands', () => {
  it('then it is unlinked, and the refresh token just issued for the new owner is revoked', async () => {
    const { id, characterId } = await linked();
    bed.eve.setOwnerHash(id, 'the-buyer', { keepTokens: true });
    await expect(service().accessToken(characterId, [WALLET])).rejects.toBeInstanceOf(CharacterChangedHandsError);
    expect(await bed.db.character.count({ where: { id: characterId } })).toBe(0);
    expect(bed.eve.revokedTokens).toContain(refreshes(id)[0]!.issued!.refreshToken);
  });
});
