import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NameResolver } from '../../src/esi/index.ts';
import { ALLIANCE, CORP, PILOT, startHarness, type Harness } from './harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const NAMES = /^\/universe\/names$/;
const namesRequests = () => h.requests(NAMES, 'POST');
const bodies = () => namesRequests().map((r) => r.body as number[]);

/** extra names in the fake: types 30000000.. */
function addTypes(count: number): number[] {
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const id = 30_000_000 + i;
    h.eve.addName(id, `Type ${i}`, 'inventory_type');
    ids.push(id);
  }
  return ids;
}

describe('NameResolver', () => {
  it('given ids of several kinds, then it maps each (as bigint) to name and category', async () => {
    const names = await new NameResolver(h.client).resolve([PILOT, CORP, ALLIANCE]);
    expect(names).toEqual(
      new Map([
        [BigInt(PILOT), { name: 'Pilot One', category: 'character' }],
        [BigInt(CORP), { name: 'Corp One', category: 'corporation' }],
        [BigInt(ALLIANCE), { name: 'Test Alliance Please Ignore', category: 'alliance' }],
      ]),
    );
    expect(bodies()).toEqual([[PILOT, CORP, ALLIANCE]]);
  });

  it('given 2500 ids, then three requests of at most 1000 unique ids, and every name resolved', async () => {
    const ids = addTypes(2500);
    const names = await new NameResolver(h.client).resolve([...ids, ...ids.slice(0, 5)]);
    expect(bodies().map((b) => b.length)).toEqual([1000, 1000, 500]);
    expect(new Set(bodies().flat()).size).toBe(2500);
    expect(names.size).toBe(2500);
    expect(names.get(30_002_499n)).toEqual({ name: 'Type 2499', category: 'inventory_type' });
  });

  it('given names resolved once, then resolving them again makes no request until the cache time ends', async () => {
    let now = 1_000_000;
    const resolver = new NameResolver(h.client, { now: () => now });
    await resolver.resolve([BigInt(PILOT), BigInt(CORP)]);
    const again = await resolver.resolve([BigInt(CORP), BigInt(PILOT)]);
    expect(namesRequests()).toHaveLength(1);
    expect([...again.keys()]).toEqual([BigInt(CORP), BigInt(PILOT)]); // in the order asked

    now += 24 * 60 * 60 * 1000 + 1;
    await resolver.resolve([BigInt(PILOT)]);
    expect(bodies()).toEqual([[PILOT, CORP], [PILOT]]);
  });

  it('given an unknown id among known ones, then the refused batch is bisected, the unknown id maps to nothing and the others resolve', async () => {
    const ids = addTypes(7);
    const unknown = 39_999_999;
    const asked = [...ids.slice(0, 3), unknown, ...ids.slice(3)];
    const resolver = new NameResolver(h.client);
    const names = await resolver.resolve(asked);

    expect(names.size).toBe(7);
    expect(names.has(BigInt(unknown))).toBe(false);
    for (const id of ids) expect(names.get(BigInt(id))?.name).toMatch(/^Type \d$/);
    // The whole batch, then halves down to the unknown id alone.
    const statuses = namesRequests().map((r) => r.status);
    expect(statuses[0]).toBe(404);
    expect(bodies()).toContainEqual([unknown]);
    expect(namesRequests().length).toBeGreaterThan(2);
    expect(namesRequests().length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(asked.length)) + 1);

    // Unknown ids are remembered too: no new request.
    const before = namesRequests().length;
    expect((await resolver.resolve([unknown])).size).toBe(0);
    expect(namesRequests()).toHaveLength(before);
  });

  it('given only unknown ids, then the result is empty', async () => {
    const names = await new NameResolver(h.client).resolve([1n, 2n, 3n]);
    expect(names.size).toBe(0);
    expect(bodies()).toContainEqual([1]);
    expect(bodies()).toContainEqual([2]);
    expect(bodies()).toContainEqual([3]);
  });

  it('given concurrent resolves of overlapping ids, then each id is asked once', async () => {
    h.eve.esi.latencyMs = 100;
    const ids = addTypes(4);
    const resolver = new NameResolver(h.client);
    const [a, b, c] = await Promise.all([
      resolver.resolve(ids.slice(0, 3)),
      resolver.resolve(ids.slice(1, 4)),
      resolver.resolve(ids.slice(0, 2)),
    ]);
    expect(a.size).toBe(3);
    expect(b.size).toBe(3);
    expect(c.size).toBe(2);
    expect(bodies()).toEqual([ids.slice(0, 3), [ids[3]]]);
  });

  it('given ESI down, then the ids stay unresolved (callers show the id) and are asked again next time', async () => {
    h.eve.esi.failNext({ path: NAMES }, { status: 503 }, 3);
    const resolver = new NameResolver(h.client);
    expect((await resolver.resolve([PILOT])).size).toBe(0);
    expect(namesRequests()).toHaveLength(3);
    expect((await resolver.resolve([PILOT])).get(BigInt(PILOT))?.name).toBe('Pilot One');
  });

  it('given a cap of 2 names, then the least recently used name is asked again', async () => {
    const resolver = new NameResolver(h.client, { maxEntries: 2 });
    await resolver.resolve([PILOT]);
    await resolver.resolve([CORP]);
    await resolver.resolve([ALLIANCE]); // evicts PILOT
    await resolver.resolve([CORP, ALLIANCE]);
    expect(namesRequests()).toHaveLength(3);
    await resolver.resolve([PILOT]);
    expect(bodies()[3]).toEqual([PILOT]);
  });
});
