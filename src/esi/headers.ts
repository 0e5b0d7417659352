/** Reading ESI's response headers: cache freshness, Retry-After, rate and error limits. */

export type ResponseHeaders = Record<string, string | string[] | undefined>;

/** One header's value (names are case-insensitive; repeated headers are joined). */
export function header(headers: ResponseHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : value;
}

/** A non-negative integer header, or undefined when absent or not a number. */
export function intHeader(headers: ResponseHeaders, name: string): number | undefined {
  const value = header(headers, name)?.trim();
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}

export interface Freshness {
  /** how long the body may be used without asking again (0: revalidate every time) */
  lifetimeMs: number;
  /** Cache-Control: no-store: keep nothing */
  noStore: boolean;
  etag: string | undefined;
}

/**
 * The freshness lifetime of a response, as an amount of time, so it can be
 * added to our own clock (immune to skew between ESI's clock and ours):
 * `max-age` minus `Age`, else `Expires` minus the response's `Date` (our
 * clock when Date is missing).
 */
export function freshness(headers: ResponseHeaders, receivedAt: number): Freshness {
  const etag = header(headers, 'etag')?.trim() || undefined;
  const directives = new Map<string, string | undefined>();
  for (const part of (header(headers, 'cache-control') ?? '').split(',')) {
    const [name, value] = part.split('=', 2) as [string, string | undefined];
    const key = name.trim().toLowerCase();
    if (key) directives.set(key, value?.trim().replace(/^"|"$/g, ''));
  }
  if (directives.has('no-store')) return { lifetimeMs: 0, noStore: true, etag };
  if (directives.has('no-cache')) return { lifetimeMs: 0, noStore: false, etag };
  const maxAge = directives.get('max-age');
  if (maxAge !== undefined && /^\d+$/.test(maxAge)) {
    const age = intHeader(headers, 'age') ?? 0;
    return { lifetimeMs: Math.max(0, Number(maxAge) - age) * 1000, noStore: false, etag };
  }
  const expiresText = header(headers, 'expires');
  if (expiresText !== undefined) {
    const expires = Date.parse(expiresText);
    const dateText = header(headers, 'date');
    const date = dateText === undefined ? Number.NaN : Date.parse(dateText);
    const base = Number.isNaN(date) ? receivedAt : date;
    // An unparseable Expires (e.g. "0") means "already expired".
    return { lifetimeMs: Number.isNaN(expires) ? 0 : Math.max(0, expires - base), noStore: false, etag };
  }
  return { lifetimeMs: 0, noStore: false, etag };
}

/** Retry-After in seconds (delta-seconds or an HTTP date), or undefined. */
export function retryAfterSeconds(headers: ResponseHeaders, now: number): number | undefined {
  const value = header(headers, 'retry-after')?.trim();
  if (value === undefined || value === '') return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

export interface RateLimitHeaders {
  group: string;
  /** as ESI writes it, e.g. `150/15m` */
  limit: string | undefined;
  remaining: number | undefined;
  used: number | undefined;
}

/** X-Ratelimit-* (the floating-window limiter, per group and app:character). */
export function rateLimitHeaders(headers: ResponseHeaders): RateLimitHeaders | undefined {
  const group = header(headers, 'x-ratelimit-group')?.trim();
  if (!group) return undefined;
  return {
    group,
    limit: header(headers, 'x-ratelimit-limit')?.trim(),
    remaining: intHeader(headers, 'x-ratelimit-remaining'),
    used: intHeader(headers, 'x-ratelimit-used'),
  };
}

/** X-ESI-Error-Limit-Remain / -Reset (the older error limiter). */
export function errorLimitHeaders(headers: ResponseHeaders): { remain: number; resetSeconds: number | undefined } | undefined {
  const remain = intHeader(headers, 'x-esi-error-limit-remain');
  if (remain === undefined) return undefined;
  return { remain, resetSeconds: intHeader(headers, 'x-esi-error-limit-reset') };
}

/** "150/15m" -> 150 */
export function limitTokens(limit: string | undefined): number | undefined {
  const match = limit === undefined ? null : /^(\d+)\//.exec(limit);
  return match ? Number(match[1]) : undefined;
}
