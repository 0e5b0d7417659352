/** What a route handler gets and gives; the ESI server does auth, caching and limits around it. */
import type { World } from '../world.ts';

export interface RouteContext {
  world: World;
  /** numeric path parameters, e.g. { character_id: 90000001 } */
  params: Record<string, number>;
  query: URLSearchParams;
  /** parsed JSON body (POST routes) */
  body: unknown;
  /** character of the bearer token, on authenticated routes */
  caller?: number;
  journalPageSize: number;
}

export interface RouteResult {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export type RouteHandler = (ctx: RouteContext) => RouteResult;

export const ok = (body: unknown, headers?: Record<string, string>): RouteResult => ({ status: 200, body, headers });
export const fail = (status: number, error: string): RouteResult => ({ status, body: { error } });

/** '2015-03-24T11:37:00.000Z' -> '2015-03-24T11:37:00Z', as ESI writes dates */
export const esiDate = (iso: string): string => new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');
