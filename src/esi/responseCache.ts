/**
 * ESI answers kept for as long as ESI says they stay true (Cache-Control /
 * Expires): asking again sooner only gets the same body, costs rate-limit
 * tokens, and CCP bans apps that bypass the cache. Expired answers are kept
 * with their ETag so a 304 can confirm them without downloading the body.
 * Bounded: the least recently used answer goes first.
 */
import type { z } from 'zod';
import { freshness, type ResponseHeaders } from './headers.ts';
import { LruCache } from './lru.ts';

export interface CachedAnswer {
  /** the body as parsed JSON, to validate again when another schema asks */
  raw: unknown;
  /** `raw` as `schema` read it */
  data: unknown;
  schema: z.ZodType;
  etag: string | undefined;
  /** `now()` ms until which the answer may be used without asking */
  expiresAt: number;
  /** X-Pages */
  pages: number | undefined;
  /** `now()` ms at which ESI last produced (200) or confirmed (304) this body */
  receivedAt: number;
}

export type NewAnswer = Pick<CachedAnswer, 'raw' | 'data' | 'schema' | 'pages'>;

export class ResponseCache {
  readonly #entries: LruCache<string, CachedAnswer>;
  readonly #now: () => number;

  constructor(maxEntries: number, now: () => number) {
    this.#entries = new LruCache(maxEntries);
    this.#now = now;
  }

  /** the answer while it is fresh (and marks it recently used) */
  fresh(key: string): CachedAnswer | undefined {
    const entry = this.#entries.get(key);
    return entry && this.#now() < entry.expiresAt ? entry : undefined;
  }

  /** whatever is stored, fresh or not: its ETag makes the next request conditional */
  stored(key: string): CachedAnswer | undefined {
    return this.#entries.peek(key);
  }

  /** Keeps a 200's answer when its headers allow it (a lifetime or an ETag to revalidate with), else forgets the key. */
  store(key: string, answer: NewAnswer, headers: ResponseHeaders): CachedAnswer {
    const now = this.#now();
    const fresh = freshness(headers, now);
    const entry: CachedAnswer = { ...answer, etag: fresh.etag, expiresAt: now + fresh.lifetimeMs, receivedAt: now };
    if (!fresh.noStore && (fresh.lifetimeMs > 0 || fresh.etag !== undefined)) this.#entries.set(key, entry);
    else this.#entries.delete(key);
    return entry;
  }

  /** A 304 confirmed `entry`: it lives on with the 304's lifetime (and ETag, if it sent one), as an answer of now. */
  revalidated(key: string, entry: CachedAnswer, headers: ResponseHeaders): CachedAnswer {
    const now = this.#now();
    const fresh = freshness(headers, now);
    const renewed: CachedAnswer = { ...entry, etag: fresh.etag ?? entry.etag, expiresAt: now + fresh.lifetimeMs, receivedAt: now };
    if (fresh.noStore) this.#entries.delete(key);
    else this.#entries.set(key, renewed);
    return renewed;
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }
}
