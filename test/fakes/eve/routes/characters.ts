/** /characters/... routes. Bodies follow the OpenAPI schemas named beside each. */
import { parseIds } from './ids.ts';
import { esiDate, fail, ok, type RouteContext, type RouteHandler, type RouteResult } from './types.ts';

const DEFAULT_BIRTHDAY = '2015-03-24T11:37:00Z';

function characterOr404(ctx: RouteContext) {
  return ctx.world.character(ctx.params.character_id!) ?? fail(404, 'Character not found');
}

/** GET /characters/{id} -> CharactersDetail */
export const character: RouteHandler = (ctx) => {
  const c = characterOr404(ctx);
  if ('status' in c) return c;
  const allianceId = ctx.world.allianceOf(c);
  return ok({
    achievement_score: 0,
    ...(allianceId === undefined ? {} : { alliance_id: allianceId }),
    birthday: esiDate(c.birthday ?? DEFAULT_BIRTHDAY),
    bloodline_id: 1,
    corporation_id: c.corporationId,
    description: '',
    gender: 'male',
    name: c.name,
    race_id: 1,
    security_status: c.securityStatus ?? 0,
  });
};

/** POST /characters/affiliation -> CharactersAffiliationPost; unknown ids are left out */
export const affiliation: RouteHandler = (ctx) => {
  const ids = parseIds(ctx.body);
  if (!Array.isArray(ids)) return ids;
  const rows = ids.flatMap((id) => {
    const c = ctx.world.character(id);
    if (!c) return [];
    const allianceId = ctx.world.allianceOf(c);
    return [{ character_id: id, corporation_id: c.corporationId, ...(allianceId === undefined ? {} : { alliance_id: allianceId }) }];
  });
  // What ESI said when none of the ids was a character.
  return rows.length === 0 ? fail(404, 'No characters found!') : ok(rows);
};

/** GET /characters/{id}/wallet -> a bare number */
export const wallet: RouteHandler = (ctx) => {
  const c = characterOr404(ctx);
  return 'status' in c ? c : ok(c.wallet ?? 0);
};

/** GET /characters/{id}/wallet/journal -> CharactersCharacterIdWalletJournalGet, paged with X-Pages */
export const journal: RouteHandler = (ctx) => {
  const c = characterOr404(ctx);
  if ('status' in c) return c;
  const entries = c.journal ?? [];
  const pages = Math.max(1, Math.ceil(entries.length / ctx.journalPageSize));
  const pageParam = ctx.query.get('page');
  const page = pageParam === null ? 1 : Number(pageParam);
  if (!Number.isInteger(page) || page < 1) return fail(400, 'page must be an integer >= 1');
  if (page > pages) return fail(404, 'Requested page does not exist!');
  const slice = entries.slice((page - 1) * ctx.journalPageSize, page * ctx.journalPageSize);
  return ok(slice, { 'X-Pages': String(pages) });
};

/** GET /characters/{id}/skills -> CharactersSkills */
export const skills: RouteHandler = (ctx) => {
  const c = characterOr404(ctx);
  return 'status' in c ? c : ok(c.skills ?? { skills: [], total_sp: 0 });
};

/** GET /characters/{id}/skillqueue -> CharactersSkillqueueSkill[] */
export const skillqueue: RouteHandler = (ctx) => {
  const c = characterOr404(ctx);
  return 'status' in c ? c : ok(c.skillqueue ?? []);
};

/** GET /characters/{id}/roles -> CharactersCharacterIdRolesGet */
export const roles: RouteHandler = (ctx): RouteResult => {
  const c = characterOr404(ctx);
  if ('status' in c) return c;
  return ok({ roles: c.roles ?? [], roles_at_base: [], roles_at_hq: [], roles_at_other: [] });
};
