/** How a request is written down: its query and JSON body on the wire, and the key it is cached and merged under. */
import type { EsiRequest } from './types.ts';

type RequestShape = Pick<EsiRequest<unknown>, 'method' | 'path' | 'auth' | 'body' | 'query'>;

/**
 * method + path + sorted query + POST body + character: never shared across
 * characters, never keyed on a token (a refreshed token is the same character).
 */
export function requestKey(route: RequestShape): string {
  const body = route.method === 'POST' && route.body !== undefined ? jsonBody(route.body) : '';
  const who = route.auth ? `character:${route.auth.characterId.toString()}` : 'public';
  return `${route.method} ${route.path}?${queryString(route.query)} ${body} ${who}`;
}

/** the query with its names sorted, so equal queries give equal keys */
export function queryString(query: Record<string, string | number> | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const name of Object.keys(query).sort()) params.append(name, String(query[name]));
  return params.toString();
}

/** JSON with bigints written as numbers (EVE ids fit in a double) */
export function jsonBody(body: unknown): string {
  return JSON.stringify(body, (_key, value: unknown) => {
    if (typeof value !== 'bigint') return value;
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) throw new RangeError('id out of the safe integer range');
    return Number(value);
  });
}

/** `GET /characters/90000001`: for logs and per-route bookkeeping */
export function routeName(route: Pick<EsiRequest<unknown>, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}
