/** The shapes callers of the ESI client use; the client and its parts share them. */
import type { z } from 'zod';

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
  /**
   * Who answers for this request's error answers, e.g. `guild:123456` or
   * `user:123`. Set it on error-prone requests (ids a user typed, one guild's
   * data): each scope has a small allowance of error answers and is refused
   * early while the error budget everyone shares runs low (see
   * EsiClientOptions.scopedErrors). Leave it out for everything else.
   */
  errorScope?: string;
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
  /**
   * Wall-clock ms (the client's `now`) at which ESI last produced or confirmed
   * this body: the arrival of its 200, or of the 304 that revalidated it. A
   * fresh cache hit keeps the time of the answer it serves, so callers can
   * refuse to let an old answer overwrite something stored later.
   */
  receivedAt: number;
}

export interface EsiLimitsSnapshot {
  /** last X-ESI-Error-Limit-Remain seen, and when its window resets (performance.now() ms) */
  errorLimit?: { remain: number; resetAt: number };
  /** performance.now() ms until which calls are refused because of the error limit (0: not refused) */
  errorLimitBlockedUntil: number;
  /** last X-Ratelimit-* per `group|character` ('app' for public routes) */
  rateLimits: Record<string, { group: string; limit?: string; remaining?: number; used?: number }>;
}
