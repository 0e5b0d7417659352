/** /corporations/... and /alliances/... routes. */
import { fail, ok, type RouteHandler } from './types.ts';

const FOUNDED = '2016-07-01T12:00:00Z';
const JITA_4_4 = 60003760;

/** GET /corporations/{id} -> CorporationsDetail */
export const corporation: RouteHandler = (ctx) => {
  const id = ctx.params.corporation_id!;
  const corp = ctx.world.corporations.get(id);
  if (!corp) return fail(404, 'Corporation not found');
  const members = ctx.world.membersOf(id);
  const npc = id >= 1_000_000 && id < 2_000_000; // NPC corporation id range
  return ok({
    ...(corp.allianceId === undefined ? {} : { alliance_id: corp.allianceId }),
    ceo_id: members[0] ?? 1,
    creator_id: members[0] ?? 1,
    date_founded: FOUNDED,
    description: '',
    friendly_fire: 'illegal',
    home_station_id: JITA_4_4,
    member_count: members.length,
    name: corp.name,
    shares: 1000,
    state: 'active',
    tax_rates: { isk: 10, loyalty_point: 0 },
    ticker: corp.ticker,
    type: npc ? 'npc_owned' : 'player_owned',
    url: '',
    war_eligible: !npc,
  });
};

/** GET /corporations/{id}/members -> character ids; the server already checked the caller is a member */
export const members: RouteHandler = (ctx) => {
  const id = ctx.params.corporation_id!;
  if (!ctx.world.corporations.has(id)) return fail(404, 'Corporation not found');
  return ok(ctx.world.membersOf(id));
};

/** GET /alliances/{id} -> AllianceDetail */
export const alliance: RouteHandler = (ctx) => {
  const id = ctx.params.alliance_id!;
  const a = ctx.world.alliances.get(id);
  if (!a) return fail(404, 'Alliance not found');
  const corps = [...ctx.world.corporations.values()].filter((c) => c.allianceId === id);
  const executor = corps[0]?.id;
  return ok({
    creator_corporation_id: executor ?? 98000001,
    creator_id: (executor !== undefined ? ctx.world.membersOf(executor)[0] : undefined) ?? 1,
    date_founded: FOUNDED,
    ...(executor === undefined ? {} : { executor_corporation_id: executor }),
    name: a.name,
    ticker: a.ticker,
  });
};
