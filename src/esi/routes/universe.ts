/** POST /universe/names: one batch. src/esi/names.ts batches, caches and bisects around it. */
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
