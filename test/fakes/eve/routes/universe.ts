/** POST /universe/names and POST /universe/ids. */
import { z } from 'zod';
import { parseIds } from './ids.ts';
import { fail, ok, type RouteHandler } from './types.ts';

/** -> UniverseNamesPost; one unknown id fails the whole request, as on ESI */
export const names: RouteHandler = (ctx) => {
  const ids = parseIds(ctx.body);
  if (!Array.isArray(ids)) return ids;
  const rows = ids.map((id) => ctx.world.resolveName(id));
  if (rows.some((row) => row === undefined)) return fail(404, 'Ensure all IDs are valid before resolving.');
  return ok(rows);
};

// The request body: array of strings (length 1–100), minItems 1, maxItems 500, uniqueItems.
const nameList = z
  .array(z.string().min(1, 'names must not be empty').max(100, 'names are at most 100 characters'))
  .min(1, 'at least one name is required')
  .max(500, 'at most 500 names are allowed')
  .refine((list) => new Set(list).size === list.length, 'names must be unique');

/** name category (as /universe/names gives it) -> UniverseIdsPost property */
const ID_GROUPS: Record<string, string> = {
  agent: 'agents',
  alliance: 'alliances',
  character: 'characters',
  constellation: 'constellations',
  corporation: 'corporations',
  faction: 'factions',
  inventory_type: 'inventory_types',
  region: 'regions',
  solar_system: 'systems',
  station: 'stations',
};

/**
 * -> UniverseIdsPost: exact names, case-insensitive, from the world.
 * Categories without a match are absent; unknown names are left out (no
 * 404), as on ESI.
 */
export const ids: RouteHandler = (ctx) => {
  const parsed = nameList.safeParse(ctx.body);
  if (!parsed.success) return fail(400, `Invalid body: ${parsed.error.issues[0]?.message ?? 'expected an array of names'}`);
  const body: Record<string, { id: number; name: string }[]> = {};
  for (const entry of ctx.world.findByName(parsed.data)) {
    const group = ID_GROUPS[entry.category];
    if (group === undefined) continue;
    (body[group] ??= []).push({ id: entry.id, name: entry.name });
  }
  return ok(body);
};
