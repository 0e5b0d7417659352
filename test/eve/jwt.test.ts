import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { InvalidTokenError } from '../../src/eve/errors.ts';
import { JWKS_COOLDOWN_MS, TokenVerifier } from '../../src/eve/jwt.ts';
import { FakeEve } from '../fakes/eve/index.ts';

// The JWT cases of shared/eve/EVE-SSO-ESI.md, each against the fake SSO's real JWKS.
const CHARACTER = 90000001;
let eve: FakeEve;
let clientId: string;
let verifier: TokenVerifier;

beforeAll(async () => {
  clientId = randomBytes(16).toString('hex');
  eve = await FakeEve.start({ clientId, clientSecret: 'secret' });
  eve.addCharacter({ id: CHARACTER, name: 'Alice Alpha', corporationId: 98000001 });
});
afterAll(async () => {
  await eve.close();
});
beforeEach(() => {
  eve.resetCounters();
  verifier = new TokenVerifier({ ssoUrl: eve.ssoUrl, clientId, jwksUri: async () => `${eve.ssoUrl}/oauth/jwks` });
});
afterEach(() => {
  vi.useRealTimers();
});

/** The verifier fetches the JWKS again for an unknown kid at most once per JWKS_COOLDOWN_MS (jose's cooldown, on Date.now()). */
const COOLDOWN_MS = JWKS_COOLDOWN_MS;
/** Freezes Date (only Date: sockets and timers stay real) so a test can step past the cooldown. */
function freezeDate(): void {
  vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
}
function passCooldown(): void {
  vi.setSystemTime(Date.now() + COOLDOWN_MS + 1_000);
}

async function rejected(token: string): Promise<InvalidTokenError> {
  const error = await verifier.verify(token).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InvalidTokenError);
  return error as InvalidTokenError;
}

describe('TokenVerifier', () => {
  it('given a token the SSO issued, then it yields the character, owner, scopes and expiry', async () => {
    const { accessToken } = eve.issueTokens(CHARACTER, ['esi-wallet.read_character_wallet.v1', 'esi-skills.read_skills.v1']);
    const token = await verifier.verify(accessToken);
    expect(token.characterId).toBe(BigInt(CHARACTER));
    expect(token.name).toBe('Alice Alpha');
    expect(token.ownerHash).toBe(eve.ownerHash(CHARACTER));
    expect(token.scopes).toEqual(['esi-wallet.read_character_wallet.v1', 'esi-skills.read_skills.v1']);
    expect(token.expiresAt.getTime()).toBeGreaterThan(Date.now());
  });

  it('given scp as a single string, as an array, or absent, then scopes are one list', async () => {
    expect((await verifier.verify(await eve.mintJwt({ characterId: CHARACTER, claims: { scp: 'esi-skills.read_skills.v1' } }))).scopes).toEqual(['esi-skills.read_skills.v1']);
    expect((await verifier.verify(await eve.mintJwt({ characterId: CHARACTER, claims: { scp: ['a.v1', 'b.v1'] } }))).scopes).toEqual(['a.v1', 'b.v1']);
    expect((await verifier.verify(await eve.mintJwt({ characterId: CHARACTER, omit: ['scp'] }))).scopes).toEqual([]);
  });

  it('given either form of the issuer, with or without a trailing slash, then it is accepted', async () => {
    const [a, b] = eve.issuers;
    for (const iss of [a!, b!, `${b}/`]) {
      await expect(verifier.verify(await eve.mintJwt({ characterId: CHARACTER, claims: { iss } }))).resolves.toMatchObject({ name: 'Alice Alpha' });
    }
  });

  it('given an ES256 signature, then it is verified too (the algorithm is not assumed)', async () => {
    const token = await eve.mintJwt({ characterId: CHARACTER, key: 'known-es256' });
    await expect(verifier.verify(token)).resolves.toMatchObject({ characterId: BigInt(CHARACTER) });
  });

  it('given a bad signature, then rejected', async () => {
    expect((await rejected(await eve.mintJwt({ characterId: CHARACTER, key: 'wrong-signature' }))).reason).toMatch(/signature/);
  });

  it('given an unknown kid, then the JWKS is fetched again once and the token rejected', async () => {
    freezeDate();
    await verifier.verify(eve.issueTokens(CHARACTER, []).accessToken);
    expect(eve.jwksRequests).toBe(1);
    // Right after a fetch an unknown kid is rejected from the cache: the cooldown must have passed for a new fetch.
    passCooldown();
    expect((await rejected(await eve.mintJwt({ characterId: CHARACTER, key: 'unknown' }))).reason).toMatch(/unknown key/);
    expect(eve.jwksRequests).toBe(2);
    // A second unknown kid right after does not hammer the SSO (cooldown)...
    expect((await rejected(await eve.mintJwt({ characterId: CHARACTER, key: 'unknown' }))).reason).toMatch(/unknown key/);
    expect(eve.jwksRequests).toBe(2);
    // ...which ends: after it, one fetch again.
    passCooldown();
    await rejected(await eve.mintJwt({ characterId: CHARACTER, key: 'unknown' }));
    expect(eve.jwksRequests).toBe(3);
  });

  it('given the SSO rotated its key, then the new kid is fetched and accepted', async () => {
    freezeDate();
    await verifier.verify(eve.issueTokens(CHARACTER, []).accessToken);
    expect(eve.jwksRequests).toBe(1);
    await eve.rotateSigningKey('RS256');
    passCooldown();
    // The same verifier, whose cached JWKS lacks the new kid.
    await expect(verifier.verify(eve.issueTokens(CHARACTER, []).accessToken)).resolves.toMatchObject({ name: 'Alice Alpha' });
    expect(eve.jwksRequests).toBe(2);
  });

  it('given an expired token, then rejected', async () => {
    expect((await rejected(await eve.mintJwt({ characterId: CHARACTER, expiresIn: -120 }))).reason).toBe('expired');
  });

  it('given an audience without this client id or without "EVE Online", then rejected', async () => {
    expect((await rejected(await eve.mintJwt({ characterId: CHARACTER, claims: { aud: ['someone-else', 'EVE Online'] } }))).reason).toMatch(/audience/);
    expect((await rejected(await eve.mintJwt({ characterId: CHARACTER, claims: { aud: [clientId] } }))).reason).toMatch(/audience/);
  });

  it('given another issuer, then rejected', async () => {
    expect((await rejected(await eve.mintJwt({ characterId: CHARACTER, claims: { iss: 'https://evil.example' } }))).reason).toMatch(/issuer/);
  });

  it('given a subject that is not CHARACTER:EVE:<digits>, then rejected', async () => {
    for (const sub of ['CHARACTER:EVE:abc', 'CORPORATION:EVE:98000001', 'CHARACTER:EVE:', 'CHARACTER:EVE:1;DROP']) {
      expect((await rejected(await eve.mintJwt({ characterId: CHARACTER, claims: { sub } }))).reason).toMatch(/subject/);
    }
  });

  it('given an unsigned token (alg none), then rejected', async () => {
    expect((await rejected(await eve.mintJwt({ characterId: CHARACTER, header: { alg: 'none' } }))).reason).toMatch(/algorithm not allowed/);
  });

  it('given a token without name or owner, then rejected', async () => {
    expect((await rejected(await eve.mintJwt({ characterId: CHARACTER, omit: ['owner'] }))).reason).toMatch(/claims malformed \(owner\)/);
    expect((await rejected(await eve.mintJwt({ characterId: CHARACTER, omit: ['name'] }))).reason).toMatch(/claims malformed \(name\)/);
  });

  it('given a token whose header names an algorithm other than RS256 or ES256, then it is refused', async () => {
    for (const alg of ['RS384', 'PS256', 'HS256']) {
      const error = await rejected(await eve.mintJwt({ characterId: CHARACTER, header: { alg } }));
      expect(error.reason, alg).toBe('algorithm not allowed');
    }
  });
});
