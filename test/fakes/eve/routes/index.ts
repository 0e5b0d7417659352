/** Route table: OpenAPI path -> matcher and handler. */
import { ROUTES, type HttpMethod, type RouteKey } from '../spec.ts';
import * as characters from './characters.ts';
import * as corporations from './corporations.ts';
import type { RouteHandler } from './types.ts';
import * as universe from './universe.ts';

export type { RouteContext, RouteHandler, RouteResult } from './types.ts';

const HANDLERS: Record<RouteKey, RouteHandler> = {
  character: characters.character,
  affiliation: characters.affiliation,
  wallet: characters.wallet,
  journal: characters.journal,
  skills: characters.skills,
  skillqueue: characters.skillqueue,
  roles: characters.roles,
  names: universe.names,
  ids: universe.ids,
  corporation: corporations.corporation,
  members: corporations.members,
  alliance: corporations.alliance,
};

interface CompiledRoute {
  key: RouteKey;
  method: HttpMethod;
  pattern: RegExp;
  params: string[];
  handler: RouteHandler;
}

// '{character_id}' matches digits only, so '/characters/affiliation' never
// reads as a character id.
const COMPILED: CompiledRoute[] = ROUTES.map((route) => {
  const params: string[] = [];
  const source = route.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    params.push(name);
    return '(\\d+)';
  });
  return { key: route.key, method: route.method, pattern: new RegExp(`^${source}$`), params, handler: HANDLERS[route.key] };
});

/** Old path forms ESI still answers: /latest, /dev, /legacy, /v1.. prefixes and a trailing slash. */
export function normalisePath(path: string): string {
  const stripped = path.replace(/^\/(?:latest|dev|legacy|v\d+)(?=\/)/, '').replace(/\/+$/, '');
  return stripped === '' ? '/' : stripped;
}

export type RouteMatch =
  | { kind: 'found'; key: RouteKey; params: Record<string, number>; handler: RouteHandler }
  | { kind: 'method-not-allowed' }
  | { kind: 'not-found' };

export function matchRoute(method: string, path: string): RouteMatch {
  let pathMatched = false;
  for (const route of COMPILED) {
    const m = route.pattern.exec(path);
    if (!m) continue;
    pathMatched = true;
    if (route.method !== method) continue;
    const params = Object.fromEntries(route.params.map((name, i) => [name, Number(m[i + 1])]));
    return { kind: 'found', key: route.key, params, handler: route.handler };
  }
  return pathMatched ? { kind: 'method-not-allowed' } : { kind: 'not-found' };
}
