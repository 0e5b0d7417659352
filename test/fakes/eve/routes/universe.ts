/** POST /universe/names. */
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
