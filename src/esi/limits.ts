/**
 * What ESI said about its limits, and the gates that follow from it:
 * - a 429's Retry-After closes the request's rate-limit group (and its path)
 *   for that character until then;
 * - a low X-ESI-Error-Limit-Remain, or a 420, stops every avoidable call until
 *   the error window resets: past the limit ESI answers 420 to everything the
 *   bot asks, for every user;
 * - error-prone (scoped) requests stop at a higher remainder, so they can
 *   never push the shared budget down to where normal commands are refused.
 * Times are performance.now() ms: these gates are waited out, not compared
 * with ESI's dates.
 */
import type { Logger } from '../log.ts';
import { errorLimitHeaders, limitTokens, rateLimitHeaders, type ResponseHeaders } from './headers.ts';
import { LruCache } from './lru.ts';
import { findRoute } from './schemas.ts';
import type { EsiLimitsSnapshot, EsiRequest } from './types.ts';
import { routeName } from './wire.ts';

/** when an answer sends X-ESI-Error-Limit-Remain without -Reset, or a 420 neither Retry-After nor -Reset */
export const DEFAULT_ERROR_LIMIT_RESET_SECONDS = 60;

type RouteShape = Pick<EsiRequest<unknown>, 'method' | 'path' | 'auth'>;
type RateLimitState = EsiLimitsSnapshot['rateLimits'][string];

export interface EsiLimitsOptions {
  logger: Logger;
  /** X-ESI-Error-Limit-Remain below this stops avoidable calls until the reset */
  errorLimitThreshold: number;
  /** X-ESI-Error-Limit-Remain below this stops scoped (error-prone) calls until the reset; above errorLimitThreshold */
  scopedErrorLimitThreshold: number;
}

export class EsiLimits {
  readonly #logger: Logger;
  readonly #errorLimitThreshold: number;
  readonly #scopedErrorLimitThreshold: number;
  /** rate-limit group learned per `METHOD path` from X-Ratelimit-Group */
  readonly #routeGroups = new LruCache<string, string>(10_000);
  /** `group|character` or `path:METHOD path|character` -> performance.now() ms until which a 429 told us to wait */
  readonly #rateGates = new Map<string, number>();
  readonly #rateLimits = new LruCache<string, RateLimitState>(1000);
  #errorLimit: { remain: number; resetAt: number } | undefined;
  #errorBlockedUntil = 0;

  constructor(options: EsiLimitsOptions) {
    this.#logger = options.logger;
    this.#errorLimitThreshold = options.errorLimitThreshold;
    this.#scopedErrorLimitThreshold = options.scopedErrorLimitThreshold;
  }

  /**
   * Seconds until a call may go out again because of the error limit, or
   * undefined when it may now. `scoped` calls also wait while the last
   * remainder ESI reported is below the scoped threshold and its window runs.
   */
  errorLimitWait(scoped = false): number | undefined {
    const now = performance.now();
    if (now < this.#errorBlockedUntil) return Math.ceil((this.#errorBlockedUntil - now) / 1000);
    const last = this.#errorLimit;
    if (scoped && last && now < last.resetAt && last.remain < this.#scopedErrorLimitThreshold) return Math.max(1, Math.ceil((last.resetAt - now) / 1000));
    return undefined;
  }

  /** performance.now() ms until which a 429 closed one of the request's gates; 0 when all are open */
  rateGateUntil(route: RouteShape): number {
    const now = performance.now();
    let until = 0;
    for (const gate of this.#gateKeys(route)) {
      const end = this.#rateGates.get(gate);
      if (end === undefined) continue;
      if (end <= now) this.#rateGates.delete(gate);
      else until = Math.max(until, end);
    }
    return until;
  }

  /** Reads X-Ratelimit-* and X-ESI-Error-Limit-* of any answer; a low error budget blocks calls until its reset. */
  note(route: RouteShape, headers: ResponseHeaders): void {
    const rate = rateLimitHeaders(headers);
    if (rate) {
      this.#routeGroups.set(routeName(route), rate.group);
      const bucket = `${rate.group}|${route.auth?.characterId.toString() ?? 'app'}`;
      this.#rateLimits.set(bucket, {
        group: rate.group,
        ...(rate.limit === undefined ? {} : { limit: rate.limit }),
        ...(rate.remaining === undefined ? {} : { remaining: rate.remaining }),
        ...(rate.used === undefined ? {} : { used: rate.used }),
      });
      const max = limitTokens(rate.limit);
      if (max !== undefined && rate.remaining !== undefined && rate.remaining < max * 0.1) {
        this.#logger.warn(
          { route: routeName(route), characterId: route.auth?.characterId.toString(), group: rate.group, remaining: rate.remaining, limit: rate.limit },
          'esi rate limit nearly spent',
        );
      }
    }
    const errors = errorLimitHeaders(headers);
    if (errors) {
      const resetSeconds = errors.resetSeconds ?? DEFAULT_ERROR_LIMIT_RESET_SECONDS;
      this.#errorLimit = { remain: errors.remain, resetAt: performance.now() + resetSeconds * 1000 };
      if (errors.remain < this.#errorLimitThreshold) {
        this.#blockForErrorLimit(Math.max(1, resetSeconds));
        this.#logger.warn({ route: routeName(route), remain: errors.remain, resetSeconds }, 'esi error limit low: pausing calls until the reset');
      }
    }
  }

  /** A 429: the request's gates stay closed for `waitMs`. */
  rateLimited(route: RouteShape, headers: ResponseHeaders, waitMs: number): void {
    this.#pruneGates();
    const until = performance.now() + waitMs;
    for (const gate of this.#gateKeys(route, headers)) this.#rateGates.set(gate, Math.max(this.#rateGates.get(gate) ?? 0, until));
  }

  /** A 420: nothing goes out for `seconds`. */
  errorLimited(seconds: number): void {
    this.#blockForErrorLimit(seconds);
  }

  snapshot(): EsiLimitsSnapshot {
    const rateLimits: EsiLimitsSnapshot['rateLimits'] = {};
    for (const [bucket, value] of this.#rateLimits.entries()) rateLimits[bucket] = { ...value };
    return {
      ...(this.#errorLimit ? { errorLimit: { ...this.#errorLimit } } : {}),
      errorLimitBlockedUntil: this.#errorBlockedUntil > performance.now() ? this.#errorBlockedUntil : 0,
      rateLimits,
    };
  }

  /** the rate-limit gates a request falls under: its group (when known) and its path, per character */
  #gateKeys(route: RouteShape, headers?: ResponseHeaders): string[] {
    const who = route.auth?.characterId.toString() ?? 'app';
    const name = routeName(route);
    const group = (headers && rateLimitHeaders(headers)?.group) ?? findRoute(route.method, route.path)?.rateLimitGroup ?? this.#routeGroups.peek(name);
    const keys = [`path:${name}|${who}`];
    if (group) keys.push(`${group}|${who}`);
    return keys;
  }

  #pruneGates(): void {
    if (this.#rateGates.size < 1000) return;
    const now = performance.now();
    for (const [gate, end] of this.#rateGates) if (end <= now) this.#rateGates.delete(gate);
  }

  #blockForErrorLimit(seconds: number): void {
    this.#errorBlockedUntil = Math.max(this.#errorBlockedUntil, performance.now() + seconds * 1000);
  }
}
