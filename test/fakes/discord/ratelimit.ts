// A per-route bucket as Discord announces it: fixed windows per major
// parameter (the guild), with the X-RateLimit-* headers @discordjs/rest reads
// to queue requests before they would be refused. A client that follows the
// headers never gets a 429; one that ignores them does.

import { createHash } from 'node:crypto';
import type { Reply } from './errors.ts';
import type { RateLimitConfig } from './types.ts';

interface Window {
  resetAt: number;
  used: number;
}

export class RateLimiter {
  private readonly windows = new Map<string, Window>();
  /** 429s answered so far */
  hits = 0;

  constructor(
    public config: RateLimitConfig,
    private readonly route: string,
  ) {}

  private get bucket(): string {
    return createHash('sha1').update(`fake-bucket ${this.route}`).digest('hex').slice(0, 32);
  }

  /** Take one request for `key`: headers for the answer, or a 429 reply when the window is spent. */
  take(key: string): { headers: Record<string, string>; refused?: Reply } {
    const now = Date.now();
    let window = this.windows.get(key);
    if (!window || now >= window.resetAt) {
      window = { resetAt: now + this.config.windowMs, used: 0 };
      this.windows.set(key, window);
    }
    const resetAfter = (window.resetAt - now) / 1000;
    const headers = (remaining: number): Record<string, string> => ({
      'x-ratelimit-limit': String(this.config.limit),
      'x-ratelimit-remaining': String(remaining),
      'x-ratelimit-reset': (window.resetAt / 1000).toFixed(3),
      'x-ratelimit-reset-after': resetAfter.toFixed(3),
      'x-ratelimit-bucket': this.bucket,
    });
    if (window.used >= this.config.limit) {
      this.hits += 1;
      const retryAfter = Math.max(0.001, resetAfter);
      return {
        headers: headers(0),
        refused: {
          status: 429,
          body: { message: 'You are being rate limited.', retry_after: Number(retryAfter.toFixed(3)), global: false },
          headers: { ...headers(0), 'retry-after': String(Math.ceil(retryAfter)), 'x-ratelimit-scope': 'user' },
        },
      };
    }
    window.used += 1;
    return { headers: headers(this.config.limit - window.used) };
  }

  /** Start fresh windows (e.g. after a config change). */
  resetWindows(): void {
    this.windows.clear();
  }

  reset(): void {
    this.windows.clear();
    this.hits = 0;
  }
}
