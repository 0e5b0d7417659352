/** /corporations/... and /alliances/... routes. */
import type { EsiBudget, EsiClient } from '../client.ts';
import { toBigId } from '../ids.ts';
import { ESI_ROUTES, routePath } from '../schemas.ts';
import { callOptions, optional, optionalId, withScope, type CharacterAuth, type EsiCallOptions } from './common.ts';

export interface CorporationInfo {
  corporationId: bigint;
  name: string;
  ticker: string;
  allianceId?: bigint;
  /** absent when ESI left it out (no caller needs it) */
  memberCount?: number;
  ceoId?: bigint;
}

/** GET /corporations/{corporation_id} (public, cached an hour) */
export async function corporation(client: EsiClient, id: bigint, budget?: EsiBudget, options?: EsiCallOptions): Promise<CorporationInfo> {
  const route = ESI_ROUTES.corporation;
  const { data } = await client.request(
    { method: route.method, path: routePath(route.path, { corporation_id: id }), schema: route.schema, ...callOptions(options) },
    budget,
  );
  return {
    corporationId: id,
    name: data.name,
    ticker: data.ticker,
    ...optionalId('allianceId', data.alliance_id),
    ...optional('memberCount', data.member_count),
    ...optionalId('ceoId', data.ceo_id),
  };
}

/**
 * GET /corporations/{corporation_id}/members
 * (esi-corporations.read_corporation_membership.v1; the token's character must
 * be in the corporation, else 403).
 */
export async function corporationMembers(
  client: EsiClient,
  corporationId: bigint,
  auth: CharacterAuth,
  budget?: EsiBudget,
  options?: EsiCallOptions,
): Promise<bigint[]> {
  const route = ESI_ROUTES.members;
  const { data } = await client.request(
    {
      method: route.method,
      path: routePath(route.path, { corporation_id: corporationId }),
      schema: route.schema,
      auth: withScope(auth, route.scope),
      ...callOptions(options),
    },
    budget,
  );
  return data.map(toBigId);
}

export interface AllianceInfo {
  allianceId: bigint;
  name: string;
  ticker: string;
}

/** GET /alliances/{alliance_id} (public, cached an hour) */
export async function alliance(client: EsiClient, id: bigint, budget?: EsiBudget, options?: EsiCallOptions): Promise<AllianceInfo> {
  const route = ESI_ROUTES.alliance;
  const { data } = await client.request(
    { method: route.method, path: routePath(route.path, { alliance_id: id }), schema: route.schema, ...callOptions(options) },
    budget,
  );
  return { allianceId: id, name: data.name, ticker: data.ticker };
}
