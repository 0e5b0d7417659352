/**
 * 404s of public GET requests, remembered for a while: an id ESI does not
 * know (a typo, a closed corporation) stays unknown, and asking again would
 * spend the error budget the whole bot shares. Only public GETs: an
 * authenticated 404 depends on the character and the page, and a POST's on
 * its whole body. Bounded: the least recently used goes first.
 */
import { LruCache } from './lru.ts';

interface Remembered {
  /** ESI's error text, for logs */
  esiMessage: string | undefined;
  /** `now()` ms */
  expiresAt: number;
}

export class NotFoundCache {
  readonly #entries: LruCache<string, Remembered>;
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(options: { maxEntries: number; ttlMs: number; now: () => number }) {
    this.#entries = new LruCache(options.maxEntries);
    this.#ttlMs = options.ttlMs;
    this.#now = options.now;
  }

  /** the remembered 404 of this request key, while it lasts */
  get(key: string): { esiMessage: string | undefined } | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (this.#now() < entry.expiresAt) return { esiMessage: entry.esiMessage };
    this.#entries.delete(key);
    return undefined;
  }

  remember(key: string, esiMessage: string | undefined): void {
    if (this.#ttlMs <= 0) return;
    this.#entries.set(key, { esiMessage, expiresAt: this.#now() + this.#ttlMs });
  }

  clear(): void {
    this.#entries.clear();
  }
}
