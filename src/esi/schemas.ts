/**
 * What the bot reads from each ESI route, as zod schemas: only the fields the
 * route helpers (src/esi/routes/) map, required only where a caller needs the
 * field. Unknown fields are dropped and absent ones the bot does not read
 * never fail a request: CCP adds and drops fields between compatibility
 * dates, and a corporation answer without `war_eligible` must not stop
 * /audit. Each route also names its `specSchema` (src/esi/specSchemas.ts, the
 * full OpenAPI shape), which the client checks only to log a warning when
 * ESI drifts from its document. test/esi/schemas.test.ts holds both against
 * the OpenAPI fixture: every field here exists there with a compatible type.
 *
 * Snake_case as on the wire; ids stay numbers until the route helpers.
 */
import { z } from 'zod';
import {
  affiliationSpecSchema,
  allianceSpecSchema,
  characterRolesSpecSchema,
  characterSpecSchema,
  corporationMembersSpecSchema,
  corporationSpecSchema,
  dateTime,
  double,
  idsSpecSchema,
  int64,
  journalSpecSchema,
  namesSpecSchema,
  skillQueueSpecSchema,
  skillsSpecSchema,
  walletSpecSchema,
} from './specSchemas.ts';

export { esiErrorSchema } from './specSchemas.ts';

/** GET /characters/{character_id}: character() */
export const characterSchema = z.object({
  name: z.string(),
  corporation_id: int64,
  alliance_id: int64.optional(),
  faction_id: int64.optional(),
  birthday: dateTime.optional(),
  security_status: double.optional(),
});

/** POST /characters/affiliation: where characters are (audit, linking) */
export const affiliationSchema = z.array(
  z.object({
    character_id: int64,
    corporation_id: int64,
    alliance_id: int64.optional(),
    faction_id: int64.optional(),
  }),
);

/** GET /characters/{character_id}/wallet: a bare number of ISK */
export const walletSchema = double;

/** GET /characters/{character_id}/wallet/journal: /wallet shows date, ref type, amount and balance */
export const journalSchema = z.array(
  z.object({
    /** the entry's identity: pages and later reads are matched on it */
    id: int64,
    date: dateTime,
    /** one of ~190 transaction types (player_donation, bounty_prizes, …); new ones appear without notice */
    ref_type: z.string(),
    amount: double.optional(),
    balance: double.optional(),
    description: z.string().optional(),
    reason: z.string().optional(),
    first_party_id: int64.optional(),
    second_party_id: int64.optional(),
    context_id: int64.optional(),
    context_id_type: z.string().optional(),
    tax: double.optional(),
    tax_receiver_id: int64.optional(),
  }),
);

/** GET /characters/{character_id}/skills: /skills needs the trained levels and the totals */
export const skillsSchema = z.object({
  skills: z.array(
    z.object({
      skill_id: int64,
      trained_skill_level: int64,
      active_skill_level: int64.optional(),
      skillpoints_in_skill: int64.optional(),
    }),
  ),
  total_sp: int64,
  unallocated_sp: int64.optional(),
});

/** GET /characters/{character_id}/skillqueue: /skills reads every field */
export const skillQueueSchema = z.array(
  z.object({
    skill_id: int64,
    finished_level: int64,
    queue_position: int64,
    start_date: dateTime.optional(),
    finish_date: dateTime.optional(),
    level_start_sp: int64.optional(),
    level_end_sp: int64.optional(),
    training_start_sp: int64.optional(),
  }),
);

/** POST /universe/names: names for display; the audit matches corporations by category */
export const namesSchema = z.array(
  z.object({
    id: int64,
    name: z.string(),
    /** alliance | character | constellation | corporation | inventory_type | region | solar_system | station | faction */
    category: z.string(),
  }),
);

/**
 * POST /universe/ids: /roles looks up typed corporation and alliance names.
 * The spec makes `id` and `name` optional; universeIds() drops a row missing either.
 */
const idMatches = z.array(z.object({ id: int64.optional(), name: z.string().optional() })).optional();
export const idsSchema = z.object({
  corporations: idMatches,
  alliances: idMatches,
});

/** GET /corporations/{corporation_id}: name and ticker for display and /audit settings */
export const corporationSchema = z.object({
  name: z.string(),
  ticker: z.string(),
  alliance_id: int64.optional(),
  member_count: int64.optional(),
  ceo_id: int64.optional(),
});

/** GET /corporations/{corporation_id}/members: character ids */
export const corporationMembersSchema = z.array(int64);

/** GET /characters/{character_id}/roles: corporation role names (Director, Personnel_Manager, …) */
export const characterRolesSchema = z.object({
  roles: z.array(z.string()).optional(),
  roles_at_base: z.array(z.string()).optional(),
  roles_at_hq: z.array(z.string()).optional(),
  roles_at_other: z.array(z.string()).optional(),
});

/** GET /alliances/{alliance_id}: name and ticker for display */
export const allianceSchema = z.object({
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
  /** what the bot reads: a body that fails it fails the request */
  schema: z.ZodType;
  /** the body as the OpenAPI document describes it: a mismatch is only logged */
  specSchema: z.ZodType;
}

/** Every ESI route the bot calls. The schema test checks each against the OpenAPI fixture (path, method, scope, bodies). */
export const ESI_ROUTES = {
  character: {
    method: 'GET',
    path: '/characters/{character_id}',
    scope: null,
    rateLimitGroup: null,
    schema: characterSchema,
    specSchema: characterSpecSchema,
  },
  affiliation: {
    method: 'POST',
    path: '/characters/affiliation',
    scope: null,
    rateLimitGroup: null,
    schema: affiliationSchema,
    specSchema: affiliationSpecSchema,
  },
  wallet: {
    method: 'GET',
    path: '/characters/{character_id}/wallet',
    scope: 'esi-wallet.read_character_wallet.v1',
    rateLimitGroup: 'char-wallet',
    schema: walletSchema,
    specSchema: walletSpecSchema,
  },
  journal: {
    method: 'GET',
    path: '/characters/{character_id}/wallet/journal',
    scope: 'esi-wallet.read_character_wallet.v1',
    rateLimitGroup: 'char-wallet',
    schema: journalSchema,
    specSchema: journalSpecSchema,
  },
  skills: {
    method: 'GET',
    path: '/characters/{character_id}/skills',
    scope: 'esi-skills.read_skills.v1',
    rateLimitGroup: 'char-detail',
    schema: skillsSchema,
    specSchema: skillsSpecSchema,
  },
  skillqueue: {
    method: 'GET',
    path: '/characters/{character_id}/skillqueue',
    scope: 'esi-skills.read_skillqueue.v1',
    rateLimitGroup: 'char-detail',
    schema: skillQueueSchema,
    specSchema: skillQueueSpecSchema,
  },
  names: {
    method: 'POST',
    path: '/universe/names',
    scope: null,
    rateLimitGroup: null,
    schema: namesSchema,
    specSchema: namesSpecSchema,
  },
  ids: {
    method: 'POST',
    path: '/universe/ids',
    scope: null,
    rateLimitGroup: null,
    schema: idsSchema,
    specSchema: idsSpecSchema,
  },
  corporation: {
    method: 'GET',
    path: '/corporations/{corporation_id}',
    scope: null,
    rateLimitGroup: null,
    schema: corporationSchema,
    specSchema: corporationSpecSchema,
  },
  members: {
    method: 'GET',
    path: '/corporations/{corporation_id}/members',
    scope: 'esi-corporations.read_corporation_membership.v1',
    rateLimitGroup: 'corp-member',
    schema: corporationMembersSchema,
    specSchema: corporationMembersSpecSchema,
  },
  roles: {
    method: 'GET',
    path: '/characters/{character_id}/roles',
    scope: 'esi-characters.read_corporation_roles.v1',
    rateLimitGroup: 'char-detail',
    schema: characterRolesSchema,
    specSchema: characterRolesSpecSchema,
  },
  alliance: {
    method: 'GET',
    path: '/alliances/{alliance_id}',
    scope: null,
    rateLimitGroup: null,
    schema: allianceSchema,
    specSchema: allianceSpecSchema,
  },
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
