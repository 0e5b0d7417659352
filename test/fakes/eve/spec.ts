/**
 * The ESI routes this project uses, and what the OpenAPI fixture says about
 * each (scope, cache time, cache mode, rate-limit group). The fake reads these
 * from `test/fixtures/esi-openapi.json` instead of hard-coding them, so the fake
 * and the fixture cannot drift apart.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** Every route the bot calls; `path` is the OpenAPI path (no /latest, no trailing slash). */
export const ROUTES = [
  { key: 'character', method: 'GET', path: '/characters/{character_id}' },
  { key: 'affiliation', method: 'POST', path: '/characters/affiliation' },
  { key: 'wallet', method: 'GET', path: '/characters/{character_id}/wallet' },
  { key: 'journal', method: 'GET', path: '/characters/{character_id}/wallet/journal' },
  { key: 'skills', method: 'GET', path: '/characters/{character_id}/skills' },
  { key: 'skillqueue', method: 'GET', path: '/characters/{character_id}/skillqueue' },
  { key: 'names', method: 'POST', path: '/universe/names' },
  { key: 'ids', method: 'POST', path: '/universe/ids' },
  { key: 'corporation', method: 'GET', path: '/corporations/{corporation_id}' },
  { key: 'members', method: 'GET', path: '/corporations/{corporation_id}/members' },
  { key: 'roles', method: 'GET', path: '/characters/{character_id}/roles' },
  { key: 'alliance', method: 'GET', path: '/alliances/{alliance_id}' },
] as const;

export type RouteKey = (typeof ROUTES)[number]['key'];
export type HttpMethod = (typeof ROUTES)[number]['method'];

export const FIXTURE_URL = new URL('../../fixtures/esi-openapi.json', import.meta.url);

export interface RateLimitSpec {
  group: string;
  maxTokens: number;
  windowSeconds: number;
  /** as ESI writes it in X-Ratelimit-Limit, e.g. `150/15m` */
  limitHeader: string;
}

export interface RouteSpec {
  key: RouteKey;
  method: HttpMethod;
  path: string;
  /** required SSO scope, or null for a public route */
  scope: string | null;
  /** x-cache-age; 0 when the spec gives none (POST /universe/names, /universe/ids) */
  cacheSeconds: number;
  /** ttl: ESI serves one cached body until it expires; event: fresh body, client TTL only; none: not cached */
  cacheMode: 'ttl' | 'event' | 'none';
  rateLimit: RateLimitSpec | null;
  requiredRoles: string[];
}

export interface EsiSpec {
  routes: Map<RouteKey, RouteSpec>;
  /** every scope the OAuth2 security scheme lists (what SSO accepts at authorize) */
  scopes: Set<string>;
  /** the X-Compatibility-Date values the spec accepts, e.g. ['2026-08-18'] */
  compatibilityDates: string[];
  version: string;
}

const operationSchema = z.object({
  security: z.array(z.record(z.string(), z.array(z.string()))).optional(),
  parameters: z.array(z.object({ name: z.string().optional(), schema: z.unknown().optional() }).loose()).optional(),
  'x-cache-age': z.number().optional(),
  'x-client-cache-ttl': z.number().optional(),
  'x-server-cache-mode': z.string().optional(),
  'x-cache-mode': z.string().optional(),
  'x-rate-limit': z.object({ group: z.string(), 'max-tokens': z.number(), 'window-size': z.string() }).optional(),
  'x-required-roles': z.array(z.string()).optional(),
});

const documentSchema = z.object({
  info: z.object({ version: z.string() }).loose(),
  paths: z.record(z.string(), z.record(z.string(), z.unknown())),
  components: z.object({
    securitySchemes: z.object({
      OAuth2: z.object({
        flows: z.object({ authorizationCode: z.object({ scopes: z.record(z.string(), z.string()) }).loose() }).loose(),
      }).loose(),
    }).loose(),
  }).loose(),
});

/** '15m' -> 900 */
export function windowToSeconds(window: string): number {
  const match = /^(\d+)([smh])$/.exec(window);
  if (!match) throw new Error(`unknown rate-limit window ${window}`);
  const unit = { s: 1, m: 60, h: 3600 }[match[2] as 's' | 'm' | 'h'];
  return Number(match[1]) * unit;
}

let loaded: EsiSpec | undefined;

/** Reads the fixture once per process. */
export function loadSpec(): EsiSpec {
  if (loaded) return loaded;
  const doc = documentSchema.parse(JSON.parse(readFileSync(FIXTURE_URL, 'utf8')));
  const routes = new Map<RouteKey, RouteSpec>();
  let compatibilityDates: string[] = [];
  for (const route of ROUTES) {
    const raw = doc.paths[route.path]?.[route.method.toLowerCase()];
    if (!raw) throw new Error(`fixture lacks ${route.method} ${route.path}`);
    const op = operationSchema.parse(raw);
    const scope = op.security?.[0]?.OAuth2?.[0] ?? null;
    const cacheSeconds = op['x-cache-age'] ?? op['x-client-cache-ttl'] ?? 0;
    const mode = op['x-server-cache-mode'] ?? op['x-cache-mode'];
    const limit = op['x-rate-limit'];
    const compat = op.parameters?.find((p) => p.name === 'X-Compatibility-Date')?.schema as { enum?: string[] } | undefined;
    if (compat?.enum) compatibilityDates = compat.enum;
    routes.set(route.key, {
      ...route,
      scope,
      cacheSeconds,
      cacheMode: cacheSeconds === 0 ? 'none' : mode === 'event-based' ? 'event' : 'ttl',
      rateLimit: limit
        ? {
            group: limit.group,
            maxTokens: limit['max-tokens'],
            windowSeconds: windowToSeconds(limit['window-size']),
            limitHeader: `${limit['max-tokens']}/${limit['window-size']}`,
          }
        : null,
      requiredRoles: op['x-required-roles'] ?? [],
    });
  }
  loaded = {
    routes,
    scopes: new Set(Object.keys(doc.components.securitySchemes.OAuth2.flows.authorizationCode.scopes)),
    compatibilityDates,
    version: doc.info.version,
  };
  return loaded;
}
