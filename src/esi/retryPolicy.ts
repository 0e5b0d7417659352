/**
 * Which failed attempts are tried again, and after how long. Only failures
 * that say nothing about the request itself are retried: 502/503/504,
 * timeouts and broken connections (twice, with jittered backoff so many
 * callers do not return at once), and one 429 whose Retry-After fits the
 * deadline. A retry that cannot finish before the deadline is not started.
 */

const RETRYABLE_STATUS = new Set([502, 503, 504]);

/** when a 429 carries no Retry-After */
export const DEFAULT_RETRY_AFTER_SECONDS = 5;

export interface RetryPolicyOptions {
  /** retries after the first attempt for transient failures; default 2 */
  maxTransientRetries?: number;
  /** [0, 1) for the jitter; default Math.random */
  random?: () => number;
}

export class RetryPolicy {
  readonly #maxTransientRetries: number;
  readonly #random: () => number;

  constructor(options: RetryPolicyOptions = {}) {
    this.#maxTransientRetries = options.maxTransientRetries ?? 2;
    this.#random = options.random ?? Math.random;
  }

  /** a gateway or overload answer: the same request may well succeed a moment later */
  isTransientStatus(status: number): boolean {
    return RETRYABLE_STATUS.has(status);
  }

  /**
   * ms to wait before transient retry `index` (0, 1, …), or undefined when no
   * retry is left or it would end past the deadline (performance.now() ms).
   */
  transientDelay(index: number, deadline: number): number | undefined {
    if (index >= this.#maxTransientRetries) return undefined;
    const base = 200 * 2 ** index; // 200–400 ms, then 400–800 ms
    const wait = base + this.#random() * base;
    return performance.now() + wait >= deadline ? undefined : wait;
  }

  /** whether a 429 asking for `waitMs` is waited out: once per request, and only when the wait ends before the deadline */
  waitsOutRateLimit(alreadyWaited: boolean, waitMs: number, deadline: number): boolean {
    return !alreadyWaited && performance.now() + waitMs < deadline;
  }
}
