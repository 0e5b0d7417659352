/**
 * Zod schemas of the ESI response bodies the bot reads, written from the ESI
 * OpenAPI document (compatibility date 2026-08-18), snake_case as on the wire.
 * test/esi/schemas.test.ts holds each against the OpenAPI fixture, so they
 * cannot drift from ESI: required stays required, optional stays optional,
 * every declared property is typed.
 *
 * Two deliberate relaxations:
 * - enums are read as plain strings: CCP adds values (journal ref types,
 *   corporation roles, name categories) without a new compatibility date, and
 *   one new value must not make a whole wallet journal unreadable. The values
 *   the spec lists are in comments.
 * - unknown properties are dropped (zod's default), not refused.
 */
import { z } from 'zod';

/** format int64. EVE ids fit in a double; conversion to bigint happens in the route helpers. */
const int64 = z.number().int();
/** format double */
const double = z.number();
/** format date-time; ESI writes `2015-03-24T11:37:00Z` */
const dateTime = z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'expected a date-time');

/** Error: ESI's error body */
export const esiErrorSchema = z.object({
  error: z.string(),
  status: int64.optional(),
  details: z
    .array(
      z.object({
        location: z.string().optional(),
        message: z.string().optional(),
        value: z.unknown().optional(),
      }),
    )
    .optional(),
});

/** CharactersDetail: GET /characters/{character_id} */
export const characterSchema = z.object({
  achievement_score: int64,
  alliance_id: int64.optional(),
  birthday: dateTime,
  bloodline_id: int64,
  /** format uuid */
  character_title_id: z.string().optional(),
  corporation_id: int64,
  corporation_title: z.string().optional(),
  description: z.string().optional(),
  faction_id: int64.optional(),
  /** male | female */
  gender: z.string(),
  name: z.string(),
  race_id: int64,
  security_status: double.optional(),
});

/** CharactersAffiliationPost: POST /characters/affiliation */
export const affiliationSchema = z.array(
  z.object({
    alliance_id: int64.optional(),
    character_id: int64,
    corporation_id: int64,
    faction_id: int64.optional(),
  }),
);

/** CharactersCharacterIdWalletGet: GET /characters/{character_id}/wallet, a bare number of ISK */
export const walletSchema = double;

/** CharactersCharacterIdWalletJournalGet: GET /characters/{character_id}/wallet/journal (paged) */
export const journalSchema = z.array(
  z.object({
    amount: double.optional(),
    balance: double.optional(),
    context_id: int64.optional(),
    /** structure_id | station_id | market_transaction_id | character_id | corporation_id | alliance_id | eve_system | industry_job_id | contract_id | planet_id | system_id | type_id */
    context_id_type: z.string().optional(),
    date: dateTime,
    description: z.string(),
    first_party_id: int64.optional(),
    id: int64,
    reason: z.string().optional(),
    /** one of ~190 transaction types (player_donation, bounty_prizes, market_transaction, …) */
    ref_type: z.string(),
    second_party_id: int64.optional(),
    tax: double.optional(),
    tax_receiver_id: int64.optional(),
  }),
);

/** CharactersSkills: GET /characters/{character_id}/skills */
export const skillsSchema = z.object({
  skills: z.array(
    z.object({
      active_skill_level: int64,
      skill_id: int64,
      skillpoints_in_skill: int64,
      trained_skill_level: int64,
    }),
  ),
  total_sp: int64,
  unallocated_sp: int64.optional(),
});

/** CharactersSkillqueueSkill[]: GET /characters/{character_id}/skillqueue */
export const skillQueueSchema = z.array(
  z.object({
    finish_date: dateTime.optional(),
    finished_level: int64,
    level_end_sp: int64.optional(),
    level_start_sp: int64.optional(),
    queue_position: int64,
    skill_id: int64,
    start_date: dateTime.optional(),
    training_start_sp: int64.optional(),
  }),
);

/** UniverseNamesPost: POST /universe/names */
export const namesSchema = z.array(
  z.object({
    /** alliance | character | constellation | corporation | inventory_type | region | solar_system | station | faction */
    category: z.string(),
    id: int64,
    name: z.string(),
  }),
);

/** CorporationsDetail: GET /corporations/{corporation_id} */
export const corporationSchema = z.object({
  alliance_id: int64.optional(),
  ceo_id: int64.optional(),
  creator_id: int64.optional(),
  date_founded: dateTime.optional(),
  description: z.string(),
  enlisted_faction_id: int64.optional(),
  /** legal | illegal */
  friendly_fire: z.string(),
  home_station_id: int64,
  member_count: int64,
  name: z.string(),
  palette: z
    .object({
      main_color: z.string(),
      secondary_color: z.string().optional(),
      tertiary_color: z.string().optional(),
    })
    .optional(),
  shares: int64,
  /** active | closed */
  state: z.string(),
  tax_rates: z.object({ isk: double, loyalty_point: double }),
  ticker: z.string(),
  /** player_owned | npc_owned */
  type: z.string(),
  url: z.string().optional(),
  war_eligible: z.boolean(),
});

/** CorporationsCorporationIdMembersGet: GET /corporations/{corporation_id}/members, character ids */
export const corporationMembersSchema = z.array(int64);

/** corporation role names (Director, Personnel_Manager, Accountant, …; 54 in the spec) */
const roleList = z.array(z.string());

/** CharactersCharacterIdRolesGet: GET /characters/{character_id}/roles */
export const characterRolesSchema = z.object({
  roles: roleList.optional(),
  roles_at_base: roleList.optional(),
  roles_at_hq: roleList.optional(),
  roles_at_other: roleList.optional(),
});

/** AllianceDetail: GET /alliances/{alliance_id} */
export const allianceSchema = z.object({
  creator_corporation_id: int64,
  creator_id: int64,
  date_founded: dateTime,
  executor_corporation_id: int64.optional(),
  faction_id: int64.optional(),
  name: z.string(),
  ticker: z.string(),
});

export interface EsiRouteSpec {
  method: 'GET' | 'POST';
  /** the OpenAPI path */
  path: string;
  /** the SSO scope the route needs; null for public routes */
  scope: string | null;
  /** the OpenAPI x-rate-limit group; null for routes under the error limit */
  rateLimitGroup: string | null;
  schema: z.ZodType;
}

/** Every ESI route the bot calls. The schema test checks each against the OpenAPI fixture (path, method, scope, body). */
export const ESI_ROUTES = {
  character: { method: 'GET', path: '/characters/{character_id}', scope: null, rateLimitGroup: null, schema: characterSchema },
  affiliation: { method: 'POST', path: '/characters/affiliation', scope: null, rateLimitGroup: null, schema: affiliationSchema },
  wallet: {
    method: 'GET',
    path: '/characters/{character_id}/wallet',
    scope: 'esi-wallet.read_character_wallet.v1',
    rateLimitGroup: 'char-wallet',
    schema: walletSchema,
  },
  journal: {
    method: 'GET',
    path: '/characters/{character_id}/wallet/journal',
    scope: 'esi-wallet.read_character_wallet.v1',
    rateLimitGroup: 'char-wallet',
    schema: journalSchema,
  },
  skills: { method: 'GET', path: '/characters/{character_id}/skills', scope: 'esi-skills.read_skills.v1', rateLimitGroup: 'char-detail', schema: skillsSchema },
  skillqueue: {
    method: 'GET',
    path: '/characters/{character_id}/skillqueue',
    scope: 'esi-skills.read_skillqueue.v1',
    rateLimitGroup: 'char-detail',
    schema: skillQueueSchema,
  },
  names: { method: 'POST', path: '/universe/names', scope: null, rateLimitGroup: null, schema: namesSchema },
  corporation: { method: 'GET', path: '/corporations/{corporation_id}', scope: null, rateLimitGroup: null, schema: corporationSchema },
  members: {
    method: 'GET',
    path: '/corporations/{corporation_id}/members',
    scope: 'esi-corporations.read_corporation_membership.v1',
    rateLimitGroup: 'corp-member',
    schema: corporationMembersSchema,
  },
  roles: {
    method: 'GET',
    path: '/characters/{character_id}/roles',
    scope: 'esi-characters.read_corporation_roles.v1',
    rateLimitGroup: 'char-detail',
    schema: characterRolesSchema,
  },
  alliance: { method: 'GET', path: '/alliances/{alliance_id}', scope: null, rateLimitGroup: null, schema: allianceSchema },
} as const satisfies Record<string, EsiRouteSpec>;

export type EsiRouteKey = keyof typeof ESI_ROUTES;

/** '/characters/{character_id}/wallet' + {character_id: 9n} -> '/characters/9/wallet' */
export function routePath(template: string, params: Record<string, bigint | number>): string {
  return template.replace(/\{(\w+)\}/g, (_match, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`missing path parameter ${name} for ${template}`);
    const text = value.toString();
    if (!/^\d+$/.test(text)) throw new RangeError(`path parameter ${name} must be a non-negative integer`);
    return text;
  });
}

const COMPILED_ROUTES = Object.values(ESI_ROUTES as Record<string, EsiRouteSpec>).map((route) => ({
  route,
  pattern: new RegExp(`^${route.path.replace(/\{\w+\}/g, '\\d+')}$`),
}));

/** the known route a concrete method and path belong to, if any */
export function findRoute(method: string, path: string): EsiRouteSpec | undefined {
  return COMPILED_ROUTES.find((c) => c.route.method === method && c.pattern.test(path))?.route;
}
