/**
 * The one way the bot talks to ESI: one keep-alive undici Agent, the
 * compatibility date on every request, every body validated, responses cached
 * by their own Cache-Control/Expires and revalidated with ETags, identical
 * concurrent requests merged, and ESI's rate and error limits respected.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, type Dispatcher } from 'undici';
import type { z } from 'zod';
import type { Logger } from '../log.ts';
import {
  EsiBusyError,
  EsiForbiddenError,
  EsiMalformedResponseError,
  EsiNotFoundError,
  EsiRequestError,
  EsiUnavailableError,
  type EsiRouteInfo,
} from './errors.ts';
import {
  errorLimitHeaders,
  freshness,
  header,
  intHeader,
  limitTokens,
  rateLimitHeaders,
  retryAfterSeconds,
  type ResponseHeaders,
} from './headers.ts';
import { LruCache } from './lru.ts';
import { findRoute } from './schemas.ts';

export const ESI_COMPATIBILITY_DATE = '2026-08-18';

export interface EsiClientOptions {
  /** ESI_URL, e.g. https://esi.evetech.net (no trailing slash) */
  baseUrl: string;
  /** e.g. 'eve-corp-bot/0.1.0 (admin@example.org)' */
  userAgent: string;
  logger: Logger;
  /** per request attempt, default 10000 */
  timeoutMs?: number;
  /** LRU cap of the response cache, default 5000 */
  cacheMaxEntries?: number;
  /** called on 401/403 of an authenticated route: lets the token service throw its typed error (missing scopes / dead login) instead */
  onAuthFailure?: (characterId: bigint, status: number, requiredScope: string) => Promise<never | void>;
  /** how long a request made without a budget may take, retries and waits included; default 30000 */
  defaultBudgetMs?: number;
  /** X-ESI-Error-Limit-Remain below this stops avoidable calls until the reset; default 10 */
  errorLimitThreshold?: number;
  /** wall clock (ms) that cache expiry is measured on; default Date.now (tests move it) */
  now?: () => number;
}

export interface EsiAuth {
  characterId: bigint;
  accessToken: string;
  /** the scope the route needs (for onAuthFailure and logs) */
  scope: string;
}

export interface EsiRequest<T> {
  method: 'GET' | 'POST';
  /** concrete path without /latest or trailing slash, e.g. /characters/90000001 */
  path: string;
  schema: z.ZodType<T>;
  auth?: EsiAuth;
  body?: unknown;
  query?: Record<string, string | number>;
}

export interface EsiBudget {
  /** performance.now()-based ms by which we must be done */
  deadline: number;
}

export interface EsiResult<T> {
  data: T;
  /** X-Pages, on paged routes */
  pages?: number;
  /** true when no body was downloaded: a fresh cache hit, or a 304 that reused the cached body */
  fromCache: boolean;
}

export interface EsiLimitsSnapshot {
  /** last X-ESI-Error-Limit-Remain seen, and when its window resets (performance.now() ms) */
  errorLimit?: { remain: number; resetAt: number };
  /** performance.now() ms until which calls are refused because of the error limit (0: not refused) */
  errorLimitBlockedUntil: number;
  /** last X-Ratelimit-* per `group|character` ('app' for public routes) */
  rateLimits: Record<string, { group: string; limit?: string; remaining?: number; used?: number }>;
}

interface CacheEntry {
  raw: unknown;
  data: unknown;
  schema: z.ZodType;
  etag: string | undefined;
  /** `now()` ms */
  expiresAt: number;
  pages: number | undefined;
}

interface Outcome {
  raw: unknown;
  data: unknown;
  schema: z.ZodType;
  pages: number | undefined;
  fromCache: boolean;
}

interface RawResponse {
  status: number;
  headers: ResponseHeaders;
  text: string;
}

const RETRYABLE_STATUS = new Set([502, 503, 504]);
const MAX_TRANSIENT_RETRIES = 2;
/** when a 429 carries no Retry-After */
const DEFAULT_RETRY_AFTER_SECONDS = 5;
/** when a 420 carries neither Retry-After nor X-ESI-Error-Limit-Reset */
const DEFAULT_ERROR_LIMIT_RESET_SECONDS = 60;
const MAX_BODY_BYTES = 16 * 1024 * 1024;

export class EsiClient {
  readonly #options: Required<Omit<EsiClientOptions, 'onAuthFailure'>> & Pick<EsiClientOptions, 'onAuthFailure'>;
  readonly #logger: Logger;
  readonly #agent: Agent;
  readonly #origin: string;
  readonly #prefix: string;
  readonly #cache: LruCache<string, CacheEntry>;
  readonly #inflight = new Map<string, { promise: Promise<Outcome>; deadline: number }>();
  readonly #closing = new AbortController();
  #closed: Promise<void> | undefined;

  /** rate-limit group learned per `METHOD path` from X-Ratelimit-Group */
  readonly #routeGroups = new LruCache<string, string>(10_000);
  /** `group|character` or `path:METHOD path|character` -> performance.now() ms until which a 429 told us to wait */
  readonly #rateGates = new Map<string, number>();
  readonly #rateLimits = new LruCache<string, { group: string; limit?: string; remaining?: number; used?: number }>(1000);
  #errorLimit: { remain: number; resetAt: number } | undefined;
  #errorBlockedUntil = 0;

  constructor(options: EsiClientOptions) {
    const url = new URL(options.baseUrl);
    this.#origin = url.origin;
    this.#prefix = url.pathname.replace(/\/+$/, '');
    this.#options = {
      timeoutMs: 10_000,
      cacheMaxEntries: 5000,
      defaultBudgetMs: 30_000,
      errorLimitThreshold: 10,
      now: Date.now,
      ...options,
    };
    this.#logger = options.logger;
    this.#cache = new LruCache(this.#options.cacheMaxEntries);
    const timeout = this.#options.timeoutMs;
    this.#agent = new Agent({
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 60_000,
      // A burst of commands (many users at once) must not queue behind a few sockets:
      // ESI limits requests per route group and character, not connections.
      connections: 64,
      headersTimeout: timeout,
      bodyTimeout: timeout,
      connect: { timeout },
    });
  }

  /** GET/POST a path, validate the JSON body with the schema; cache, merging and limits applied. */
  async request<T>(route: EsiRequest<T>, budget?: EsiBudget): Promise<EsiResult<T>> {
    const info: EsiRouteInfo = { method: route.method, path: route.path, ...(route.auth ? { characterId: route.auth.characterId } : {}) };
    if (this.#closing.signal.aborted) throw new EsiUnavailableError(info, 'closed');
    if (!route.path.startsWith('/') || route.path.startsWith('/latest/') || (route.path.length > 1 && route.path.endsWith('/'))) {
      throw new RangeError(`ESI paths start with / and have no /latest prefix or trailing slash: ${route.path}`);
    }
    const key = cacheKey(route);

    const cached = this.#cache.get(key);
    if (cached && this.#options.now() < cached.expiresAt) {
      this.#logger.debug({ route: routeName(route), characterId: info.characterId?.toString(), fromCache: true }, 'esi cache hit');
      return adapt({ ...cached, fromCache: true }, route.schema, info, 200);
    }

    const deadline = budget?.deadline ?? performance.now() + this.#options.defaultBudgetMs;
    const shared = this.#inflight.get(key);
    if (shared) {
      // Joining a request in flight: it may retry or wait longer than this caller may.
      const outcome = deadline < shared.deadline ? await raceDeadline(shared.promise, deadline, info) : await shared.promise;
      return adapt(outcome, route.schema, info, 200);
    }
    const promise = this.#execute(route, key, info, deadline).finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, { promise, deadline });
    return adapt(await promise, route.schema, info, 200);
  }

  /** What ESI last said about the limits (for health output and logs). */
  limits(): EsiLimitsSnapshot {
    const rateLimits: EsiLimitsSnapshot['rateLimits'] = {};
    for (const [bucket, value] of this.#rateLimits.entries()) rateLimits[bucket] = { ...value };
    return {
      ...(this.#errorLimit ? { errorLimit: { ...this.#errorLimit } } : {}),
      errorLimitBlockedUntil: this.#errorBlockedUntil > performance.now() ? this.#errorBlockedUntil : 0,
      rateLimits,
    };
  }

  /** Aborts requests in flight and waits, then closes the connections. Safe to call twice. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      this.#closing.abort();
      await this.#agent.destroy();
      this.#cache.clear();
    })();
    return this.#closed;
  }

  async #execute(route: EsiRequest<unknown>, key: string, info: EsiRouteInfo, deadline: number): Promise<Outcome> {
    let transientRetries = 0;
    let rateLimitRetried = false;
    let attempts = 0;
    const charId = route.auth?.characterId.toString();
    const name = routeName(route);

    for (;;) {
      if (this.#closing.signal.aborted) throw new EsiUnavailableError(info, 'closed');
      await this.#passGates(route, info, deadline);
      const left = deadline - performance.now();
      if (left <= 0) throw new EsiUnavailableError(info, 'deadline', undefined, { attempts });

      const conditional = this.#cache.peek(key);
      attempts += 1;
      const started = performance.now();
      let response: RawResponse;
      try {
        response = await this.#send(route, conditional?.etag, Math.min(this.#options.timeoutMs, left));
      } catch (error) {
        if (this.#closing.signal.aborted) throw new EsiUnavailableError(info, 'closed', undefined, { cause: error });
        const reason = isTimeout(error) ? 'timeout' : 'network';
        this.#logger.warn({ route: name, characterId: charId, attempt: attempts, reason, durationMs: ms(started) }, 'esi request failed');
        await this.#backoff(transientRetries++, deadline, () => new EsiUnavailableError(info, reason, undefined, { cause: error, attempts }));
        continue;
      }

      const { status, headers } = response;
      const durationMs = ms(started);
      this.#noteLimits(route, headers);
      const logFields = { route: name, characterId: charId, status, durationMs, attempt: attempts };

      if (status >= 200 && status < 300) {
        this.#logger.debug(logFields, 'esi request');
        return this.#accept(route, key, info, response);
      }
      if (status === 304) {
        this.#logger.debug({ ...logFields, fromCache: true }, 'esi request');
        if (!conditional) throw new EsiMalformedResponseError(info, 304, ['304 Not Modified without a cached body']);
        const fresh = freshness(headers, this.#options.now());
        const refreshed: CacheEntry = { ...conditional, etag: fresh.etag ?? conditional.etag, expiresAt: this.#options.now() + fresh.lifetimeMs };
        if (fresh.noStore) this.#cache.delete(key);
        else this.#cache.set(key, refreshed);
        return { raw: conditional.raw, data: conditional.data, schema: conditional.schema, pages: conditional.pages, fromCache: true };
      }
      if (status === 429) {
        const seconds = retryAfterSeconds(headers, Date.now()) ?? DEFAULT_RETRY_AFTER_SECONDS;
        const waitMs = seconds * 1000;
        this.#pruneGates();
        for (const gate of this.#gateKeys(route, headers)) this.#rateGates.set(gate, Math.max(this.#rateGates.get(gate) ?? 0, performance.now() + waitMs));
        const fits = performance.now() + waitMs < deadline;
        this.#logger.warn({ ...logFields, retryAfterSeconds: seconds, willRetry: !rateLimitRetried && fits }, 'esi rate limited');
        if (!rateLimitRetried && fits) {
          rateLimitRetried = true;
          await this.#sleep(waitMs, info);
          continue;
        }
        throw new EsiBusyError(info, seconds, 'rate-limit');
      }
      if (status === 420) {
        const seconds = retryAfterSeconds(headers, Date.now()) ?? errorLimitHeaders(headers)?.resetSeconds ?? DEFAULT_ERROR_LIMIT_RESET_SECONDS;
        this.#blockForErrorLimit(Math.max(1, seconds));
        this.#logger.warn({ ...logFields, retryAfterSeconds: seconds }, 'esi error limited');
        throw new EsiBusyError(info, Math.max(1, seconds), 'error-limit');
      }
      if (RETRYABLE_STATUS.has(status)) {
        this.#logger.warn(logFields, 'esi unavailable');
        await this.#backoff(transientRetries++, deadline, () => new EsiUnavailableError(info, 'status', status, { attempts }));
        continue;
      }

      const esiMessage = errorText(response.text);
      this.#logger.warn({ ...logFields, esiError: esiMessage }, 'esi error');
      if (status >= 500) throw new EsiUnavailableError(info, 'status', status, { attempts });
      if (status === 401 || status === 403) {
        if (route.auth && this.#options.onAuthFailure) {
          await this.#options.onAuthFailure(route.auth.characterId, status, route.auth.scope);
        }
        throw new EsiForbiddenError(info, status, route.auth?.scope, esiMessage);
      }
      if (status === 404) throw new EsiNotFoundError(info, esiMessage);
      throw new EsiRequestError(info, status, esiMessage);
    }
  }

  /** Refuses at once while the error limit is low; waits out a 429's Retry-After when it fits the deadline. */
  async #passGates(route: EsiRequest<unknown>, info: EsiRouteInfo, deadline: number): Promise<void> {
    const now = performance.now();
    if (now < this.#errorBlockedUntil) {
      throw new EsiBusyError(info, Math.ceil((this.#errorBlockedUntil - now) / 1000), 'error-limit', true);
    }
    let until = 0;
    for (const gate of this.#gateKeys(route)) {
      const end = this.#rateGates.get(gate);
      if (end === undefined) continue;
      if (end <= now) this.#rateGates.delete(gate);
      else until = Math.max(until, end);
    }
    if (until === 0) return;
    if (until >= deadline) throw new EsiBusyError(info, Math.ceil((until - now) / 1000), 'rate-limit', true);
    await this.#sleep(until - now, info);
  }

  /** the rate-limit gates a request falls under: its group (when known) and its path, per character */
  #gateKeys(route: EsiRequest<unknown>, headers?: ResponseHeaders): string[] {
    const who = route.auth?.characterId.toString() ?? 'app';
    const group =
      (headers && rateLimitHeaders(headers)?.group) ?? findRoute(route.method, route.path)?.rateLimitGroup ?? this.#routeGroups.peek(routeName(route));
    const keys = [`path:${routeName(route)}|${who}`];
    if (group) keys.push(`${group}|${who}`);
    return keys;
  }

  #pruneGates(): void {
    if (this.#rateGates.size < 1000) return;
    const now = performance.now();
    for (const [gate, end] of this.#rateGates) if (end <= now) this.#rateGates.delete(gate);
  }

  #noteLimits(route: EsiRequest<unknown>, headers: ResponseHeaders): void {
    const rate = rateLimitHeaders(headers);
    if (rate) {
      this.#routeGroups.set(routeName(route), rate.group);
      const bucket = `${rate.group}|${route.auth?.characterId.toString() ?? 'app'}`;
      this.#rateLimits.set(bucket, { group: rate.group, ...(rate.limit === undefined ? {} : { limit: rate.limit }), ...(rate.remaining === undefined ? {} : { remaining: rate.remaining }), ...(rate.used === undefined ? {} : { used: rate.used }) });
      const max = limitTokens(rate.limit);
      if (max !== undefined && rate.remaining !== undefined && rate.remaining < max * 0.1) {
        this.#logger.warn({ route: routeName(route), characterId: route.auth?.characterId.toString(), group: rate.group, remaining: rate.remaining, limit: rate.limit }, 'esi rate limit nearly spent');
      }
    }
    const errors = errorLimitHeaders(headers);
    if (errors) {
      const resetSeconds = errors.resetSeconds ?? DEFAULT_ERROR_LIMIT_RESET_SECONDS;
      this.#errorLimit = { remain: errors.remain, resetAt: performance.now() + resetSeconds * 1000 };
      if (errors.remain < this.#options.errorLimitThreshold) {
        this.#blockForErrorLimit(Math.max(1, resetSeconds));
        this.#logger.warn({ route: routeName(route), remain: errors.remain, resetSeconds }, 'esi error limit low: pausing calls until the reset');
      }
    }
  }

  #blockForErrorLimit(seconds: number): void {
    this.#errorBlockedUntil = Math.max(this.#errorBlockedUntil, performance.now() + seconds * 1000);
  }

  #accept(route: EsiRequest<unknown>, key: string, info: EsiRouteInfo, response: RawResponse): Outcome {
    let raw: unknown;
    try {
      raw = JSON.parse(response.text);
    } catch (error) {
      this.#logger.warn({ route: routeName(route), characterId: info.characterId?.toString(), status: response.status }, 'esi body is not JSON');
      throw new EsiMalformedResponseError(info, response.status, ['body is not JSON'], { cause: error });
    }
    const parsed = route.schema.safeParse(raw);
    if (!parsed.success) {
      const issues = describeIssues(parsed.error);
      this.#logger.warn({ route: routeName(route), characterId: info.characterId?.toString(), status: response.status, issues: issues.slice(0, 10) }, 'esi body does not match its schema');
      throw new EsiMalformedResponseError(info, response.status, issues);
    }
    const pages = intHeader(response.headers, 'x-pages');
    const now = this.#options.now();
    const fresh = freshness(response.headers, now);
    if (!fresh.noStore && (fresh.lifetimeMs > 0 || fresh.etag !== undefined)) {
      this.#cache.set(key, { raw, data: parsed.data, schema: route.schema, etag: fresh.etag, expiresAt: now + fresh.lifetimeMs, pages });
    } else {
      this.#cache.delete(key);
    }
    return { raw, data: parsed.data, schema: route.schema, pages, fromCache: false };
  }

  async #send(route: EsiRequest<unknown>, etag: string | undefined, timeoutMs: number): Promise<RawResponse> {
    const headers: Record<string, string> = {
      'User-Agent': this.#options.userAgent,
      'X-Compatibility-Date': ESI_COMPATIBILITY_DATE,
      Accept: 'application/json',
    };
    if (route.auth) headers.Authorization = `Bearer ${route.auth.accessToken}`;
    if (etag) headers['If-None-Match'] = etag;
    let body: string | undefined;
    if (route.body !== undefined) {
      body = jsonBody(route.body);
      headers['Content-Type'] = 'application/json';
    }
    const query = queryString(route.query);
    // One controller per attempt: aborted by its own timer or by close(); both
    // are undone afterwards, so nothing outlives the attempt.
    const attempt = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      attempt.abort();
    }, Math.max(1, Math.ceil(timeoutMs)));
    const onClose = () => attempt.abort();
    this.#closing.signal.addEventListener('abort', onClose, { once: true });
    const options: Dispatcher.RequestOptions = {
      origin: this.#origin,
      path: `${this.#prefix}${route.path}${query ? `?${query}` : ''}`,
      method: route.method,
      headers,
      signal: attempt.signal,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      ...(body === undefined ? {} : { body }),
    };
    try {
      const res = await this.#agent.request(options);
      const length = Number(header(res.headers, 'content-length') ?? 0);
      if (length > MAX_BODY_BYTES) {
        await res.body.dump();
        throw new Error(`ESI body of ${length} bytes is too large`);
      }
      const text = await res.body.text();
      return { status: res.statusCode, headers: res.headers, text };
    } catch (error) {
      if (timedOut && !this.#closing.signal.aborted) throw new TimeoutError(timeoutMs, error);
      throw error;
    } finally {
      clearTimeout(timer);
      this.#closing.signal.removeEventListener('abort', onClose);
    }
  }

  /** waits before retry `index` (0, 1) of a transient failure, or throws when no retry is left or it would pass the deadline */
  async #backoff(index: number, deadline: number, failure: () => Error): Promise<void> {
    if (index >= MAX_TRANSIENT_RETRIES) throw failure();
    const base = 200 * 2 ** index; // 200–400 ms, then 400–800 ms
    const wait = base + Math.random() * base;
    if (performance.now() + wait >= deadline) throw failure();
    await this.#sleep(wait, undefined);
  }

  async #sleep(waitMs: number, info: EsiRouteInfo | undefined): Promise<void> {
    try {
      await sleep(waitMs, undefined, { signal: this.#closing.signal });
    } catch (error) {
      throw new EsiUnavailableError(info ?? { method: '?', path: '?' }, 'closed', undefined, { cause: error });
    }
  }
}

class TimeoutError extends Error {
  constructor(timeoutMs: number, cause: unknown) {
    super(`no complete answer within ${Math.round(timeoutMs)} ms`, { cause });
    this.name = 'TimeoutError';
  }
}

function isTimeout(error: unknown): boolean {
  if (error instanceof TimeoutError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT';
}

/** the outcome, or EsiUnavailableError('deadline') when the caller's deadline comes first */
function raceDeadline(promise: Promise<Outcome>, deadline: number, info: EsiRouteInfo): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new EsiUnavailableError(info, 'deadline')), Math.max(0, deadline - performance.now()));
    promise.then(
      (outcome) => {
        clearTimeout(timer);
        resolve(outcome);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error as Error);
      },
    );
  });
}

function adapt<T>(outcome: Outcome, schema: z.ZodType<T>, info: EsiRouteInfo, status: number): EsiResult<T> {
  let data: T;
  if (outcome.schema === schema) data = outcome.data as T;
  else {
    // Same request, another schema (rare): validate the stored body with the caller's.
    const parsed = schema.safeParse(outcome.raw);
    if (!parsed.success) throw new EsiMalformedResponseError(info, status, describeIssues(parsed.error));
    data = parsed.data;
  }
  return { data, fromCache: outcome.fromCache, ...(outcome.pages === undefined ? {} : { pages: outcome.pages }) };
}

/** method + path + sorted query + POST body + character: never shared across characters, never keyed on a token */
function cacheKey(route: EsiRequest<unknown>): string {
  const body = route.method === 'POST' && route.body !== undefined ? jsonBody(route.body) : '';
  const who = route.auth ? `character:${route.auth.characterId.toString()}` : 'public';
  return `${route.method} ${route.path}?${queryString(route.query)} ${body} ${who}`;
}

function queryString(query: Record<string, string | number> | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const name of Object.keys(query).sort()) params.append(name, String(query[name]));
  return params.toString();
}

/** JSON with bigints written as numbers (EVE ids fit in a double) */
function jsonBody(body: unknown): string {
  return JSON.stringify(body, (_key, value: unknown) => {
    if (typeof value !== 'bigint') return value;
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) throw new RangeError('id out of the safe integer range');
    return Number(value);
  });
}

function routeName(route: Pick<EsiRequest<unknown>, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

function ms(started: number): number {
  return Math.round(performance.now() - started);
}

/** ESI's `{error}` text, for logs only */
function errorText(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { error?: unknown };
    if (typeof body?.error === 'string') return body.error.slice(0, 300);
  } catch {
    // not JSON: fall through
  }
  const trimmed = text.trim();
  return trimmed ? trimmed.slice(0, 300) : undefined;
}

/** zod issues as 'path: message', without the values */
function describeIssues(error: z.ZodError): string[] {
  return error.issues.slice(0, 20).map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(body)'}: ${issue.code}`);
}
