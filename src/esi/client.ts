/**
 * The one way the bot talks to ESI. This file only orchestrates: a fresh
 * cached answer is served at once, identical requests in flight are merged,
 * and each attempt passes the limits, goes out through the transport, and its
 * answer is turned into data or a typed error. How each of those works lives
 * beside it: transport.ts (the wire), responseCache.ts (ETags and expiry),
 * limits.ts (429 gates, the error limit), errorAllowance.ts (error answers
 * per scope), notFoundCache.ts (remembered 404s), retryPolicy.ts (what is
 * retried).
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { z } from 'zod';
import type { Logger } from '../log.ts';
import { describeIssues, errorText, parseJson } from './bodies.ts';
import {
  EsiBusyError,
  EsiForbiddenError,
  EsiMalformedResponseError,
  EsiNotFoundError,
  EsiRequestError,
  EsiUnavailableError,
  type EsiRouteInfo,
} from './errors.ts';
import { errorLimitHeaders, intHeader, retryAfterSeconds } from './headers.ts';
import { ErrorAllowances, type AllowanceSlot } from './errorAllowance.ts';
import { DEFAULT_ERROR_LIMIT_RESET_SECONDS, EsiLimits } from './limits.ts';
import { NotFoundCache } from './notFoundCache.ts';
import { ResponseCache, type CachedAnswer } from './responseCache.ts';
import { DEFAULT_RETRY_AFTER_SECONDS, RetryPolicy } from './retryPolicy.ts';
import { SpecDiagnostics } from './specDiagnostics.ts';
import { ESI_COMPATIBILITY_DATE, TransportError, UndiciTransport, type EsiTransport, type TransportResponse } from './transport.ts';
import type { EsiBudget, EsiLimitsSnapshot, EsiRequest, EsiResult } from './types.ts';
import { jsonBody, queryString, requestKey, routeName } from './wire.ts';

export { ESI_COMPATIBILITY_DATE } from './transport.ts';
export type { EsiAuth, EsiBudget, EsiLimitsSnapshot, EsiRequest, EsiResult } from './types.ts';

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
  /** wall clock (ms) that cache expiry and `receivedAt` are measured on; default Date.now (tests move it) */
  now?: () => number;
  /** how requests leave the process; default an undici transport built from baseUrl, userAgent and timeoutMs */
  transport?: EsiTransport;
  /**
   * Requests with an `errorScope`: each scope may get `allowance` error
   * answers (4xx and 5xx, not 420/429) per `windowMs` (default 5 per 60000),
   * and they are refused while X-ESI-Error-Limit-Remain is below
   * `errorLimitThreshold` (default 50; unscoped requests stop at the
   * top-level errorLimitThreshold).
   */
  scopedErrors?: { allowance?: number; windowMs?: number; errorLimitThreshold?: number };
  /** how long a 404 of a public GET is remembered (asking again throws at once); default 3600000, 0 turns it off */
  notFoundTtlMs?: number;
  /** LRU cap of remembered 404s, default 10000 */
  notFoundMaxEntries?: number;
  /** told about every request sent and every read's cache result (metrics) */
  observer?: EsiObserver;
}

export interface EsiObserver {
  /** one attempt sent to ESI: its path and status, or 'error' when no answer came */
  request(path: string, status: number | 'error'): void;
  /** how a read was served: a fresh copy, a 304, a request already in flight, or a new body */
  cache(result: 'hit' | 'revalidated' | 'shared' | 'miss'): void;
}

type GrantedSlot = Extract<AllowanceSlot, { granted: true }>;

/**
 * An answer that spends ESI's error budget and so the scope's allowance. 420
 * and 429 are the limiters' own refusals: the shared gates handle them, and
 * charging them to a scope would lock a guild out for the whole bot's load.
 */
function isErrorAnswer(status: number): boolean {
  return status >= 400 && status !== 420 && status !== 429;
}

/** a settled request, as shared by everyone who asked for it */
interface Outcome extends CachedAnswer {
  fromCache: boolean;
}

export class EsiClient {
  readonly #logger: Logger;
  readonly #transport: EsiTransport;
  readonly #cache: ResponseCache;
  readonly #limits: EsiLimits;
  readonly #allowances: ErrorAllowances;
  readonly #notFound: NotFoundCache;
  readonly #spec: SpecDiagnostics;
  readonly #retries = new RetryPolicy();
  readonly #timeoutMs: number;
  readonly #defaultBudgetMs: number;
  readonly #onAuthFailure: EsiClientOptions['onAuthFailure'];
  readonly #observer: EsiObserver | undefined;
  readonly #inflight = new Map<string, { promise: Promise<Outcome>; deadline: number }>();
  readonly #closing = new AbortController();
  #closed: Promise<void> | undefined;

  constructor(options: EsiClientOptions) {
    this.#logger = options.logger;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#defaultBudgetMs = options.defaultBudgetMs ?? 30_000;
    this.#onAuthFailure = options.onAuthFailure;
    this.#observer = options.observer;
    this.#transport = options.transport ?? new UndiciTransport({ baseUrl: options.baseUrl, userAgent: options.userAgent, timeoutMs: this.#timeoutMs });
    const now = options.now ?? Date.now;
    this.#cache = new ResponseCache(options.cacheMaxEntries ?? 5000, now);
    this.#limits = new EsiLimits({
      logger: this.#logger,
      errorLimitThreshold: options.errorLimitThreshold ?? 10,
      scopedErrorLimitThreshold: options.scopedErrors?.errorLimitThreshold ?? 50,
    });
    this.#allowances = new ErrorAllowances({ allowance: options.scopedErrors?.allowance ?? 5, windowMs: options.scopedErrors?.windowMs ?? 60_000, now });
    this.#spec = new SpecDiagnostics(this.#logger, ESI_COMPATIBILITY_DATE);
    this.#notFound = new NotFoundCache({ maxEntries: options.notFoundMaxEntries ?? 10_000, ttlMs: options.notFoundTtlMs ?? 3_600_000, now });
  }

  /** GET/POST a path, validate the JSON body with the schema; cache, merging and limits applied. */
  async request<T>(route: EsiRequest<T>, budget?: EsiBudget): Promise<EsiResult<T>> {
    const info: EsiRouteInfo = { method: route.method, path: route.path, ...(route.auth ? { characterId: route.auth.characterId } : {}) };
    if (this.#closing.signal.aborted) throw new EsiUnavailableError(info, 'closed');
    if (!route.path.startsWith('/') || route.path.startsWith('/latest/') || (route.path.length > 1 && route.path.endsWith('/'))) {
      throw new RangeError(`ESI paths start with / and have no /latest prefix or trailing slash: ${route.path}`);
    }
    const key = requestKey(route);

    const cached = this.#cache.fresh(key);
    if (cached) {
      this.#logger.debug({ route: routeName(route), characterId: info.characterId?.toString(), fromCache: true }, 'esi cache hit');
      this.#observer?.cache('hit');
      return adapt({ ...cached, fromCache: true }, route.schema, info);
    }
    const notFound = this.#notFound.get(key);
    if (notFound) {
      this.#logger.debug({ route: routeName(route), errorScope: route.errorScope }, 'esi 404 remembered');
      throw new EsiNotFoundError(info, notFound.esiMessage, true);
    }

    const deadline = budget?.deadline ?? performance.now() + this.#defaultBudgetMs;
    // Merged only within one error scope: a scope's refusal must not reach a caller outside it.
    const flightKey = route.errorScope === undefined ? key : `${key}|scope:${route.errorScope}`;
    const shared = this.#inflight.get(flightKey);
    if (shared) {
      // Joining a request in flight: it may retry or wait longer than this caller may.
      this.#observer?.cache('shared');
      const outcome = deadline < shared.deadline ? await raceDeadline(shared.promise, deadline, info) : await shared.promise;
      return adapt(outcome, route.schema, info);
    }
    const promise = this.#execute(route, key, info, deadline).finally(() => this.#inflight.delete(flightKey));
    this.#inflight.set(flightKey, { promise, deadline });
    return adapt(await promise, route.schema, info);
  }

  /** What ESI last said about the limits (for health output and logs). */
  limits(): EsiLimitsSnapshot {
    return this.#limits.snapshot();
  }

  /** Aborts requests in flight and waits, then closes the connections. Safe to call twice. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      this.#closing.abort();
      await this.#transport.close();
      this.#cache.clear();
      this.#notFound.clear();
    })();
    return this.#closed;
  }

  /** The attempt loop: one request, retried as the retry policy allows, until an answer or a typed error. */
  async #execute(route: EsiRequest<unknown>, key: string, info: EsiRouteInfo, deadline: number): Promise<Outcome> {
    let transientRetries = 0;
    let rateLimitWaited = false;
    let attempts = 0;
    const charId = route.auth?.characterId.toString();
    const name = routeName(route);
    const backoff = async (failure: () => Error) => {
      const wait = this.#retries.transientDelay(transientRetries++, deadline);
      if (wait === undefined) throw failure();
      await this.#sleep(wait, info);
    };

    for (;;) {
      if (this.#closing.signal.aborted) throw new EsiUnavailableError(info, 'closed');
      await this.#passGates(route, info, deadline);
      const slot = await this.#errorSlot(route, info, deadline);
      const left = deadline - performance.now();
      if (left <= 0) {
        slot?.release(false);
        throw new EsiUnavailableError(info, 'deadline', undefined, { attempts });
      }

      const conditional = this.#cache.stored(key);
      attempts += 1;
      const started = performance.now();
      let response: TransportResponse;
      try {
        response = await this.#send(route, conditional?.etag, Math.min(this.#timeoutMs, left), slot);
      } catch (error) {
        if (this.#closing.signal.aborted) throw new EsiUnavailableError(info, 'closed', undefined, { cause: error });
        const reason = error instanceof TransportError && error.kind === 'timeout' ? 'timeout' : 'network';
        this.#observer?.request(route.path, 'error');
        this.#logger.warn({ route: name, characterId: charId, attempt: attempts, reason, durationMs: ms(started) }, 'esi request failed');
        await backoff(() => new EsiUnavailableError(info, reason, undefined, { cause: error, attempts }));
        continue;
      }

      const { status, headers } = response;
      this.#limits.note(route, headers);
      this.#observer?.request(route.path, status);
      const logFields = { route: name, characterId: charId, status, durationMs: ms(started), attempt: attempts };

      if (status >= 200 && status < 300) {
        this.#logger.debug(logFields, 'esi request');
        this.#observer?.cache('miss');
        return this.#accept(route, key, info, response);
      }
      if (status === 304) {
        this.#logger.debug({ ...logFields, fromCache: true }, 'esi request');
        if (!conditional) throw new EsiMalformedResponseError(info, 304, ['304 Not Modified without a cached body']);
        this.#observer?.cache('revalidated');
        return { ...this.#cache.revalidated(key, conditional, headers), fromCache: true };
      }
      if (status === 429) {
        const seconds = retryAfterSeconds(headers, Date.now()) ?? DEFAULT_RETRY_AFTER_SECONDS;
        const waitMs = seconds * 1000;
        this.#limits.rateLimited(route, headers, waitMs);
        const willRetry = this.#retries.waitsOutRateLimit(rateLimitWaited, waitMs, deadline);
        this.#logger.warn({ ...logFields, retryAfterSeconds: seconds, willRetry }, 'esi rate limited');
        if (!willRetry) throw new EsiBusyError(info, seconds, 'rate-limit');
        rateLimitWaited = true;
        await this.#sleep(waitMs, info);
        continue;
      }
      if (status === 420) {
        const seconds = Math.max(1, retryAfterSeconds(headers, Date.now()) ?? errorLimitHeaders(headers)?.resetSeconds ?? DEFAULT_ERROR_LIMIT_RESET_SECONDS);
        this.#limits.errorLimited(seconds);
        this.#logger.warn({ ...logFields, retryAfterSeconds: seconds }, 'esi error limited');
        throw new EsiBusyError(info, seconds, 'error-limit');
      }
      if (this.#retries.isTransientStatus(status)) {
        this.#logger.warn(logFields, 'esi unavailable');
        await backoff(() => new EsiUnavailableError(info, 'status', status, { attempts }));
        continue;
      }

      const esiMessage = errorText(response.text);
      this.#logger.warn({ ...logFields, esiError: esiMessage }, 'esi error');
      if (status >= 500) throw new EsiUnavailableError(info, 'status', status, { attempts });
      if (status === 401 || status === 403) {
        if (route.auth && this.#onAuthFailure) await this.#onAuthFailure(route.auth.characterId, status, route.auth.scope);
        throw new EsiForbiddenError(info, status, route.auth?.scope, esiMessage);
      }
      if (status === 404) {
        if (route.method === 'GET' && !route.auth) {
          this.#notFound.remember(key, esiMessage);
          this.#cache.delete(key);
        }
        throw new EsiNotFoundError(info, esiMessage);
      }
      throw new EsiRequestError(info, status, esiMessage);
    }
  }

  /** One attempt through the transport; the scope's slot (if any) is given back with whether ESI answered with an error. */
  async #send(route: EsiRequest<unknown>, etag: string | undefined, timeoutMs: number, slot: GrantedSlot | undefined): Promise<TransportResponse> {
    let errorAnswer = false;
    try {
      const response = await this.#transport.send(
        {
          method: route.method,
          path: route.path,
          query: queryString(route.query),
          ...(route.body === undefined ? {} : { body: jsonBody(route.body) }),
          ...(route.auth ? { accessToken: route.auth.accessToken } : {}),
          ...(etag ? { etag } : {}),
          timeoutMs,
        },
        this.#closing.signal,
      );
      errorAnswer = isErrorAnswer(response.status);
      return response;
    } finally {
      slot?.release(errorAnswer);
    }
  }

  /** a slot of the request's error scope, or the refusal: its allowance is spent, or no slot came free in time */
  async #errorSlot(route: EsiRequest<unknown>, info: EsiRouteInfo, deadline: number): Promise<GrantedSlot | undefined> {
    if (route.errorScope === undefined) return undefined;
    const slot = await this.#allowances.acquire(route.errorScope, deadline, this.#closing.signal);
    if (slot.granted) return slot;
    if (slot.reason === 'aborted') throw new EsiUnavailableError(info, 'closed');
    if (slot.reason === 'deadline') throw new EsiUnavailableError(info, 'deadline');
    this.#logger.warn({ route: routeName(route), errorScope: route.errorScope, retryAfterSeconds: slot.retryAfterSeconds }, 'esi error allowance of scope spent: refused without a request');
    throw new EsiBusyError(info, slot.retryAfterSeconds, 'error-allowance', true);
  }

  /** Refuses at once while the error limit is low; waits out a 429's Retry-After when it fits the deadline. */
  async #passGates(route: EsiRequest<unknown>, info: EsiRouteInfo, deadline: number): Promise<void> {
    const errorWait = this.#limits.errorLimitWait(route.errorScope !== undefined);
    if (errorWait !== undefined) throw new EsiBusyError(info, errorWait, 'error-limit', true);
    const until = this.#limits.rateGateUntil(route);
    if (until === 0) return;
    const now = performance.now();
    if (until >= deadline) throw new EsiBusyError(info, Math.ceil((until - now) / 1000), 'rate-limit', true);
    await this.#sleep(until - now, info);
  }

  /** A 2xx: parse, validate with what the caller reads (the spec is only checked for a warning), cache as its headers allow. */
  #accept(route: EsiRequest<unknown>, key: string, info: EsiRouteInfo, response: TransportResponse): Outcome {
    const logFields = { route: routeName(route), characterId: info.characterId?.toString(), status: response.status };
    const json = parseJson(response.text);
    if (!json.ok) {
      this.#logger.warn(logFields, 'esi body is not JSON');
      throw new EsiMalformedResponseError(info, response.status, ['body is not JSON'], { cause: json.error });
    }
    const parsed = route.schema.safeParse(json.value);
    if (!parsed.success) {
      const issues = describeIssues(parsed.error);
      this.#logger.warn({ ...logFields, issues: issues.slice(0, 10) }, 'esi body does not match its schema');
      throw new EsiMalformedResponseError(info, response.status, issues);
    }
    this.#spec.check(route.method, route.path, json.value);
    const answer = { raw: json.value, data: parsed.data, schema: route.schema, pages: intHeader(response.headers, 'x-pages') };
    return { ...this.#cache.store(key, answer, response.headers), fromCache: false };
  }

  async #sleep(waitMs: number, info: EsiRouteInfo): Promise<void> {
    try {
      await sleep(waitMs, undefined, { signal: this.#closing.signal });
    } catch (error) {
      throw new EsiUnavailableError(info, 'closed', undefined, { cause: error });
    }
  }
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

/** the caller's view of an outcome: its data as the caller's schema reads it */
function adapt<T>(outcome: Outcome, schema: z.ZodType<T>, info: EsiRouteInfo): EsiResult<T> {
  let data: T;
  if (outcome.schema === schema) data = outcome.data as T;
  else {
    // Same request, another schema (rare): validate the stored body with the caller's.
    const parsed = schema.safeParse(outcome.raw);
    if (!parsed.success) throw new EsiMalformedResponseError(info, 200, describeIssues(parsed.error));
    data = parsed.data;
  }
  return { data, fromCache: outcome.fromCache, receivedAt: outcome.receivedAt, ...(outcome.pages === undefined ? {} : { pages: outcome.pages }) };
}

function ms(started: number): number {
  return Math.round(performance.now() - started);
}
