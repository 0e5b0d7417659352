import { describe, expect, it } from 'vitest';
import { errorLimitHeaders, freshness, rateLimitHeaders, retryAfterSeconds } from '../../src/esi/headers.ts';
import { LruCache } from '../../src/esi/lru.ts';

const NOW = Date.parse('2026-08-18T12:00:00Z');

describe('freshness', () => {
  it('given max-age and Age, then the lifetime is max-age minus Age', () => {
    expect(freshness({ 'cache-control': 'public, max-age=120', age: '20', etag: '"abc"' }, NOW)).toEqual({ lifetimeMs: 100_000, noStore: false, etag: '"abc"' });
  });

  it("given only Expires, then the lifetime is measured from the response's Date, not our clock", () => {
    const headers = { date: 'Tue, 18 Aug 2026 11:00:00 GMT', expires: 'Tue, 18 Aug 2026 11:05:00 GMT' };
    // Our clock is an hour ahead of ESI's: the body is still good for 5 minutes.
    expect(freshness(headers, NOW).lifetimeMs).toBe(300_000);
  });

  it('given Expires without Date, then our clock is the base', () => {
    expect(freshness({ expires: 'Tue, 18 Aug 2026 12:01:00 GMT' }, NOW).lifetimeMs).toBe(60_000);
  });

  it('given no-store, no-cache, a bad Expires or nothing, then nothing is fresh', () => {
    expect(freshness({ 'cache-control': 'no-store, max-age=60' }, NOW)).toMatchObject({ noStore: true, lifetimeMs: 0 });
    expect(freshness({ 'cache-control': 'no-cache', etag: '"x"' }, NOW)).toMatchObject({ noStore: false, lifetimeMs: 0, etag: '"x"' });
    expect(freshness({ expires: '0' }, NOW).lifetimeMs).toBe(0);
    expect(freshness({}, NOW)).toEqual({ lifetimeMs: 0, noStore: false, etag: undefined });
  });
});

describe('limit headers', () => {
  it('given Retry-After as seconds or as a date, then seconds', () => {
    expect(retryAfterSeconds({ 'retry-after': '17' }, NOW)).toBe(17);
    expect(retryAfterSeconds({ 'retry-after': 'Tue, 18 Aug 2026 12:00:30 GMT' }, NOW)).toBe(30);
    expect(retryAfterSeconds({}, NOW)).toBeUndefined();
    expect(retryAfterSeconds({ 'retry-after': 'soon' }, NOW)).toBeUndefined();
  });

  it('given X-Ratelimit and X-ESI-Error-Limit headers, then they are read', () => {
    expect(rateLimitHeaders({ 'x-ratelimit-group': 'char-wallet', 'x-ratelimit-limit': '150/15m', 'x-ratelimit-remaining': '140', 'x-ratelimit-used': '2' })).toEqual({
      group: 'char-wallet',
      limit: '150/15m',
      remaining: 140,
      used: 2,
    });
    expect(rateLimitHeaders({})).toBeUndefined();
    expect(errorLimitHeaders({ 'x-esi-error-limit-remain': '87', 'x-esi-error-limit-reset': '41' })).toEqual({ remain: 87, resetSeconds: 41 });
    expect(errorLimitHeaders({})).toBeUndefined();
  });
});

describe('LruCache', () => {
  it('given more entries than the cap, then the least recently used go first', () => {
    const lru = new LruCache<string, number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    expect(lru.get('a')).toBe(1); // a is now the most recent
    lru.set('c', 3); // evicts b
    expect(lru.has('b')).toBe(false);
    expect([...lru.entries()].map(([k]) => k)).toEqual(['a', 'c']);
    expect(lru.size).toBe(2);
    expect(() => new LruCache(0)).toThrow(RangeError);
  });
});
