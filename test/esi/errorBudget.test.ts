/**
 * ESI's error budget (X-ESI-Error-Limit-Remain, ~100 a minute) is shared by
 * every user of the bot: these tests hold that no error scope (a guild, a
 * user) can spend it, and that unknown ids typed again cost nothing. Each
 * asserts on what the fake ESI actually served.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  alliance,
  characterAffiliations,
  corporation,
  EsiBusyError,
  EsiDirectory,
  EsiNotFoundError,
  walletJournal,
} from '../../src/esi/index.ts';
import { ALLIANCE, CORP, OTHER_CORP, PILOT, rejection, startHarness, type Harness } from './harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const CORPORATION = /^\/corporations\/\d+$/;
/** corporation ids the fake does not know */
const unknown = (n: number) => BigInt(98_900_000 + n);
const served = (path = CORPORATION) => h.requests(path).map((r) => `${r.path} ${r.status}`);
const scope = (name: string) => ({ errorScope: name });

describe('error scopes', () => {
  it('given a scope that spent its allowance on 404s, then it is refused without a request, while another scope and unscoped requests still go through', async () => {
    for (let i = 0; i < 5; i++) expect(await rejection(corporation(h.client, unknown(i), undefined, scope('guild:1')))).toBeInstanceOf(EsiNotFoundError);
    expect(h.requests(CORPORATION).map((r) => r.status)).toEqual([404, 404, 404, 404, 404]);

    const refused = await rejection(corporation(h.client, unknown(5), undefined, scope('guild:1')));
    expect(refused).toBeInstanceOf(EsiBusyError);
    const busy = refused as EsiBusyError;
    expect(busy.reason).toBe('error-allowance');
    expect(busy.refusedLocally).toBe(true);
    expect(busy.retryAfterSeconds).toBeGreaterThan(0);
    expect(busy.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(busy.userMessage).toMatch(/^Too many EVE Online lookups failed in a short time\. Please check what you entered and try again in \d+ seconds\.$/);
    // Even an id ESI knows: the scope may not risk another error now.
    expect(await rejection(corporation(h.client, BigInt(CORP), undefined, scope('guild:1')))).toBeInstanceOf(EsiBusyError);
    expect(h.requests(CORPORATION)).toHaveLength(5);

    // Another guild, and requests without a scope, are not affected.
    expect(await new EsiDirectory(h.client).corporation(unknown(6), undefined, scope('guild:2'))).toBeUndefined();
    expect((await corporation(h.client, BigInt(CORP))).name).toBe('Corp One');
    expect((await corporation(h.client, BigInt(OTHER_CORP), undefined, scope('guild:2'))).name).toBe('Corp Two');
    expect(served().slice(5)).toEqual([`/corporations/${unknown(6)} 404`, `/corporations/${CORP} 200`, `/corporations/${OTHER_CORP} 200`]);

    // What costs nothing is still served in the spent scope: a cached answer, a remembered 404.
    expect((await corporation(h.client, BigInt(CORP), undefined, scope('guild:1'))).name).toBe('Corp One');
    expect(await rejection(corporation(h.client, unknown(0), undefined, scope('guild:1')))).toBeInstanceOf(EsiNotFoundError);
    expect(h.requests(CORPORATION)).toHaveLength(8);

    // Once its errors leave the window, the scope may ask again.
    h.clock.now += 60_000;
    expect((await alliance(h.client, BigInt(ALLIANCE), undefined, scope('guild:1'))).name).toBe('Test Alliance Please Ignore');
    expect(served(/^\/alliances\//)).toEqual([`/alliances/${ALLIANCE} 200`]);
  });

  it('given a burst of 20 concurrent lookups of unknown ids in one scope, then ESI sees only the allowance of them and the rest are refused', async () => {
    h.eve.esi.latencyMs = 50;
    const errors = await Promise.all([...Array(20)].map((_, i) => rejection(corporation(h.client, unknown(i), undefined, scope('guild:1')))));
    expect(h.requests(CORPORATION).map((r) => r.status)).toEqual([404, 404, 404, 404, 404]);
    expect(errors.filter((e) => e instanceof EsiNotFoundError)).toHaveLength(5);
    expect(errors.filter((e) => e instanceof EsiBusyError && e.reason === 'error-allowance')).toHaveLength(15);
  });

  it('given 12 concurrent lookups that succeed in one scope, then all are answered (the allowance only bounds how many are out at once)', async () => {
    h.eve.esi.latencyMs = 50;
    const ids = [...Array(12)].map((_, i) => 98_100_000 + i);
    for (const id of ids) h.eve.addCorporation({ id, name: `Corp ${id}`, ticker: 'C' });
    const names = await Promise.all(ids.map((id) => corporation(h.client, BigInt(id), undefined, scope('guild:1'))));
    expect(names.map((c) => c.name)).toEqual(ids.map((id) => `Corp ${id}`));
    expect(h.requests(CORPORATION).map((r) => r.status)).toEqual(ids.map(() => 200));
  });

  it('given a spent scope and the same request at once without a scope, then only the scoped one is refused (requests merge only within a scope)', async () => {
    for (let i = 0; i < 5; i++) await rejection(corporation(h.client, unknown(i), undefined, scope('guild:1')));
    const [scoped, unscoped] = await Promise.allSettled([corporation(h.client, BigInt(CORP), undefined, scope('guild:1')), corporation(h.client, BigInt(CORP))]);
    expect(scoped.status === 'rejected' && scoped.reason instanceof EsiBusyError && scoped.reason.reason === 'error-allowance').toBe(true);
    expect(unscoped.status === 'fulfilled' && unscoped.value.name).toBe('Corp One');
    expect(served().slice(5)).toEqual([`/corporations/${CORP} 200`]);
  });

  it('given an allowance of 2 per 10 s as options, then the third error-prone request is refused for at most 10 s', async () => {
    const client = h.newClient({ scopedErrors: { allowance: 2, windowMs: 10_000 } });
    h.eve.esi.failNext({ path: CORPORATION }, { status: 400, body: { error: 'bad id' } });
    await rejection(corporation(client, BigInt(CORP), undefined, scope('user:7')));
    await rejection(corporation(client, unknown(1), undefined, scope('user:7')));
    const refused = await rejection(corporation(client, BigInt(OTHER_CORP), undefined, scope('user:7')));
    expect(refused).toBeInstanceOf(EsiBusyError);
    expect((refused as EsiBusyError).reason).toBe('error-allowance');
    expect((refused as EsiBusyError).retryAfterSeconds).toBeLessThanOrEqual(10);
    expect(h.requests(CORPORATION).map((r) => r.status)).toEqual([400, 404]);
  });
});

describe('shared error budget threshold for scoped requests', () => {
  it('given X-ESI-Error-Limit-Remain below 50, then scoped requests are refused without a request and unscoped ones still go through', async () => {
    h.eve.esi.errorLimitRemain = 40;
    await corporation(h.client, BigInt(CORP)); // 200 carrying X-ESI-Error-Limit-Remain: 40
    const refused = await rejection(corporation(h.client, BigInt(OTHER_CORP), undefined, scope('guild:1')));
    expect(refused).toBeInstanceOf(EsiBusyError);
    expect((refused as EsiBusyError).reason).toBe('error-limit');
    expect((refused as EsiBusyError).refusedLocally).toBe(true);
    expect((refused as EsiBusyError).retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(h.requests(CORPORATION)).toHaveLength(1);

    expect((await corporation(h.client, BigInt(OTHER_CORP))).name).toBe('Corp Two');
    expect(served()).toEqual([`/corporations/${CORP} 200`, `/corporations/${OTHER_CORP} 200`]);
  });

  it('given many scopes each making one error, then they stop as the shared budget reaches the threshold, and unscoped commands still work', async () => {
    h.eve.esi.errorLimitRemain = 53;
    const errors: unknown[] = [];
    for (let g = 0; g < 10; g++) errors.push(await rejection(corporation(h.client, unknown(g), undefined, scope(`guild:${g}`))));
    // 53 -> 52, 51, 50, 49: the fourth answer reports 49, below 50, and the rest stay home.
    expect(h.requests(CORPORATION).map((r) => r.status)).toEqual([404, 404, 404, 404]);
    expect(h.eve.esi.errorLimitRemain).toBe(49);
    expect(errors.slice(4).every((e) => e instanceof EsiBusyError && e.reason === 'error-limit' && e.refusedLocally)).toBe(true);

    expect((await corporation(h.client, BigInt(CORP))).name).toBe('Corp One');
    expect(h.requests(CORPORATION).at(-1)!.status).toBe(200);
  });

  it('given the threshold set to 30 as an option, then a remainder of 40 still lets scoped requests through', async () => {
    const client = h.newClient({ scopedErrors: { errorLimitThreshold: 30 } });
    h.eve.esi.errorLimitRemain = 40;
    await corporation(client, BigInt(CORP));
    expect((await corporation(client, BigInt(OTHER_CORP), undefined, scope('guild:1'))).name).toBe('Corp Two');
    expect(h.requests(CORPORATION)).toHaveLength(2);
  });
});

describe('remembered 404s', () => {
  it('given a public GET answered 404, then asking again within the hour throws EsiNotFoundError without a request; after the hour ESI is asked again', async () => {
    const first = await rejection(corporation(h.client, unknown(1)));
    const second = await rejection(corporation(h.client, unknown(1)));
    expect(first).toBeInstanceOf(EsiNotFoundError);
    expect(second).toBeInstanceOf(EsiNotFoundError);
    expect((first as EsiNotFoundError).remembered).toBe(false);
    expect((second as EsiNotFoundError).remembered).toBe(true);
    expect((second as EsiNotFoundError).path).toBe(`/corporations/${unknown(1)}`);
    expect(served()).toEqual([`/corporations/${unknown(1)} 404`]);

    h.clock.now += 3_600_000;
    expect(await rejection(corporation(h.client, unknown(1)))).toBeInstanceOf(EsiNotFoundError);
    expect(served()).toEqual([`/corporations/${unknown(1)} 404`, `/corporations/${unknown(1)} 404`]);
  });

  it('given 404s of an authenticated GET and of a POST, then they are not remembered', async () => {
    const auth = { characterId: BigInt(PILOT), accessToken: h.token(PILOT) };
    await rejection(walletJournal(h.client, auth, 5));
    await rejection(walletJournal(h.client, auth, 5));
    expect(h.requests(/journal$/).map((r) => r.status)).toEqual([404, 404]);

    expect(await characterAffiliations(h.client, [1n])).toEqual([]);
    expect(await characterAffiliations(h.client, [1n])).toEqual([]);
    expect(h.requests(/affiliation$/).map((r) => r.status)).toEqual([404, 404]);
  });

  it('given a cap of 2 remembered 404s, then the least recently used is forgotten and asked again', async () => {
    const client = h.newClient({ notFoundMaxEntries: 2 });
    for (const n of [1, 2, 3, 1, 3]) await rejection(corporation(client, unknown(n)));
    expect(served()).toEqual([1, 2, 3, 1].map((n) => `/corporations/${unknown(n)} 404`));
  });
});
