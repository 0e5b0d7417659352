/** /characters/... routes: public details, affiliations, corporation roles. */
import type { EsiBudget, EsiClient } from '../client.ts';
import { EsiNotFoundError } from '../errors.ts';
import { chunks, toBigId, toWireId, uniqueIds } from '../ids.ts';
import { ESI_ROUTES, routePath } from '../schemas.ts';
import { callOptions, optional, optionalId, withScope, type CharacterAuth, type EsiCallOptions } from './common.ts';

export interface CharacterInfo {
  characterId: bigint;
  name: string;
  corporationId: bigint;
  allianceId?: bigint;
  factionId?: bigint;
  /** absent when ESI left it out (no caller needs it) */
  birthday?: Date;
  securityStatus?: number;
}

/** GET /characters/{character_id} (public, cached a day) */
export async function character(client: EsiClient, id: bigint, budget?: EsiBudget, options?: EsiCallOptions): Promise<CharacterInfo> {
  const route = ESI_ROUTES.character;
  const { data } = await client.request(
    { method: route.method, path: routePath(route.path, { character_id: id }), schema: route.schema, ...callOptions(options) },
    budget,
  );
  return {
    characterId: id,
    name: data.name,
    corporationId: toBigId(data.corporation_id),
    ...optionalId('allianceId', data.alliance_id),
    ...optionalId('factionId', data.faction_id),
    ...optional('birthday', data.birthday === undefined ? undefined : new Date(data.birthday)),
    ...optional('securityStatus', data.security_status),
  };
}

export interface Affiliation {
  characterId: bigint;
  corporationId: bigint;
  allianceId?: bigint;
  factionId?: bigint;
  /**
   * When ESI gave (or confirmed) the batch answer this row comes from, in the
   * client's wall-clock ms: a cached answer can be up to an hour old, and must
   * not overwrite an affiliation stored after it.
   */
  receivedAt: number;
}

/** ESI takes at most this many ids per POST /characters/affiliation */
export const AFFILIATION_BATCH = 1000;

/**
 * POST /characters/affiliation in batches of 1000 (public, cached an hour).
 * Ids ESI does not know as characters are left out; a batch answered 404
 * ("No characters found") contributes nothing. Each row carries the time of
 * its batch's answer (batches may come from the cache at different ages).
 */
export async function characterAffiliations(
  client: EsiClient,
  ids: readonly bigint[],
  budget?: EsiBudget,
  options?: EsiCallOptions,
): Promise<Affiliation[]> {
  const route = ESI_ROUTES.affiliation;
  const batches = chunks(uniqueIds(ids), AFFILIATION_BATCH);
  const results = await Promise.all(
    batches.map(async (batch) => {
      try {
        const { data, receivedAt } = await client.request(
          { method: route.method, path: route.path, schema: route.schema, body: batch.map(toWireId), ...callOptions(options) },
          budget,
        );
        return data.map((row) => ({
          characterId: toBigId(row.character_id),
          corporationId: toBigId(row.corporation_id),
          ...optionalId('allianceId', row.alliance_id),
          ...optionalId('factionId', row.faction_id),
          receivedAt,
        }));
      } catch (error) {
        if (error instanceof EsiNotFoundError) return [];
        throw error;
      }
    }),
  );
  return results.flat();
}

export interface CharacterRoles {
  /** corporation roles held anywhere, e.g. 'Director', 'Personnel_Manager' */
  roles: string[];
  rolesAtHq: string[];
  rolesAtBase: string[];
  rolesAtOther: string[];
}

/** GET /characters/{character_id}/roles (esi-characters.read_corporation_roles.v1) */
export async function characterRoles(client: EsiClient, auth: CharacterAuth, budget?: EsiBudget, options?: EsiCallOptions): Promise<CharacterRoles> {
  const route = ESI_ROUTES.roles;
  const { data } = await client.request(
    {
      method: route.method,
      path: routePath(route.path, { character_id: auth.characterId }),
      schema: route.schema,
      auth: withScope(auth, route.scope),
      ...callOptions(options),
    },
    budget,
  );
  return {
    roles: data.roles ?? [],
    rolesAtHq: data.roles_at_hq ?? [],
    rolesAtBase: data.roles_at_base ?? [],
    rolesAtOther: data.roles_at_other ?? [],
  };
}
