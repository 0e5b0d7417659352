/** POST /universe/names (one batch; src/esi/names.ts batches, caches and bisects around it) and POST /universe/ids. */
import type { EsiBudget, EsiClient } from '../client.ts';
import { toBigId, toWireId } from '../ids.ts';
import { ESI_ROUTES } from '../schemas.ts';
import { callOptions, type EsiCallOptions } from './common.ts';

export interface ResolvedName {
  name: string;
  /** alliance | character | constellation | corporation | inventory_type | region | solar_system | station | faction */
  category: string;
}

/** ESI takes 1–1000 unique ids per request */
export const NAMES_BATCH = 1000;

/** One request for ≤1000 unique ids. ESI answers 404 when any id is unknown (EsiNotFoundError). */
export async function universeNames(
  client: EsiClient,
  ids: readonly bigint[],
  budget?: EsiBudget,
  options?: EsiCallOptions,
): Promise<Map<bigint, ResolvedName>> {
  if (ids.length === 0) return new Map();
  if (ids.length > NAMES_BATCH) throw new RangeError(`at most ${NAMES_BATCH} ids per /universe/names request`);
  const route = ESI_ROUTES.names;
  const { data } = await client.request({ method: route.method, path: route.path, schema: route.schema, body: ids.map(toWireId), ...callOptions(options) }, budget);
  return new Map(data.map((row) => [toBigId(row.id), { name: row.name, category: row.category }]));
}

export interface IdMatch {
  id: bigint;
  /** as EVE Online spells it */
  name: string;
}

export interface UniverseIds {
  corporations: IdMatch[];
  alliances: IdMatch[];
}

/** ESI takes 1–500 unique names (each 1–100 characters) per request */
export const IDS_BATCH = 500;

/**
 * Exact names (case-insensitive) -> ids of the corporations and alliances of
 * those names, in one request for ≤500 names. Unknown names are simply not
 * in the answer. Names are trimmed; repeats (ignoring case; the first
 * spelling is asked), blank ones and ones over 100 characters (ESI refuses
 * those, and no EVE name is that long) are dropped before asking.
 */
export async function universeIds(
  client: EsiClient,
  names: readonly string[],
  budget?: EsiBudget,
  options?: EsiCallOptions,
): Promise<UniverseIds> {
  const byLower = new Map<string, string>();
  for (const name of names.map((n) => n.trim())) {
    if (name.length > 0 && name.length <= 100 && !byLower.has(name.toLowerCase())) byLower.set(name.toLowerCase(), name);
  }
  const unique = [...byLower.values()];
  if (unique.length === 0) return { corporations: [], alliances: [] };
  if (unique.length > IDS_BATCH) throw new RangeError(`at most ${IDS_BATCH} names per /universe/ids request`);
  const route = ESI_ROUTES.ids;
  const { data } = await client.request({ method: route.method, path: route.path, schema: route.schema, body: unique, ...callOptions(options) }, budget);
  const matches = (rows: typeof data.corporations): IdMatch[] =>
    (rows ?? []).flatMap((row) => (row.id === undefined || row.name === undefined ? [] : [{ id: toBigId(row.id), name: row.name }]));
  return { corporations: matches(data.corporations), alliances: matches(data.alliances) };
}
