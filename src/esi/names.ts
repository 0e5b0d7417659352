/**
 * Id -> name for display, through POST /universe/names: batched (≤1000 ids a
 * request), cached a long time (names rarely change), and concurrent lookups
 * of one id share one request. One unknown id makes ESI refuse the whole
 * batch (404), so a refused batch is bisected until the unknown ids are found;
 * they map to nothing and callers show the id instead.
 */
import type { Logger } from '../log.ts';
import type { EsiBudget, EsiClient } from './client.ts';
import { EsiError, EsiNotFoundError } from './errors.ts';
import { chunks, uniqueIds } from './ids.ts';
import { LruCache } from './lru.ts';
import { NAMES_BATCH, universeNames, type ResolvedName } from './routes/universe.ts';

export type { ResolvedName } from './routes/universe.ts';

export interface NameResolverOptions {
  /** how long a resolved name is kept; default 24 h */
  ttlMs?: number;
  /** how long an id ESI does not know stays unknown without asking again; default 1 h */
  unknownTtlMs?: number;
  /** LRU cap; default 50000 ids */
  maxEntries?: number;
  /** logs lookups that failed (busy, unavailable); default silent */
  logger?: Logger;
  /** wall clock for expiry; default Date.now */
  now?: () => number;
}

interface Entry {
  /** null: ESI does not know the id */
  value: ResolvedName | null;
  expiresAt: number;
}

/** id -> name, null for unknown ids; ids whose lookup failed are absent */
type BatchResult = Map<bigint, ResolvedName | null>;

export class NameResolver {
  readonly #client: EsiClient;
  readonly #ttlMs: number;
  readonly #unknownTtlMs: number;
  readonly #now: () => number;
  readonly #logger: Logger | undefined;
  readonly #cache: LruCache<bigint, Entry>;
  readonly #pending = new Map<bigint, Promise<BatchResult>>();

  constructor(client: EsiClient, options: NameResolverOptions = {}) {
    this.#client = client;
    this.#ttlMs = options.ttlMs ?? 24 * 60 * 60 * 1000;
    this.#unknownTtlMs = options.unknownTtlMs ?? 60 * 60 * 1000;
    this.#now = options.now ?? Date.now;
    this.#logger = options.logger;
    this.#cache = new LruCache(options.maxEntries ?? 50_000);
  }

  /**
   * Names of the given ids. Unknown ids, and ids whose lookup failed because
   * ESI was busy or down, are missing from the map: show the id instead.
   */
  async resolve(ids: readonly bigint[] | readonly number[], budget?: EsiBudget): Promise<Map<bigint, ResolvedName>> {
    const wanted = uniqueIds(ids);
    const found = new Map<bigint, ResolvedName>();
    const waits: Promise<void>[] = [];
    const missing: bigint[] = [];
    const now = this.#now();

    for (const id of wanted) {
      const hit = this.#cache.get(id);
      if (hit && now < hit.expiresAt) {
        if (hit.value) found.set(id, hit.value);
        continue;
      }
      const pending = this.#pending.get(id);
      if (pending) waits.push(pending.then((result) => collect(found, id, result)));
      else missing.push(id);
    }

    for (const batch of chunks(missing, NAMES_BATCH)) {
      const request = this.#lookup(batch, budget);
      for (const id of batch) this.#pending.set(id, request);
      const settle = () => {
        for (const id of batch) if (this.#pending.get(id) === request) this.#pending.delete(id);
      };
      void request.then(settle, settle);
      waits.push(request.then((result) => batch.forEach((id) => collect(found, id, result))));
    }

    await Promise.all(waits);
    // In the order asked.
    const out = new Map<bigint, ResolvedName>();
    for (const id of wanted) {
      const name = found.get(id);
      if (name) out.set(id, name);
    }
    return out;
  }

  async #lookup(ids: bigint[], budget: EsiBudget | undefined): Promise<BatchResult> {
    const result: BatchResult = new Map();
    await this.#resolveOrSplit(ids, budget, result);
    const now = this.#now();
    for (const [id, value] of result) this.#cache.set(id, { value, expiresAt: now + (value ? this.#ttlMs : this.#unknownTtlMs) });
    return result;
  }

  async #resolveOrSplit(ids: bigint[], budget: EsiBudget | undefined, result: BatchResult): Promise<void> {
    try {
      const names = await universeNames(this.#client, ids, budget);
      for (const id of ids) result.set(id, names.get(id) ?? null);
    } catch (error) {
      if (error instanceof EsiNotFoundError) {
        if (ids.length === 1) {
          result.set(ids[0]!, null);
          return;
        }
        const middle = Math.ceil(ids.length / 2);
        await Promise.all([this.#resolveOrSplit(ids.slice(0, middle), budget, result), this.#resolveOrSplit(ids.slice(middle), budget, result)]);
        return;
      }
      if (error instanceof EsiError) {
        // Busy or down: these ids stay unresolved (and uncached) this time.
        this.#logger?.warn({ err: error, ids: ids.length }, 'esi name lookup failed');
        return;
      }
      throw error;
    }
  }
}

function collect(found: Map<bigint, ResolvedName>, id: bigint, result: BatchResult): void {
  const value = result.get(id);
  if (value) found.set(id, value);
}
