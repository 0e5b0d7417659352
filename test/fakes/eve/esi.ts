/**
 * Fake ESI. Around each route handler it does what the real gateway does and
 * the bot must cope with: bearer-token checks, the spec's cache times with
 * ETag/304, rate-limit and error-limit headers (and 429/420), injected
 * failures, and a record of every request.
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { cacheHeaders, matchesEtag, ResponseCache } from './cache.ts';
import { delay, headerRecord, readBody } from './http.ts';
import { ERROR_LIMIT, TokenBuckets, tokenCost } from './limits.ts';
import { matchRoute, normalisePath, type RouteResult } from './routes/index.ts';
import type { EsiSpec, RouteKey, RouteSpec } from './spec.ts';
import type { TokenCheck } from './tokens.ts';
import type { World } from './world.ts';

export type EsiInjectedResponse =
  | {
      status: number;
      /** default {error: <status text>} */
      body?: unknown;
      headers?: Record<string, string>;
      /** send only `headers` (no rate/error-limit headers), like the 429s some EVE routes give */
      bare?: boolean;
    }
  | 'timeout'
  | 'reset';

/** Behaviour switches, exposed as `fake.esi`. */
export interface EsiControls {
  /** delay before every ESI answer */
  latencyMs: number;
  /**
   * The next `times` (default 1) requests whose method (any when omitted) and
   * path match answer with `response`. `path` is tested against the path
   * without query, /latest-style prefix or trailing slash.
   */
  failNext(match: { method?: string; path: RegExp }, response: EsiInjectedResponse, times?: number): void;
  /** overrides the spec's cache seconds for newly computed bodies */
  cacheSeconds: Partial<Record<RouteKey, number>>;
  /** X-ESI-Error-Limit-Remain: 100 per window, minus one per 4xx/5xx on error-limited routes; at 0 everything answers 420 */
  errorLimitRemain: number;
  /** error-limit window length; default 60 */
  errorLimitWindowSeconds: number;
  /** false: ttl-based routes recompute their body on every request (headers unchanged); default true */
  serverCache: boolean;
  /** wallet journal page size; default 2500 */
  journalPageSize: number;
  /** overrides a rate-limit group's max tokens, e.g. { 'char-wallet': 4 } */
  rateLimitMaxTokens: Partial<Record<string, number>>;
  /**
   * Rewrites a route's 200 bodies as they are computed, the way CCP changes
   * them between compatibility dates, e.g. `alterBody.corporation = ({ war_eligible, ...rest }) => rest`.
   * Everything else (auth, limits, cache headers, ETag of the altered body)
   * stays as ESI does it. A body already in the server cache is served as it
   * was until it expires: set this first, or call clearEsiCache().
   */
  alterBody: Partial<Record<RouteKey, (body: any) => unknown>>;
}

export interface EsiRequestRecord {
  method: string;
  /** as sent, without the query */
  path: string;
  query: Record<string, string>;
  /** lower-case names */
  headers: Record<string, string>;
  /** 0 when no answer was sent ('timeout', 'reset') */
  status: number;
  at: number;
  /** from a valid bearer token */
  characterId?: number;
  route?: RouteKey;
  /** parsed JSON body of a POST */
  body?: unknown;
  injected?: boolean;
}

export interface EsiDeps {
  world: World;
  spec: EsiSpec;
  verify: (token: string) => Promise<TokenCheck>;
  signal: AbortSignal;
}

const ERROR_LIMITED_MESSAGE =
  'This software has exceeded the error limit for ESI. If you are a user, please contact the maintainer of this software.';

export class FakeEsi {
  url = '';
  readonly requests: EsiRequestRecord[] = [];
  private readonly injections: { method?: string; path: RegExp; response: EsiInjectedResponse; remaining: number }[] = [];
  private readonly cache = new ResponseCache();
  private readonly buckets = new TokenBuckets();
  private errorWindowStart = Date.now();
  /** what we last wrote to controls.errorLimitRemain: a different value means a test set it */
  private errorRemainWritten = ERROR_LIMIT;

  readonly controls: EsiControls = {
    latencyMs: 0,
    failNext: (match, response, times = 1) => {
      if (times > 0) this.injections.push({ ...match, response, remaining: times });
    },
    cacheSeconds: {},
    errorLimitRemain: ERROR_LIMIT,
    errorLimitWindowSeconds: 60,
    serverCache: true,
    journalPageSize: 2500,
    rateLimitMaxTokens: {},
    alterBody: {},
  };

  constructor(private readonly deps: EsiDeps) {}

  resetCounters(): void {
    this.requests.length = 0;
    this.buckets.reset();
    this.errorWindowStart = Date.now();
    this.controls.errorLimitRemain = this.errorRemainWritten = ERROR_LIMIT;
  }

  /** forget ESI's server-side cache (data changes show at once) */
  clearCache(): void {
    this.cache.clear();
  }

  handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', this.url);
    const method = (req.method ?? 'GET').toUpperCase();
    const record: EsiRequestRecord = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: headerRecord(req),
      status: 0,
      at: Date.now(),
    };
    this.requests.push(record);
    const raw = (await readBody(req)).toString('utf8');
    let body: unknown;
    let bodyInvalid = false;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw);
        record.body = body;
      } catch {
        bodyInvalid = true;
      }
    }
    await delay(this.controls.latencyMs, this.deps.signal);

    const now = Date.now();
    this.rollErrorWindow(now);
    const path = normalisePath(url.pathname);
    const match = matchRoute(method, path);
    const spec = match.kind === 'found' ? this.deps.spec.routes.get(match.key) : undefined;
    if (match.kind === 'found') record.route = match.key;
    let caller: number | undefined;

    const finish = (status: number, payload: unknown, headers: Record<string, string> = {}, limits = true): void => {
      record.status = status;
      const out: Record<string, string> = { 'X-ESI-Request-ID': randomUUID() };
      if (limits) Object.assign(out, this.account(status, now, status === 420 ? undefined : spec, caller));
      Object.assign(out, headers);
      if (status === 304 || payload === undefined) {
        res.writeHead(status, out);
        res.end();
        return;
      }
      const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
      res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)), ...out });
      res.end(text);
    };

    if (this.controls.errorLimitRemain <= 0) return finish(420, { error: ERROR_LIMITED_MESSAGE });

    const injected = this.takeInjection(method, path);
    if (injected !== undefined) {
      record.injected = true;
      if (injected === 'timeout') return; // never answer: the client has to give up
      if (injected === 'reset') {
        req.socket.destroy();
        return;
      }
      const payload = injected.body === undefined ? { error: STATUS_CODES[injected.status] ?? 'error' } : injected.body;
      return finish(injected.status, payload, injected.headers, !injected.bare);
    }

    if (match.kind === 'not-found' || !spec || match.kind !== 'found') {
      return finish(match.kind === 'method-not-allowed' ? 405 : 404, { error: match.kind === 'method-not-allowed' ? 'Method not allowed' : 'Not found' });
    }

    const compat = req.headers['x-compatibility-date'];
    if (compat !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(String(compat))) {
      return finish(400, { error: `Invalid X-Compatibility-Date ${String(compat)}: expected YYYY-MM-DD` });
    }

    if (spec.scope !== null) {
      const denied = await this.authorize(req, spec, match.params, (id) => {
        caller = id;
        record.characterId = id;
      });
      if (denied) return finish(denied.status, denied.body);
    }

    if (spec.rateLimit) {
      const { bucket, max, windowMs } = this.bucketOf(spec, caller);
      if (this.buckets.remaining(bucket, max, windowMs, now) <= 0) {
        const retry = this.buckets.retryAfter(bucket, max, windowMs, now, tokenCost(200));
        return finish(429, { error: 'Too many requests' }, { 'Retry-After': String(retry) });
      }
    }

    if (bodyInvalid) return finish(400, { error: 'Request body is not valid JSON' });

    const key = match.key;
    const override = this.controls.cacheSeconds[key];
    const seconds = override ?? spec.cacheSeconds;
    let mode = spec.cacheMode === 'none' && seconds > 0 ? 'ttl' : spec.cacheMode;
    if (mode === 'ttl' && !this.controls.serverCache) mode = 'event';
    const cacheKey = `${method} ${path}?${[...url.searchParams].sort().join('&')} ${raw}`;

    let entry = mode === 'ttl' ? this.cache.fresh(cacheKey, now) : undefined;
    if (!entry) {
      const result: RouteResult = match.handler({
        world: this.deps.world,
        params: match.params,
        query: url.searchParams,
        body,
        caller,
        journalPageSize: this.controls.journalPageSize,
      });
      if (result.status !== 200) return finish(result.status, result.body, result.headers);
      const alter = this.controls.alterBody[key];
      const served = alter ? alter(structuredClone(result.body)) : result.body;
      entry = this.cache.store(cacheKey, now, seconds, JSON.stringify(served), result.headers ?? {});
    }
    const headers = { ...cacheHeaders(entry, now, spec.scope !== null), ...entry.headers };
    if (matchesEtag(req.headers['if-none-match'], entry.etag)) return finish(304, undefined, headers);
    return finish(200, entry.body, headers);
  };

  /** bearer token -> caller; returns the refusal, if any */
  private async authorize(
    req: IncomingMessage,
    spec: RouteSpec,
    params: Record<string, number>,
    setCaller: (id: number) => void,
  ): Promise<RouteResult | undefined> {
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!match) return { status: 401, body: { error: 'Authorization header missing or not a Bearer token' } };
    const check = await this.deps.verify(match[1]!);
    if (!check.ok) return { status: 401, body: { error: check.reason === 'expired' ? 'Token is expired' : 'Token is not valid' } };
    setCaller(check.characterId);
    if (params.character_id !== undefined && params.character_id !== check.characterId) {
      return { status: 403, body: { error: 'Token is not valid for this character' } };
    }
    if (spec.scope !== null && !check.scopes.includes(spec.scope)) return { status: 403, body: { error: 'token not valid for scope' } };
    const character = this.deps.world.character(check.characterId);
    if (params.corporation_id !== undefined && character?.corporationId !== params.corporation_id) {
      return { status: 403, body: { error: 'Character is not in the corporation' } };
    }
    if (spec.requiredRoles.length > 0 && !spec.requiredRoles.some((role) => character?.roles?.includes(role))) {
      return { status: 403, body: { error: 'Character does not have required role(s)' } };
    }
    return undefined;
  }

  private bucketOf(spec: RouteSpec, caller: number | undefined) {
    const limit = spec.rateLimit!;
    return {
      bucket: `${limit.group}:${caller ?? 'anonymous'}`,
      max: this.controls.rateLimitMaxTokens[limit.group] ?? limit.maxTokens,
      windowMs: limit.windowSeconds * 1000,
    };
  }

  /** spends tokens or errors for this response and returns the matching headers */
  private account(status: number, now: number, spec: RouteSpec | undefined, caller: number | undefined): Record<string, string> {
    if (spec?.rateLimit) {
      const { bucket, max, windowMs } = this.bucketOf(spec, caller);
      const cost = tokenCost(status);
      this.buckets.spend(bucket, cost, now);
      return {
        'X-Ratelimit-Group': spec.rateLimit.group,
        'X-Ratelimit-Limit': `${max}/${spec.rateLimit.limitHeader.split('/')[1]}`,
        'X-Ratelimit-Remaining': String(Math.max(0, this.buckets.remaining(bucket, max, windowMs, now))),
        'X-Ratelimit-Used': String(cost),
      };
    }
    if (status >= 400 && status !== 420) {
      this.controls.errorLimitRemain = this.errorRemainWritten = Math.max(0, this.controls.errorLimitRemain - 1);
    }
    const reset = Math.max(0, Math.ceil((this.errorWindowStart + this.controls.errorLimitWindowSeconds * 1000 - now) / 1000));
    return { 'X-ESI-Error-Limit-Remain': String(this.controls.errorLimitRemain), 'X-ESI-Error-Limit-Reset': String(reset) };
  }

  private rollErrorWindow(now: number): void {
    if (this.controls.errorLimitRemain !== this.errorRemainWritten) {
      // A test set the remainder: its window starts now.
      this.errorWindowStart = now;
      this.errorRemainWritten = this.controls.errorLimitRemain;
    } else if (now >= this.errorWindowStart + this.controls.errorLimitWindowSeconds * 1000) {
      this.errorWindowStart = now;
      this.controls.errorLimitRemain = this.errorRemainWritten = ERROR_LIMIT;
    }
  }

  private takeInjection(method: string, path: string): EsiInjectedResponse | undefined {
    const index = this.injections.findIndex((i) => {
      i.path.lastIndex = 0;
      return (i.method === undefined || i.method.toUpperCase() === method) && i.path.test(path);
    });
    if (index < 0) return undefined;
    const injection = this.injections[index]!;
    injection.remaining -= 1;
    if (injection.remaining <= 0) this.injections.splice(index, 1);
    return injection.response;
  }
}
