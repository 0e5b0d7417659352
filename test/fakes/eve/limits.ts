/**
 * ESI's two limiters. Routes with an `x-rate-limit` group use the floating
 * window token bucket (per group and app:character; X-Ratelimit-* headers);
 * the others use the older error limit (X-ESI-Error-Limit-* headers). CCP
 * documents the two header sets as mutually exclusive. Once the error limit
 * is spent, every route answers 420 until the window resets.
 */

/** Token cost per response class, from CCP's rate-limiting page. */
export function tokenCost(status: number): number {
  if (status === 429) return 0; // a refusal spends nothing, or a client could never recover
  if (status >= 500) return 0;
  if (status >= 400) return 5;
  if (status >= 300) return 1;
  return 2;
}

export class TokenBuckets {
  private readonly spent = new Map<string, { at: number; cost: number }[]>();

  private live(bucket: string, windowMs: number, now: number) {
    const list = (this.spent.get(bucket) ?? []).filter((e) => now - e.at < windowMs);
    this.spent.set(bucket, list);
    return list;
  }

  remaining(bucket: string, max: number, windowMs: number, now: number): number {
    return max - this.live(bucket, windowMs, now).reduce((sum, e) => sum + e.cost, 0);
  }

  spend(bucket: string, cost: number, now: number): void {
    if (cost <= 0) return;
    const list = this.spent.get(bucket) ?? [];
    list.push({ at: now, cost });
    this.spent.set(bucket, list);
  }

  /** seconds until `need` tokens are back (floating window: each spend returns one window later) */
  retryAfter(bucket: string, max: number, windowMs: number, now: number, need: number): number {
    let available = this.remaining(bucket, max, windowMs, now);
    for (const entry of this.live(bucket, windowMs, now)) {
      if (available >= need) break;
      available += entry.cost;
      if (available >= need) return Math.max(1, Math.ceil((entry.at + windowMs - now) / 1000));
    }
    return 1;
  }

  reset(): void {
    this.spent.clear();
  }
}

export const ERROR_LIMIT = 100;
