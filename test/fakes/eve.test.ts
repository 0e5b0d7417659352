/**
 * The fake EVE (SSO + ESI) driven with plain fetch and jose, the way the bot's
 * real code will talk to it.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import * as jose from 'jose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ESI_COMPATIBILITY_DATE, FakeEve, s256 } from './eve/index.ts';
import { checkSchema, responseSchema } from './eve/schema-check.ts';
import { ROUTES } from './eve/spec.ts';

const CLIENT_ID = '0123456789abcdef0123456789abcdef';
const CLIENT_SECRET = 'fake-client-secret-0123456789';
const CALLBACK = 'https://bot.example.org/sso/callback';
// RFC 7636 appendix B
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

const WALLET = 'esi-wallet.read_character_wallet.v1';
const SKILLS = 'esi-skills.read_skills.v1';
const QUEUE = 'esi-skills.read_skillqueue.v1';
const MEMBERS = 'esi-corporations.read_corporation_membership.v1';
const ROLES = 'esi-characters.read_corporation_roles.v1';
const ALL_SCOPES = [WALLET, SKILLS, QUEUE, MEMBERS, ROLES];

const CORP = 98000001;
const OTHER_CORP = 98000002;
const ALLIANCE = 99000001;
const PILOT = 90000001;
const ALT = 90000002;
const STRANGER = 90000003;
const USER_AGENT = 'eve-corp-bot/0.1.0 (admin@example.org)';

let eve: FakeEve;
let defaults: { esi: Record<string, unknown> };

beforeAll(async () => {
  eve = await FakeEve.start({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, callbackUrl: CALLBACK });
  defaults = { esi: { ...eve.esi, cacheSeconds: {}, rateLimitMaxTokens: {} } };
  eve.addAlliance({ id: ALLIANCE, name: 'Test Alliance Please Ignore', ticker: 'TEST' });
  eve.addCorporation({ id: CORP, name: 'Fake Corp', ticker: 'FAKE', allianceId: ALLIANCE });
  eve.addCorporation({ id: OTHER_CORP, name: 'Other Corp', ticker: 'OTHR' });
  eve.addCharacter({
    id: PILOT,
    name: 'Pilot One',
    corporationId: CORP,
    ownerHash: 'owner-hash-pilot-one=',
    wallet: 1234567.89,
    roles: ['Director'],
    journal: [
      { id: 3, date: '2026-08-17T12:00:00Z', ref_type: 'bounty_prizes', description: 'Bounty', amount: 300, balance: 1234567.89 },
      { id: 2, date: '2026-08-16T12:00:00Z', ref_type: 'player_donation', description: 'Gift', amount: 200, balance: 1234267.89 },
      { id: 1, date: '2026-08-15T12:00:00Z', ref_type: 'market_transaction', description: 'Sale', amount: 100, balance: 1234067.89 },
    ],
    skills: { skills: [{ skill_id: 3327, active_skill_level: 5, trained_skill_level: 5, skillpoints_in_skill: 256000 }], total_sp: 256000, unallocated_sp: 1000 },
    skillqueue: [{ skill_id: 3300, finished_level: 4, queue_position: 0, start_date: '2026-08-17T00:00:00Z', finish_date: '2026-08-20T00:00:00Z' }],
  });
  eve.addCharacter({ id: ALT, name: 'Alt Two', corporationId: CORP });
  eve.addCharacter({ id: STRANGER, name: 'Stranger Three', corporationId: OTHER_CORP });
  eve.addName(3327, 'Spaceship Command', 'inventory_type');
});

afterAll(async () => {
  await eve.close();
});

beforeEach(() => {
  eve.resetCounters();
});

afterEach(() => {
  eve.resetSsoControls();
  Object.assign(eve.esi, { ...defaults.esi, cacheSeconds: {}, rateLimitMaxTokens: {} });
  eve.clearEsiCache();
});

// ---- helpers ----

const basic = (id = CLIENT_ID, secret = CLIENT_SECRET) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

function tokenRequest(form: Record<string, string>, init: { authorization?: string; signal?: AbortSignal } = {}) {
  return fetch(`${eve.ssoUrl}/v2/oauth/token`, {
    method: 'POST',
    headers: { Authorization: init.authorization ?? basic(), 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
    signal: init.signal,
  });
}

function authorizeUrl(params: Partial<Record<string, string>> = {}): string {
  const url = new URL(`${eve.ssoUrl}/v2/oauth/authorize`);
  const all = {
    response_type: 'code',
    client_id: CLIENT_ID,
    redirect_uri: CALLBACK,
    scope: ALL_SCOPES.join(' '),
    state: 'state-123',
    code_challenge: CHALLENGE,
    code_challenge_method: 'S256',
    ...params,
  };
  for (const [k, v] of Object.entries(all)) if (v !== undefined) url.searchParams.set(k, v);
  return url.toString();
}

async function authorize(params: Partial<Record<string, string>> = {}): Promise<URL> {
  const res = await fetch(authorizeUrl(params), { redirect: 'manual' });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location')!);
}

async function login(characterId: number, scopes = ALL_SCOPES) {
  eve.nextLogin(characterId);
  const code = (await authorize({ scope: scopes.join(' ') })).searchParams.get('code')!;
  const res = await tokenRequest({ grant_type: 'authorization_code', code, code_verifier: VERIFIER });
  expect(res.status).toBe(200);
  return (await res.json()) as { access_token: string; refresh_token: string; expires_in: number; token_type: string };
}

function esi(path: string, init: { token?: string; method?: string; body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {}) {
  return fetch(`${eve.esiUrl}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: {
      'User-Agent': USER_AGENT,
      'X-Compatibility-Date': ESI_COMPATIBILITY_DATE,
      ...(init.token ? { Authorization: `Bearer ${init.token}` } : {}),
      ...(init.body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...init.headers,
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: init.signal,
  });
}

const claimsOf = (jwt: string) => jose.decodeJwt(jwt);

// ---- SSO ----

describe('SSO metadata and JWKS', () => {
  it('serves the authorization server metadata with absolute URLs on the fake', async () => {
    const res = await fetch(`${eve.ssoUrl}/.well-known/oauth-authorization-server`);
    expect(res.status).toBe(200);
    const meta = (await res.json()) as Record<string, unknown>;
    expect(meta).toMatchObject({
      issuer: eve.ssoUrl,
      authorization_endpoint: `${eve.ssoUrl}/v2/oauth/authorize`,
      token_endpoint: `${eve.ssoUrl}/v2/oauth/token`,
      revocation_endpoint: `${eve.ssoUrl}/v2/oauth/revoke`,
      jwks_uri: `${eve.ssoUrl}/oauth/jwks`,
      code_challenge_methods_supported: ['S256'],
    });
  });

  it('lists an RS256 and an ES256 key and counts JWKS fetches', async () => {
    const jwks = (await (await fetch(`${eve.ssoUrl}/oauth/jwks`)).json()) as { keys: Record<string, string>[] };
    await fetch(`${eve.ssoUrl}/oauth/jwks`).then((r) => r.arrayBuffer());
    expect(eve.jwksRequests).toBe(2);
    expect(jwks.keys.find((k) => k.kid === 'JWT-Signature-Key')).toMatchObject({ alg: 'RS256', kty: 'RSA', use: 'sig' });
    expect(jwks.keys.find((k) => k.alg === 'ES256')).toMatchObject({ kty: 'EC', crv: 'P-256' });
    for (const key of jwks.keys) expect(key).not.toHaveProperty('d');
  });
});

describe('SSO authorize', () => {
  it('uses the RFC 7636 vector and redirects at once with code and state', async () => {
    expect(s256(VERIFIER)).toBe(CHALLENGE);
    eve.nextLogin(PILOT);
    const location = await authorize();
    expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
    expect(location.searchParams.get('state')).toBe('state-123');
    expect(location.searchParams.get('code')).toMatch(/^[\w-]{16,}$/);
    expect(eve.authorizeRequests[0]).toMatchObject({ status: 302, characterId: PILOT, query: { scope: ALL_SCOPES.join(' ') } });
  });

  it('redirects with error=access_denied when the user declines', async () => {
    eve.nextLogin(PILOT, { deny: true });
    const location = await authorize({ state: 'xyz' });
    expect(Object.fromEntries(location.searchParams)).toEqual({ error: 'access_denied', state: 'xyz' });
  });

  it.each([
    ['a foreign redirect_uri', { redirect_uri: 'https://evil.example.org/cb' }],
    ['another client_id', { client_id: 'ffffffffffffffffffffffffffffffff' }],
    ['response_type=token', { response_type: 'token' }],
    ['no code_challenge', { code_challenge: undefined, code_challenge_method: undefined }],
    ['code_challenge_method=plain', { code_challenge_method: 'plain' }],
    ['an unknown scope', { scope: 'esi-wallet.read_everything.v9' }],
    ['no state', { state: undefined }],
  ])('answers 400 for %s', async (_name, params) => {
    eve.nextLogin(PILOT);
    const res = await fetch(authorizeUrl(params), { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('text/html');
    await authorize(); // a refused request leaves the queued login in place
  });
});

describe('SSO token endpoint', () => {
  it('exchanges a code once, with the PKCE verifier', async () => {
    eve.nextLogin(PILOT);
    const code = (await authorize()).searchParams.get('code')!;
    const res = await tokenRequest({ grant_type: 'authorization_code', code, code_verifier: VERIFIER });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 1199 });
    expect(body.access_token).toEqual(expect.stringMatching(/^eyJ/));
    expect(body.refresh_token).toEqual(expect.any(String));

    const again = await tokenRequest({ grant_type: 'authorization_code', code, code_verifier: VERIFIER });
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ error: 'invalid_grant' });
    expect(eve.tokenRequests.map((r) => [r.grantType, r.status, r.characterId])).toEqual([
      ['authorization_code', 200, PILOT],
      ['authorization_code', 400, PILOT],
    ]);
  });

  it('rejects a wrong verifier, a JSON body and wrong client credentials', async () => {
    eve.nextLogin(PILOT);
    const code = (await authorize()).searchParams.get('code')!;
    const wrong = await tokenRequest({ grant_type: 'authorization_code', code, code_verifier: 'x'.repeat(43) });
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_grant' });

    const json = await fetch(`${eve.ssoUrl}/v2/oauth/token`, {
      method: 'POST',
      headers: { Authorization: basic(), 'Content-Type': 'application/json' },
      body: JSON.stringify({ grant_type: 'refresh_token', refresh_token: 'x' }),
    });
    expect(json.status).toBe(400);
    expect(await json.json()).toMatchObject({ error: 'invalid_request' });

    const badClient = await tokenRequest({ grant_type: 'refresh_token', refresh_token: 'x' }, { authorization: basic(CLIENT_ID, 'wrong-secret') });
    expect(badClient.status).toBe(401);
    expect(await badClient.json()).toMatchObject({ error: 'invalid_client' });

    eve.sso.invalidClient = true;
    const { refreshToken } = eve.issueTokens(PILOT, [WALLET]);
    const switched = await tokenRequest({ grant_type: 'refresh_token', refresh_token: refreshToken });
    expect(switched.status).toBe(401);
  });

  it('issues access tokens that verify against the JWKS from the metadata', async () => {
    const tokens = await login(PILOT);
    const meta = (await (await fetch(`${eve.ssoUrl}/.well-known/oauth-authorization-server`)).json()) as { jwks_uri: string };
    const jwks = jose.createRemoteJWKSet(new URL(meta.jwks_uri));
    const { payload, protectedHeader } = await jose.jwtVerify(tokens.access_token, jwks, {
      issuer: [eve.ssoUrl, new URL(eve.ssoUrl).host],
      audience: 'EVE Online',
      algorithms: ['RS256', 'ES256'],
    });
    expect(protectedHeader).toEqual({ alg: 'RS256', kid: 'JWT-Signature-Key', typ: 'JWT' });
    expect(payload).toMatchObject({
      sub: `CHARACTER:EVE:${PILOT}`,
      name: 'Pilot One',
      owner: 'owner-hash-pilot-one=',
      azp: CLIENT_ID,
      aud: [CLIENT_ID, 'EVE Online'],
      tenant: 'tranquility',
      tier: 'live',
      region: 'world',
      kid: 'JWT-Signature-Key',
      iss: eve.issuer,
      scp: ALL_SCOPES,
    });
    expect(payload.exp! - payload.iat!).toBe(1199);
    expect(payload.jti).toEqual(expect.any(String));
  });

  it('mints tokens that fail verification the ways a verifier must notice', async () => {
    const jwks = jose.createLocalJWKSet((await (await fetch(`${eve.ssoUrl}/oauth/jwks`)).json()) as jose.JSONWebKeySet);
    const verify = (jwt: string) => jose.jwtVerify(jwt, jwks, { issuer: eve.issuer, audience: 'EVE Online' });

    await expect(verify(await eve.mintJwt({ characterId: PILOT, key: 'known-es256' }))).resolves.toBeTruthy();
    await expect(verify(await eve.mintJwt({ key: 'unknown' }))).rejects.toBeInstanceOf(jose.errors.JWKSNoMatchingKey);
    await expect(verify(await eve.mintJwt({ key: 'wrong-signature' }))).rejects.toBeInstanceOf(jose.errors.JWSSignatureVerificationFailed);
    await expect(verify(await eve.mintJwt({ expiresIn: -60 }))).rejects.toBeInstanceOf(jose.errors.JWTExpired);
    await expect(verify(await eve.mintJwt({ claims: { aud: [CLIENT_ID] } }))).rejects.toBeInstanceOf(jose.errors.JWTClaimValidationFailed);
    await expect(verify(await eve.mintJwt({ claims: { iss: 'https://login.example.org' } }))).rejects.toBeInstanceOf(jose.errors.JWTClaimValidationFailed);
    await expect(verify(await eve.mintJwt({ header: { alg: 'none' } }))).rejects.toThrow();

    const odd = await eve.mintJwt({ characterId: ALT, claims: { sub: 'CHARACTER:EVE:abc' }, omit: ['scp', 'owner'] });
    expect(claimsOf(odd)).toMatchObject({ sub: 'CHARACTER:EVE:abc', name: 'Alt Two' });
    expect(claimsOf(odd)).not.toHaveProperty('owner');
  });

  it('rotates the signing key and keeps listing the old one (own instance)', async () => {
    const own = await FakeEve.start({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    try {
      own.addCharacter({ id: ALT, name: 'Alt Two', corporationId: CORP });
      const before = own.issueTokens(ALT, [WALLET]).accessToken;
      const kid = await own.rotateSigningKey('ES256');
      expect(own.currentKid).toBe(kid);
      const after = own.issueTokens(ALT, [WALLET]).accessToken;
      expect(jose.decodeProtectedHeader(after)).toEqual({ alg: 'ES256', kid, typ: 'JWT' });
      const jwks = jose.createRemoteJWKSet(new URL(`${own.ssoUrl}/oauth/jwks`));
      for (const t of [before, after]) await expect(jose.jwtVerify(t, jwks, { issuer: own.issuer })).resolves.toBeTruthy();
      // and its ESI accepts both
      for (const t of [before, after]) {
        const res = await fetch(`${own.esiUrl}/characters/${ALT}/wallet`, { headers: { Authorization: `Bearer ${t}` } });
        expect(res.status).toBe(200);
      }
    } finally {
      await own.close();
    }
  });

  it('rotates refresh tokens strictly: the used one becomes invalid_grant', async () => {
    const first = await login(PILOT, [WALLET]);
    const res = await tokenRequest({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
    expect(res.status).toBe(200);
    const second = (await res.json()) as { refresh_token: string; access_token: string };
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(claimsOf(second.access_token).sub).toBe(`CHARACTER:EVE:${PILOT}`);

    const reuse = await tokenRequest({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
    expect(reuse.status).toBe(400);
    expect(await reuse.json()).toEqual({ error: 'invalid_grant', error_description: expect.any(String) });
    expect((await tokenRequest({ grant_type: 'refresh_token', refresh_token: second.refresh_token })).status).toBe(200);
    expect(eve.tokenRequests.filter((r) => r.grantType === 'refresh_token').map((r) => [r.status, r.refreshTokenUsed])).toEqual([
      [200, first.refresh_token],
      [400, first.refresh_token],
      [200, second.refresh_token],
    ]);
  });

  it('omits refresh_token when told to, and the old one keeps working', async () => {
    const { refreshToken } = eve.issueTokens(PILOT, [WALLET]);
    eve.sso.omitRefreshToken = true;
    for (let i = 0; i < 2; i++) {
      const res = await tokenRequest({ grant_type: 'refresh_token', refresh_token: refreshToken });
      expect(res.status).toBe(200);
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).not.toHaveProperty('refresh_token');
      expect(body.access_token).toEqual(expect.any(String));
    }
  });

  it('writes scp as a string for one scope, an array otherwise, and omits it with none', () => {
    expect(claimsOf(eve.issueTokens(PILOT, [WALLET]).accessToken).scp).toBe(WALLET);
    expect(claimsOf(eve.issueTokens(PILOT, [WALLET, SKILLS]).accessToken).scp).toEqual([WALLET, SKILLS]);
    expect(claimsOf(eve.issueTokens(PILOT, []).accessToken)).not.toHaveProperty('scp');
    eve.sso.scpAsString = false;
    expect(claimsOf(eve.issueTokens(PILOT, [WALLET]).accessToken).scp).toEqual([WALLET]);
  });

  it('writes iss in host or URL form', () => {
    const port = new URL(eve.ssoUrl).port;
    expect(claimsOf(eve.issueTokens(PILOT, []).accessToken).iss).toBe(`http://127.0.0.1:${port}`);
    eve.sso.issuerForm = 'host';
    expect(eve.issuer).toBe(`127.0.0.1:${port}`);
    expect(claimsOf(eve.issueTokens(PILOT, []).accessToken).iss).toBe(`127.0.0.1:${port}`);
  });

  it('honours accessTtlSeconds per call', () => {
    const t = eve.issueTokens(PILOT, [], { accessTtlSeconds: 5 });
    expect(t.expiresIn).toBe(5);
    const c = claimsOf(t.accessToken);
    expect(c.exp! - c.iat!).toBe(5);
  });

  it('revokes refresh tokens: via /revoke, revokeCharacter and an owner change', async () => {
    const a = eve.issueTokens(ALT, [WALLET]);
    const revoke = await fetch(`${eve.ssoUrl}/v2/oauth/revoke`, {
      method: 'POST',
      headers: { Authorization: basic(), 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token_type_hint: 'refresh_token', token: a.refreshToken }),
    });
    expect(revoke.status).toBe(200);
    expect(eve.revokedTokens).toEqual([a.refreshToken]);
    expect((await tokenRequest({ grant_type: 'refresh_token', refresh_token: a.refreshToken })).status).toBe(400);

    const b = eve.issueTokens(ALT, [WALLET]);
    eve.revokeCharacter(ALT);
    expect((await tokenRequest({ grant_type: 'refresh_token', refresh_token: b.refreshToken })).status).toBe(400);

    const c = eve.issueTokens(ALT, [WALLET]);
    eve.setOwnerHash(ALT, 'new-owner-hash=');
    expect((await tokenRequest({ grant_type: 'refresh_token', refresh_token: c.refreshToken })).status).toBe(400);
    expect(claimsOf((await login(ALT, [WALLET])).access_token).owner).toBe('new-owner-hash=');
  });

  it('fails on demand: status, malformed JSON, reset and timeout', async () => {
    const { refreshToken } = eve.issueTokens(PILOT, [WALLET]);
    const refresh = (signal?: AbortSignal) => tokenRequest({ grant_type: 'refresh_token', refresh_token: refreshToken }, { signal });

    eve.sso.failNext({ status: 503, body: { error: 'temporarily_unavailable' } }, 2);
    expect((await refresh()).status).toBe(503);
    expect((await refresh()).status).toBe(503);

    eve.sso.failNext('reset');
    await expect(refresh()).rejects.toThrow();

    eve.sso.failNext('timeout');
    await expect(refresh(AbortSignal.timeout(200))).rejects.toThrow();

    // none of that spent the refresh token
    expect((await refresh()).status).toBe(200);
    expect(eve.tokenRequests.map((r) => r.injected ?? r.status)).toEqual(['status', 'status', 'reset', 'timeout', 200]);
    // Each record names the character whose refresh token was presented, injected failures too.
    expect(eve.tokenRequests.map((r) => r.characterId)).toEqual(Array(5).fill(PILOT));
  });

  it('given a malformed or a lost answer, then the request was carried out: the refresh token is spent', async () => {
    for (const kind of ['malformed', 'lost-answer'] as const) {
      const { refreshToken } = eve.issueTokens(PILOT, [WALLET]);
      eve.sso.failNext(kind);
      if (kind === 'malformed') {
        const answer = await tokenRequest({ grant_type: 'refresh_token', refresh_token: refreshToken });
        expect(answer.status).toBe(200);
        await expect(answer.json()).rejects.toThrow(SyntaxError);
      } else {
        await expect(tokenRequest({ grant_type: 'refresh_token', refresh_token: refreshToken }, { signal: AbortSignal.timeout(300) })).rejects.toThrow();
      }
      expect(eve.tokenRequests.at(-1)).toMatchObject({ injected: kind, status: 200, characterId: PILOT });
      expect((await tokenRequest({ grant_type: 'refresh_token', refresh_token: refreshToken })).status).toBe(400);
    }
  });

  it('resetSsoControls puts every switch back and drops queued failures', async () => {
    const before = { ...eve.sso };
    Object.assign(eve.sso, { latencyMs: 5, omitRefreshToken: true, scpAsString: false, issuerForm: 'host', accessTtlSeconds: 5, invalidClient: true, requirePkce: false, codeTtlSeconds: 1 });
    eve.sso.failNext({ status: 503 }, 3);
    eve.resetSsoControls();
    expect({ ...eve.sso }).toEqual(before);
    const { refreshToken } = eve.issueTokens(PILOT, [WALLET]);
    expect((await tokenRequest({ grant_type: 'refresh_token', refresh_token: refreshToken })).status).toBe(200);
  });

  it('applies latency to token requests', async () => {
    eve.sso.latencyMs = 150;
    const started = Date.now();
    await tokenRequest({ grant_type: 'refresh_token', refresh_token: 'nope' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });
});

// ---- ESI ----

describe('ESI', () => {
  it('serves a public character with cache headers, and records request headers', async () => {
    const res = await esi(`/characters/${PILOT}`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ name: 'Pilot One', corporation_id: CORP, alliance_id: ALLIANCE });
    expect(res.headers.get('cache-control')).toBe('public, max-age=86400');
    expect(Date.parse(res.headers.get('expires')!) - Date.now()).toBeGreaterThan(86000_000);
    expect(res.headers.get('last-modified')).toEqual(expect.any(String));
    expect(res.headers.get('etag')).toMatch(/^"[0-9a-f]+"$/);
    // public route: error limit, no rate-limit group
    expect(res.headers.get('x-esi-error-limit-remain')).toBe('100');
    expect(res.headers.get('x-esi-error-limit-reset')).toMatch(/^\d+$/);
    expect(res.headers.get('x-ratelimit-group')).toBeNull();
    expect(eve.esiRequests[0]).toMatchObject({
      method: 'GET',
      path: `/characters/${PILOT}`,
      status: 200,
      route: 'character',
      headers: { 'user-agent': USER_AGENT, 'x-compatibility-date': ESI_COMPATIBILITY_DATE },
    });
  });

  it('answers 304 to If-None-Match with the current ETag', async () => {
    const first = await esi(`/corporations/${CORP}`);
    const etag = first.headers.get('etag')!;
    const second = await esi(`/corporations/${CORP}`, { headers: { 'If-None-Match': etag } });
    expect(second.status).toBe(304);
    expect(await second.text()).toBe('');
    expect(second.headers.get('etag')).toBe(etag);
    expect(second.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
    expect((await esi(`/corporations/${CORP}`, { headers: { 'If-None-Match': '"stale"' } })).status).toBe(200);
  });

  it('checks bearer tokens: missing, expired, foreign character, missing scope', async () => {
    const wallet = `/characters/${PILOT}/wallet`;
    expect((await esi(wallet)).status).toBe(401);
    expect((await esi(wallet, { token: await eve.mintJwt({ characterId: PILOT, scopes: [WALLET], expiresIn: -5 }) })).status).toBe(401);
    expect((await esi(wallet, { token: await eve.mintJwt({ characterId: PILOT, scopes: [WALLET], key: 'unknown' }) })).status).toBe(401);
    expect((await esi(wallet, { token: eve.issueTokens(ALT, [WALLET]).accessToken })).status).toBe(403);

    const noScope = await esi(wallet, { token: eve.issueTokens(PILOT, [SKILLS]).accessToken });
    expect(noScope.status).toBe(403);
    expect(await noScope.json()).toEqual({ error: 'token not valid for scope' });

    const ok = await esi(wallet, { token: eve.issueTokens(PILOT, [WALLET]).accessToken });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toBe(1234567.89);
    expect(ok.headers.get('cache-control')).toBe('private, max-age=120');
    expect(ok.headers.get('x-ratelimit-group')).toBe('char-wallet');
    expect(ok.headers.get('x-ratelimit-limit')).toBe('150/15m');
    expect(ok.headers.get('x-ratelimit-used')).toBe('2');
    expect(ok.headers.get('x-esi-error-limit-remain')).toBeNull();
    expect(eve.esiRequests.at(-1)).toMatchObject({ characterId: PILOT, status: 200 });
  });

  it('lets only members read /corporations/{id}/members', async () => {
    const inCorp = await esi(`/corporations/${CORP}/members`, { token: eve.issueTokens(ALT, [MEMBERS]).accessToken });
    expect(inCorp.status).toBe(200);
    expect(await inCorp.json()).toEqual([PILOT, ALT]);
    const outside = await esi(`/corporations/${CORP}/members`, { token: eve.issueTokens(STRANGER, [MEMBERS]).accessToken });
    expect(outside.status).toBe(403);
  });

  it('serves one cached body until it expires, as ESI does', async () => {
    eve.esi.cacheSeconds.wallet = 1;
    const token = eve.issueTokens(STRANGER, [WALLET]).accessToken;
    eve.addCharacter({ id: STRANGER, name: 'Stranger Three', corporationId: OTHER_CORP, wallet: 10 });
    const first = await esi(`/characters/${STRANGER}/wallet`, { token });
    expect(first.headers.get('cache-control')).toBe('private, max-age=1');
    expect(await first.json()).toBe(10);
    eve.addCharacter({ id: STRANGER, name: 'Stranger Three', corporationId: OTHER_CORP, wallet: 20 });
    expect(await (await esi(`/characters/${STRANGER}/wallet`, { token })).json()).toBe(10);
    await sleep(1100);
    expect(await (await esi(`/characters/${STRANGER}/wallet`, { token })).json()).toBe(20);
  });

  it('pages the wallet journal with X-Pages', async () => {
    eve.esi.journalPageSize = 2;
    const token = eve.issueTokens(PILOT, [WALLET]).accessToken;
    const page1 = await esi(`/characters/${PILOT}/wallet/journal`, { token });
    expect(page1.headers.get('x-pages')).toBe('2');
    expect(((await page1.json()) as { id: number }[]).map((e) => e.id)).toEqual([3, 2]);
    const page2 = await esi(`/characters/${PILOT}/wallet/journal?page=2`, { token });
    expect(((await page2.json()) as { id: number }[]).map((e) => e.id)).toEqual([1]);
    expect((await esi(`/characters/${PILOT}/wallet/journal?page=3`, { token })).status).toBe(404);
  });

  it('resolves names, and fails the whole request on one unknown id', async () => {
    const res = await esi('/universe/names', { body: [PILOT, CORP, ALLIANCE, 3327] });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([
      { id: PILOT, name: 'Pilot One', category: 'character' },
      { id: CORP, name: 'Fake Corp', category: 'corporation' },
      { id: ALLIANCE, name: 'Test Alliance Please Ignore', category: 'alliance' },
      { id: 3327, name: 'Spaceship Command', category: 'inventory_type' },
    ]);
    const unknown = await esi('/universe/names', { body: [PILOT, 12345] });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: 'Ensure all IDs are valid before resolving.' });
  });

  it('finds ids by exact, case-insensitive name, leaving out unknown names and empty categories', async () => {
    const res = await esi('/universe/ids', { body: ['fake corp', 'TEST ALLIANCE PLEASE IGNORE', 'Pilot One', 'Spaceship Command', 'Fake', 'Nobody At All'] });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      characters: [{ id: PILOT, name: 'Pilot One' }],
      corporations: [{ id: CORP, name: 'Fake Corp' }],
      alliances: [{ id: ALLIANCE, name: 'Test Alliance Please Ignore' }],
      inventory_types: [{ id: 3327, name: 'Spaceship Command' }],
    });
    const none = await esi('/universe/ids', { body: ['Nobody At All'] });
    expect(none.status).toBe(200);
    expect(await none.json()).toEqual({});
  });

  it('validates name lists for POST /universe/ids: 1–500 unique strings of 1–100 characters', async () => {
    const names500 = Array.from({ length: 500 }, (_, i) => `name ${i}`);
    expect((await esi('/universe/ids', { body: names500 })).status).toBe(200);
    for (const body of [[], [...names500, 'one more'], ['Fake Corp', 'Fake Corp'], [''], ['x'.repeat(101)], [CORP], 'Fake Corp', { names: ['Fake Corp'] }]) {
      const res = await esi('/universe/ids', { body });
      expect(res.status, JSON.stringify(body).slice(0, 60)).toBe(400);
      expect(await res.json()).toEqual({ error: expect.stringMatching(/^Invalid body: /) });
    }
  });

  it('validates id lists for POST /characters/affiliation', async () => {
    const ok = await esi('/characters/affiliation', { body: [PILOT, STRANGER] });
    expect(await ok.json()).toEqual([
      { character_id: PILOT, corporation_id: CORP, alliance_id: ALLIANCE },
      { character_id: STRANGER, corporation_id: OTHER_CORP },
    ]);
    expect((await esi('/characters/affiliation', { body: [] })).status).toBe(400);
    expect((await esi('/characters/affiliation', { body: Array.from({ length: 1001 }, (_, i) => 90000000 + i) })).status).toBe(400);
    expect((await esi('/characters/affiliation', { body: { ids: [PILOT] } })).status).toBe(400);
  });

  it('fails on demand: 502 once, 429 with Retry-After, timeout', async () => {
    eve.esi.failNext({ path: /^\/characters\/\d+$/ }, { status: 502 });
    const bad = await esi(`/characters/${PILOT}`);
    expect(bad.status).toBe(502);
    expect(await bad.json()).toEqual({ error: 'Bad Gateway' });
    expect((await esi(`/characters/${PILOT}`)).status).toBe(200);

    eve.esi.failNext({ method: 'GET', path: /\/wallet$/ }, { status: 429, headers: { 'Retry-After': '7' }, bare: true });
    const limited = await esi(`/characters/${PILOT}/wallet`);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.headers.get('x-ratelimit-group')).toBeNull();

    eve.esi.failNext({ path: /^\/alliances\// }, 'timeout');
    await expect(esi(`/alliances/${ALLIANCE}`, { signal: AbortSignal.timeout(200) })).rejects.toThrow();
    expect(eve.esiRequests.filter((r) => r.injected).map((r) => r.status)).toEqual([502, 429, 0]);
  });

  it('counts errors against the error limit and answers 420 when it is spent', async () => {
    eve.esi.errorLimitRemain = 2;
    const miss = await esi('/characters/1');
    expect(miss.status).toBe(404);
    expect(miss.headers.get('x-esi-error-limit-remain')).toBe('1');
    await esi('/characters/2');
    const limited = await esi(`/characters/${PILOT}`);
    expect(limited.status).toBe(420);
    expect(limited.headers.get('x-esi-error-limit-remain')).toBe('0');
  });

  it('spends rate-limit tokens per group and character, then answers 429', async () => {
    eve.esi.rateLimitMaxTokens['char-wallet'] = 4;
    const token = eve.issueTokens(PILOT, [WALLET]).accessToken;
    const first = await esi(`/characters/${PILOT}/wallet`, { token });
    expect(first.headers.get('x-ratelimit-remaining')).toBe('2');
    const etag = first.headers.get('etag')!;
    const notModified = await esi(`/characters/${PILOT}/wallet`, { token, headers: { 'If-None-Match': etag } });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get('x-ratelimit-used')).toBe('1');
    await esi(`/characters/${PILOT}/wallet`, { token });
    const refused = await esi(`/characters/${PILOT}/wallet`, { token });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(800);
    // another character has its own bucket
    expect((await esi(`/characters/${ALT}/wallet`, { token: eve.issueTokens(ALT, [WALLET]).accessToken })).status).toBe(200);
  });

  it('answers unknown paths with 404 {error} and records them', async () => {
    const res = await esi('/characters/90000001/implants-and-more');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'Not found' });
    expect(eve.esiRequests[0]).toMatchObject({ path: '/characters/90000001/implants-and-more', status: 404 });
  });

  it('shapes every route body after the OpenAPI response schema', async () => {
    const token = eve.issueTokens(PILOT, ALL_SCOPES).accessToken;
    const calls: Record<string, () => Promise<Response>> = {
      character: () => esi(`/characters/${PILOT}`),
      affiliation: () => esi('/characters/affiliation', { body: [PILOT] }),
      wallet: () => esi(`/characters/${PILOT}/wallet`, { token }),
      journal: () => esi(`/characters/${PILOT}/wallet/journal`, { token }),
      skills: () => esi(`/characters/${PILOT}/skills`, { token }),
      skillqueue: () => esi(`/characters/${PILOT}/skillqueue`, { token }),
      names: () => esi('/universe/names', { body: [PILOT] }),
      ids: () => esi('/universe/ids', { body: ['Fake Corp', 'Test Alliance Please Ignore'] }),
      corporation: () => esi(`/corporations/${CORP}`),
      members: () => esi(`/corporations/${CORP}/members`, { token }),
      roles: () => esi(`/characters/${PILOT}/roles`, { token }),
      alliance: () => esi(`/alliances/${ALLIANCE}`),
    };
    for (const route of ROUTES) {
      const res = await calls[route.key]!();
      expect(res.status, route.key).toBe(200);
      expect(checkSchema(responseSchema(route.method, route.path), await res.json()), route.key).toEqual([]);
    }
  });
});

describe('OpenAPI fixture', () => {
  const fixture = JSON.parse(readFileSync(new URL('../fixtures/esi-openapi.json', import.meta.url), 'utf8')) as {
    info: { version: string };
    paths: Record<string, Record<string, unknown>>;
  };

  it.each([
    ['get', '/characters/{character_id}'],
    ['post', '/characters/affiliation'],
    ['get', '/characters/{character_id}/wallet'],
    ['get', '/characters/{character_id}/wallet/journal'],
    ['get', '/characters/{character_id}/skills'],
    ['get', '/characters/{character_id}/skillqueue'],
    ['post', '/universe/names'],
    ['post', '/universe/ids'],
    ['get', '/corporations/{corporation_id}'],
    ['get', '/corporations/{corporation_id}/members'],
    ['get', '/characters/{character_id}/roles'],
    ['get', '/alliances/{alliance_id}'],
  ])('contains %s %s', (method, path) => {
    expect(fixture.paths[path]?.[method]).toBeDefined();
  });

  it('is self-contained: every $ref resolves inside it', () => {
    const text = JSON.stringify(fixture);
    const refs = [...text.matchAll(/"\$ref":"#\/([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) {
      const target = ref.split('/').reduce<any>((node, part) => node?.[part], fixture);
      expect(target, ref).toBeDefined();
    }
    expect(fixture.info.version).toBe(ESI_COMPATIBILITY_DATE);
  });
});
