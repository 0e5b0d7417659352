import { performance } from 'node:perf_hooks';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  alliance,
  character,
  characterAffiliations,
  corporation,
  ESI_COMPATIBILITY_DATE,
  ESI_ROUTES,
  EsiBusyError,
  EsiForbiddenError,
  EsiMalformedResponseError,
  EsiNotFoundError,
  EsiRequestError,
  EsiUnavailableError,
  skills,
  walletBalance,
  walletJournal,
} from '../../src/esi/index.ts';
import { ESI_COMPATIBILITY_DATE as FIXTURE_COMPATIBILITY_DATE } from '../fakes/eve/index.ts';
import { ALLIANCE, CORP, OTHER_CORP, PILOT, rejection, SCOPES, SECOND, startHarness, USER_AGENT, type Harness } from './harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const pilot = () => ({ characterId: BigInt(PILOT), accessToken: h.token(PILOT) });
const WALLET = /^\/characters\/\d+\/wallet$/;
const CHARACTER = /^\/characters\/\d+$/;

describe('EsiClient requests', () => {
  it('given a public and an authenticated call, then the fake receives the User-Agent, X-Compatibility-Date and Accept headers, and the bearer token only on the authenticated one', async () => {
    const auth = pilot();
    await character(h.client, BigInt(PILOT));
    await walletBalance(h.client, auth);

    const [pub, authed] = h.eve.esiRequests;
    expect(h.eve.esiRequests).toHaveLength(2);
    for (const record of [pub!, authed!]) {
      expect(record.headers['user-agent']).toBe(USER_AGENT);
      expect(record.headers['x-compatibility-date']).toBe(ESI_COMPATIBILITY_DATE);
      expect(record.headers.accept).toBe('application/json');
      expect(record.path).not.toMatch(/^\/latest|\/$/);
    }
    expect(pub!.path).toBe(`/characters/${PILOT}`);
    expect(pub!.headers.authorization).toBeUndefined();
    expect(authed!.path).toBe(`/characters/${PILOT}/wallet`);
    expect(authed!.headers.authorization).toBe(`Bearer ${auth.accessToken}`);
    expect(authed!.characterId).toBe(PILOT);
  });

  it('given the fixture of the OpenAPI document, then the client sends the compatibility date it was written for', () => {
    expect(ESI_COMPATIBILITY_DATE).toBe(FIXTURE_COMPATIBILITY_DATE);
  });

  it('given a base URL with a path prefix, then requests go below it', async () => {
    const client = h.newClient({ baseUrl: `${h.eve.esiUrl}/latest` });
    await character(client, BigInt(PILOT));
    expect(h.eve.esiRequests.map((r) => r.path)).toEqual([`/latest/characters/${PILOT}`]);
  });

  it('given calls with an access token, then neither the token nor the Authorization header appear in the logs', async () => {
    const auth = pilot();
    await walletBalance(h.client, auth);
    h.eve.esi.failNext({ path: /skills$/ }, { status: 500 });
    expect(await rejection(skills(h.client, auth))).toBeInstanceOf(EsiUnavailableError);
    const output = h.logs.join('');
    expect(output).toContain(String(PILOT)); // the character id is logged…
    expect(output).not.toContain(auth.accessToken); // …the token never
    expect(output.toLowerCase()).not.toContain('bearer');
  });
});

describe('EsiClient cache', () => {
  it('given a cached public response, when asked again inside its cache time, then no request is made', async () => {
    const first = await character(h.client, BigInt(PILOT));
    const second = await h.client.request({ method: 'GET', path: `/characters/${PILOT}`, schema: ESI_ROUTES.character.schema });
    expect(h.requests(CHARACTER)).toHaveLength(1);
    expect(second.fromCache).toBe(true);
    expect(second.data.name).toBe(first.name);
  });

  it('given an expired entry, then a conditional request with If-None-Match is answered 304, the cached body is reused and its expiry refreshed', async () => {
    await character(h.client, BigInt(PILOT));
    const etag = h.requests(CHARACTER)[0]!.headers['if-none-match'];
    expect(etag).toBeUndefined();

    h.clock.now += 86_400_000 + 1000; // past the route's day of cache
    const again = await h.client.request({ method: 'GET', path: `/characters/${PILOT}`, schema: ESI_ROUTES.character.schema });
    const records = h.requests(CHARACTER);
    expect(records).toHaveLength(2);
    expect(records[1]!.headers['if-none-match']).toMatch(/^"[0-9a-f]+"$/);
    expect(records[1]!.status).toBe(304);
    expect(again.fromCache).toBe(true);
    expect(again.data.name).toBe('Pilot One');

    // The 304's Cache-Control gave the entry a new lifetime.
    await character(h.client, BigInt(PILOT));
    expect(h.requests(CHARACTER)).toHaveLength(2);
  });

  it('given a changed body after expiry, then the 200 replaces the cached one', async () => {
    await corporation(h.client, BigInt(CORP));
    h.eve.addCorporation({ id: CORP, name: 'Corp One Renamed', ticker: 'ONE' });
    h.eve.clearEsiCache();
    h.clock.now += 3_600_000 + 1000;
    const renamed = await corporation(h.client, BigInt(CORP));
    expect(renamed.name).toBe('Corp One Renamed');
    expect(h.requests(/^\/corporations\/\d+$/).map((r) => r.status)).toEqual([200, 200]);
  });

  it('given two characters, then authenticated responses are cached per character and never shared; a new token of the same character still hits the cache', async () => {
    const one = await walletBalance(h.client, pilot());
    const two = await walletBalance(h.client, { characterId: BigInt(SECOND), accessToken: h.token(SECOND) });
    expect(one).toBe(1_000_000.5);
    expect(two).toBe(42);
    expect(h.requests(WALLET).map((r) => r.characterId)).toEqual([PILOT, SECOND]);

    // A refreshed token is the same character: the cache key is the character, never the token.
    expect(await walletBalance(h.client, pilot())).toBe(1_000_000.5);
    expect(await walletBalance(h.client, { characterId: BigInt(SECOND), accessToken: h.token(SECOND) })).toBe(42);
    expect(h.requests(WALLET)).toHaveLength(2);
  });

  it('given a public route called with and without a token, then the two are cached apart', async () => {
    const schema = ESI_ROUTES.corporation.schema;
    await h.client.request({ method: 'GET', path: `/corporations/${CORP}`, schema });
    await h.client.request({ method: 'GET', path: `/corporations/${CORP}`, schema, auth: { characterId: BigInt(PILOT), accessToken: h.token(PILOT), scope: 'none' } });
    expect(h.requests(/^\/corporations\/\d+$/)).toHaveLength(2);
  });

  it('given a cap of two entries, then the least recently used entry is evicted and asked for again', async () => {
    const client = h.newClient({ cacheMaxEntries: 2 });
    await character(client, BigInt(PILOT)); // A
    await corporation(client, BigInt(CORP)); // B
    await corporation(client, BigInt(OTHER_CORP)); // C: evicts A
    await corporation(client, BigInt(OTHER_CORP)); // C hit
    await corporation(client, BigInt(CORP)); // B hit, now most recent
    expect(h.eve.esiRequests).toHaveLength(3);

    await character(client, BigInt(PILOT)); // A again: evicted, so asked again (and evicts C)
    expect(h.requests(CHARACTER)).toHaveLength(2);
    await corporation(client, BigInt(CORP)); // B still cached
    expect(h.eve.esiRequests).toHaveLength(4);
    await corporation(client, BigInt(OTHER_CORP)); // C was evicted
    expect(h.eve.esiRequests).toHaveLength(5);
  });

  it('given concurrent identical requests, then they share one request', async () => {
    h.eve.esi.latencyMs = 100;
    const auth = pilot();
    const results = await Promise.all([...Array(5)].map(() => walletBalance(h.client, auth)));
    expect(results).toEqual([1_000_000.5, 1_000_000.5, 1_000_000.5, 1_000_000.5, 1_000_000.5]);
    expect(h.requests(WALLET)).toHaveLength(1);
  });

  it('given a request in flight and a joiner with a shorter deadline, then the joiner gives up at its deadline and the first still gets the answer', async () => {
    h.eve.esi.latencyMs = 400;
    const first = character(h.client, BigInt(PILOT));
    const joiner = rejection(character(h.client, BigInt(PILOT), { deadline: performance.now() + 50 }));
    const error = await joiner;
    expect(error).toBeInstanceOf(EsiUnavailableError);
    expect((error as EsiUnavailableError).reason).toBe('deadline');
    expect((await first).name).toBe('Pilot One');
    expect(h.requests(CHARACTER)).toHaveLength(1);
  });

  it('given a paged route, then pages come from X-Pages and each page is cached under its own query', async () => {
    h.eve.addCharacter({
      id: PILOT,
      name: 'Pilot One',
      corporationId: CORP,
      journal: [1, 2, 3, 4, 5].map((n) => ({ id: n, date: `2026-08-0${n}T12:00:00Z`, ref_type: 'player_donation', description: `entry ${n}`, amount: n * 10 })),
    });
    h.eve.esi.journalPageSize = 2;
    const auth = pilot();
    const page1 = await walletJournal(h.client, auth);
    const page3 = await walletJournal(h.client, auth, 3);
    expect(page1.pages).toBe(3);
    expect(page1.entries.map((e) => e.id)).toEqual([1n, 2n]);
    expect(page3.entries.map((e) => e.id)).toEqual([5n]);
    await walletJournal(h.client, auth, 3);
    expect(h.requests(/journal$/).map((r) => r.query.page)).toEqual(['1', '3']);
  });
});

describe('EsiClient receivedAt', () => {
  const ask = (client = h.client) => client.request({ method: 'GET', path: `/corporations/${CORP}`, schema: ESI_ROUTES.corporation.schema });
  const CORPORATION = /^\/corporations\/\d+$/;

  it('given a 200, then receivedAt is the client clock at its arrival', async () => {
    const t0 = h.clock.now;
    const answer = await ask();
    expect(answer.fromCache).toBe(false);
    expect(answer.receivedAt).toBe(t0);
  });

  it('given a fresh cache hit later, then receivedAt stays the time of the answer it serves', async () => {
    const t0 = h.clock.now;
    await ask();
    h.clock.now += 30 * 60_000; // half of the route's hour
    const hit = await ask();
    expect(hit.fromCache).toBe(true);
    expect(hit.receivedAt).toBe(t0);
    expect(h.requests(CORPORATION)).toHaveLength(1);
  });

  it('given an expired entry confirmed by a 304, then receivedAt is the time of the 304, and later hits keep it', async () => {
    await ask();
    h.clock.now += 3_600_000 + 1000;
    const t1 = h.clock.now;
    const confirmed = await ask();
    expect(h.requests(CORPORATION).map((r) => r.status)).toEqual([200, 304]);
    expect(confirmed.fromCache).toBe(true);
    expect(confirmed.receivedAt).toBe(t1);

    h.clock.now += 60_000;
    const hit = await ask();
    expect(hit.receivedAt).toBe(t1);
    expect(h.requests(CORPORATION)).toHaveLength(2);
  });

  it('given callers merged into one request, then they all get the same receivedAt', async () => {
    h.eve.esi.latencyMs = 100;
    const t0 = h.clock.now;
    const answers = await Promise.all([ask(), ask(), ask()]);
    expect(answers.map((a) => a.receivedAt)).toEqual([t0, t0, t0]);
    expect(h.requests(CORPORATION)).toHaveLength(1);
  });

  it('given affiliations asked twice within the cache time and once for other ids, then each row carries the time of its batch answer', async () => {
    const t0 = h.clock.now;
    const first = await characterAffiliations(h.client, [BigInt(PILOT)]);
    expect(first).toEqual([{ characterId: BigInt(PILOT), corporationId: BigInt(CORP), allianceId: expect.any(BigInt), receivedAt: t0 }]);

    h.clock.now += 20 * 60_000;
    const cached = await characterAffiliations(h.client, [BigInt(PILOT)]);
    const fresh = await characterAffiliations(h.client, [BigInt(SECOND)]);
    expect(cached[0]!.receivedAt).toBe(t0); // an answer 20 minutes old, from the cache
    expect(fresh[0]!.receivedAt).toBe(t0 + 20 * 60_000);
    expect(h.requests(/^\/characters\/affiliation$/).map((r) => r.body)).toEqual([[PILOT], [SECOND]]);
  });
});

describe('EsiClient limits', () => {
  it('given a 429 whose Retry-After fits the budget, then the client waits and the retry succeeds', async () => {
    h.eve.esi.failNext({ path: WALLET }, { status: 429, headers: { 'Retry-After': '1' } });
    const balance = await walletBalance(h.client, pilot(), { deadline: performance.now() + 10_000 });
    expect(balance).toBe(1_000_000.5);
    const records = h.requests(WALLET);
    expect(records.map((r) => r.status)).toEqual([429, 200]);
    expect(records[1]!.at).toBeGreaterThan(records[0]!.at); // a wait happened
  });

  it('given a 429 whose Retry-After does not fit the budget, then EsiBusyError carries the seconds, and the group is not asked again meanwhile', async () => {
    h.eve.esi.failNext({ path: WALLET }, { status: 429, headers: { 'Retry-After': '30' } });
    const error = await rejection(walletBalance(h.client, pilot(), { deadline: performance.now() + 2000 }));
    expect(error).toBeInstanceOf(EsiBusyError);
    expect((error as EsiBusyError).retryAfterSeconds).toBe(30);
    expect((error as EsiBusyError).reason).toBe('rate-limit');
    expect(h.requests(WALLET)).toHaveLength(1);

    // The journal is in the same rate-limit group (char-wallet) for this character: refused locally.
    const journal = await rejection(walletJournal(h.client, pilot(), 1, { deadline: performance.now() + 2000 }));
    expect(journal).toBeInstanceOf(EsiBusyError);
    expect((journal as EsiBusyError).refusedLocally).toBe(true);
    expect(h.requests(/journal$/)).toHaveLength(0);
  });

  it('given a bare 429 without headers, then the default wait applies and a short budget gives EsiBusyError', async () => {
    h.eve.esi.failNext({ path: CHARACTER }, { status: 429, bare: true });
    const error = await rejection(character(h.client, BigInt(PILOT), { deadline: performance.now() + 1000 }));
    expect(error).toBeInstanceOf(EsiBusyError);
    expect((error as EsiBusyError).retryAfterSeconds).toBeGreaterThan(0);
  });

  it('given an authenticated route, then the X-Ratelimit headers are read per group and character', async () => {
    await walletBalance(h.client, pilot());
    const limits = h.client.limits();
    const bucket = limits.rateLimits[`char-wallet|${PILOT}`];
    expect(bucket).toMatchObject({ group: 'char-wallet', limit: '150/15m', used: 2 });
    expect(bucket!.remaining).toBe(148);
  });

  it('given the error limit drops low, then the next call throws EsiBusyError without a request until the reset; cached data is still served', async () => {
    h.eve.esi.errorLimitRemain = 5;
    await character(h.client, BigInt(PILOT)); // 200, but X-ESI-Error-Limit-Remain: 5
    const before = h.eve.esiRequests.length;

    const error = await rejection(corporation(h.client, BigInt(CORP)));
    expect(error).toBeInstanceOf(EsiBusyError);
    expect((error as EsiBusyError).reason).toBe('error-limit');
    expect((error as EsiBusyError).refusedLocally).toBe(true);
    expect((error as EsiBusyError).retryAfterSeconds).toBeGreaterThan(0);
    expect((error as EsiBusyError).retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(h.eve.esiRequests).toHaveLength(before);
    expect(h.client.limits().errorLimit?.remain).toBe(5);

    expect((await character(h.client, BigInt(PILOT))).name).toBe('Pilot One');
    expect(h.eve.esiRequests).toHaveLength(before);
  });

  it('given a healthy error limit, then calls go through', async () => {
    h.eve.esi.errorLimitRemain = 50;
    await character(h.client, BigInt(PILOT));
    await corporation(h.client, BigInt(CORP));
    expect(h.eve.esiRequests).toHaveLength(2);
  });

  it('given a 420, then EsiBusyError and no request until the reset', async () => {
    h.eve.esi.errorLimitRemain = 0;
    const error = await rejection(character(h.client, BigInt(PILOT)));
    expect(error).toBeInstanceOf(EsiBusyError);
    expect((error as EsiBusyError).reason).toBe('error-limit');
    expect(h.eve.esiRequests.map((r) => r.status)).toEqual([420]);

    const next = await rejection(walletBalance(h.client, pilot()));
    expect(next).toBeInstanceOf(EsiBusyError);
    expect(h.eve.esiRequests).toHaveLength(1);
  });

  it("given a bare 420 with Retry-After, then its seconds are used and the client stops asking", async () => {
    h.eve.esi.failNext({ path: CHARACTER }, { status: 420, bare: true, headers: { 'Retry-After': '7' } });
    const error = await rejection(character(h.client, BigInt(PILOT)));
    expect(error).toBeInstanceOf(EsiBusyError);
    expect((error as EsiBusyError).retryAfterSeconds).toBe(7);
    expect(await rejection(corporation(h.client, BigInt(CORP)))).toBeInstanceOf(EsiBusyError);
    expect(h.eve.esiRequests).toHaveLength(1);
  });
});

describe('EsiClient retries', () => {
  it('given a 502 then success, then the retry answers', async () => {
    h.eve.esi.failNext({ path: CHARACTER }, { status: 502 });
    expect((await character(h.client, BigInt(PILOT))).name).toBe('Pilot One');
    expect(h.requests(CHARACTER).map((r) => r.status)).toEqual([502, 200]);
  });

  it('given 503 three times, then EsiUnavailableError after exactly 3 requests', async () => {
    h.eve.esi.failNext({ path: CHARACTER }, { status: 503 }, 3);
    const error = await rejection(character(h.client, BigInt(PILOT)));
    expect(error).toBeInstanceOf(EsiUnavailableError);
    expect((error as EsiUnavailableError).status).toBe(503);
    expect(h.requests(CHARACTER)).toHaveLength(3);
  });

  it('given 504 and a deadline too close for a backoff, then no retry past the deadline', async () => {
    h.eve.esi.failNext({ path: CHARACTER }, { status: 504 }, 3);
    const error = await rejection(character(h.client, BigInt(PILOT), { deadline: performance.now() + 150 }));
    expect(error).toBeInstanceOf(EsiUnavailableError);
    expect(h.requests(CHARACTER)).toHaveLength(1);
  });

  it('given a request that times out, then it is retried and the retry answers', async () => {
    const client = h.newClient({ timeoutMs: 300 });
    h.eve.esi.failNext({ path: CHARACTER }, 'timeout');
    expect((await character(client, BigInt(PILOT))).name).toBe('Pilot One');
    expect(h.requests(CHARACTER)).toHaveLength(2);
  });

  it('given timeouts on every attempt, then EsiUnavailableError with reason timeout after three attempts', async () => {
    const client = h.newClient({ timeoutMs: 200 });
    h.eve.esi.failNext({ path: CHARACTER }, 'timeout', 3);
    const error = await rejection(character(client, BigInt(PILOT)));
    expect(error).toBeInstanceOf(EsiUnavailableError);
    expect((error as EsiUnavailableError).reason).toBe('timeout');
    expect(h.requests(CHARACTER)).toHaveLength(3);
  });

  it('given a connection reset, then it is retried', async () => {
    h.eve.esi.failNext({ path: CHARACTER }, 'reset');
    expect((await character(h.client, BigInt(PILOT))).name).toBe('Pilot One');
    expect(h.requests(CHARACTER)).toHaveLength(2);
  });

  it('given a 500, then EsiUnavailableError without retry', async () => {
    h.eve.esi.failNext({ path: CHARACTER }, { status: 500 });
    expect(await rejection(character(h.client, BigInt(PILOT)))).toBeInstanceOf(EsiUnavailableError);
    expect(h.requests(CHARACTER)).toHaveLength(1);
  });
});

describe('EsiClient and answers that drift from the OpenAPI document', () => {
  const CORPORATION = /^\/corporations\/\d+$/;
  const driftWarnings = () => h.logs.filter((line) => line.includes('differs from the OpenAPI document'));

  it('given corporation answers without fields the bot does not read (and one of the wrong type), then corporation() works and one warning, without values, is logged for both', async () => {
    h.eve.esi.alterBody.corporation = ({ war_eligible: _war, home_station_id: _home, description: _description, ...rest }) => ({ ...rest, shares: 'lots' });
    const one = await corporation(h.client, BigInt(CORP));
    const two = await corporation(h.client, BigInt(OTHER_CORP));
    expect(one).toMatchObject({ name: 'Corp One', ticker: 'ONE' });
    expect(two).toMatchObject({ name: 'Corp Two', ticker: 'TWO' });
    expect(h.requests(CORPORATION).map((r) => r.status)).toEqual([200, 200]);
    // What the fake serves really lacks the fields.
    const served = (await (await fetch(`${h.eve.esiUrl}/corporations/${CORP}`)).json()) as Record<string, unknown>;
    expect(served).not.toHaveProperty('war_eligible');
    expect(served).toHaveProperty('shares', 'lots');

    const warnings = driftWarnings();
    expect(warnings).toHaveLength(1);
    const line = JSON.parse(warnings[0]!) as { level: number; route: string; compatibilityDate: string; issues: string[] };
    expect(line).toMatchObject({ level: 40, route: 'GET /corporations/{corporation_id}', compatibilityDate: ESI_COMPATIBILITY_DATE });
    expect([...line.issues].sort()).toEqual(['description: invalid_type', 'home_station_id: invalid_type', 'shares: invalid_type', 'war_eligible: invalid_type']);
    expect(warnings[0]).not.toContain('lots');
    expect(warnings[0]).not.toContain('Corp One');
  });

  it('given a corporation answer without name, which the bot reads, then EsiMalformedResponseError and nothing cached', async () => {
    h.eve.esi.alterBody.corporation = ({ name: _name, ...rest }) => rest;
    const error = await rejection(corporation(h.client, BigInt(CORP)));
    expect(error).toBeInstanceOf(EsiMalformedResponseError);
    expect((error as EsiMalformedResponseError).issues).toEqual(['name: invalid_type']);
    expect(await rejection(corporation(h.client, BigInt(CORP)))).toBeInstanceOf(EsiMalformedResponseError);
    expect(h.requests(CORPORATION)).toHaveLength(2);
  });

  it('given drift on two routes, then one warning per route', async () => {
    h.eve.esi.alterBody.corporation = ({ war_eligible: _war, ...rest }) => rest;
    h.eve.esi.alterBody.alliance = ({ date_founded: _founded, ...rest }) => rest;
    await corporation(h.client, BigInt(CORP));
    await corporation(h.client, BigInt(OTHER_CORP));
    await alliance(h.client, BigInt(ALLIANCE));
    expect(driftWarnings().map((line) => (JSON.parse(line) as { route: string }).route)).toEqual(['GET /corporations/{corporation_id}', 'GET /alliances/{alliance_id}']);
  });
});

describe('EsiClient errors', () => {
  it('given a token without the scope, then onAuthFailure gets the character, 403 and the scope, and its error propagates', async () => {
    class MissingScope extends Error {}
    const onAuthFailure = vi.fn(async (_id: bigint, _status: number, scope: string) => {
      throw new MissingScope(scope);
    });
    const client = h.newClient({ onAuthFailure });
    const auth = { characterId: BigInt(PILOT), accessToken: h.token(PILOT, [SCOPES.skills]) };
    const error = await rejection(walletBalance(client, auth));
    expect(error).toBeInstanceOf(MissingScope);
    expect(onAuthFailure).toHaveBeenCalledExactlyOnceWith(BigInt(PILOT), 403, SCOPES.wallet);
    expect(h.requests(WALLET).map((r) => r.status)).toEqual([403]);
  });

  it('given onAuthFailure returns, or is absent, then EsiForbiddenError with status and scope', async () => {
    const onAuthFailure = vi.fn(async () => undefined);
    const client = h.newClient({ onAuthFailure });
    const expired = await h.eve.mintJwt({ characterId: PILOT, scopes: [SCOPES.wallet], expiresIn: -60 });
    const error = await rejection(walletBalance(client, { characterId: BigInt(PILOT), accessToken: expired }));
    expect(error).toBeInstanceOf(EsiForbiddenError);
    expect((error as EsiForbiddenError).status).toBe(401);
    expect((error as EsiForbiddenError).requiredScope).toBe(SCOPES.wallet);
    expect(onAuthFailure).toHaveBeenCalledWith(BigInt(PILOT), 401, SCOPES.wallet);

    const plain = await rejection(walletBalance(h.client, { characterId: BigInt(PILOT), accessToken: h.token(PILOT, []) }));
    expect(plain).toBeInstanceOf(EsiForbiddenError);
    expect((plain as EsiForbiddenError).status).toBe(403);
    expect((plain as Error).message).not.toContain('eyJ');
  });

  it('given an unknown id, then EsiNotFoundError', async () => {
    const error = await rejection(character(h.client, 90999999n));
    expect(error).toBeInstanceOf(EsiNotFoundError);
    expect((error as EsiNotFoundError).path).toBe('/characters/90999999');
  });

  it("given another 4xx, then EsiRequestError keeps ESI's text for logs and shows users a generic sentence", async () => {
    h.eve.esi.failNext({ path: CHARACTER }, { status: 400, body: { error: 'Invalid character_id parameter' } });
    const error = await rejection(character(h.client, BigInt(PILOT)));
    expect(error).toBeInstanceOf(EsiRequestError);
    expect((error as EsiRequestError).status).toBe(400);
    expect((error as EsiRequestError).esiMessage).toBe('Invalid character_id parameter');
    expect((error as EsiRequestError).userMessage).not.toContain('Invalid character_id');
  });

  it('given a body that does not fit the schema, then EsiMalformedResponseError, and nothing is cached', async () => {
    h.eve.esi.failNext({ path: CHARACTER }, { status: 200, body: { name: 'Pilot One', corporation_id: 'not a number' } });
    const error = await rejection(character(h.client, BigInt(PILOT)));
    expect(error).toBeInstanceOf(EsiMalformedResponseError);
    expect((error as EsiMalformedResponseError).issues.join(' ')).toContain('corporation_id');

    expect((await character(h.client, BigInt(PILOT))).name).toBe('Pilot One');
    expect(h.requests(CHARACTER)).toHaveLength(2);
  });

  it('given a body that is not JSON, then EsiMalformedResponseError', async () => {
    h.eve.esi.failNext({ path: CHARACTER }, { status: 200, body: '{"name": "Pilot' });
    expect(await rejection(character(h.client, BigInt(PILOT)))).toBeInstanceOf(EsiMalformedResponseError);
  });

  it('given a caller-supplied schema, then the body is validated against it', async () => {
    const error = await rejection(h.client.request({ method: 'GET', path: `/characters/${PILOT}`, schema: z.object({ no_such_field: z.string() }) }));
    expect(error).toBeInstanceOf(EsiMalformedResponseError);
  });

  it('given a path with /latest or a trailing slash, then the client refuses it', async () => {
    const schema = ESI_ROUTES.character.schema;
    await expect(h.client.request({ method: 'GET', path: `/latest/characters/${PILOT}`, schema })).rejects.toThrow(RangeError);
    await expect(h.client.request({ method: 'GET', path: `/characters/${PILOT}/`, schema })).rejects.toThrow(RangeError);
    expect(h.eve.esiRequests).toHaveLength(0);
  });

  it('given a request in flight, when the client closes, then the request fails with EsiUnavailableError and later calls too', async () => {
    h.eve.esi.latencyMs = 5000;
    const pending = rejection(character(h.client, BigInt(PILOT)));
    await vi.waitFor(() => expect(h.eve.esiRequests).toHaveLength(1));
    await h.client.close();
    const error = await pending;
    expect(error).toBeInstanceOf(EsiUnavailableError);
    expect((error as EsiUnavailableError).reason).toBe('closed');
    expect(await rejection(corporation(h.client, BigInt(CORP)))).toBeInstanceOf(EsiUnavailableError);
  });
});
