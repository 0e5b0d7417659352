/**
 * Zod schemas of the ESI response bodies as the ESI OpenAPI document
 * (compatibility date 2026-08-18) describes them, snake_case as on the wire:
 * every declared property, required stays required. They do not decide
 * whether a request succeeds (src/esi/schemas.ts holds what the bot reads);
 * the client checks answers against them only to warn, once per route and
 * compatibility date, when ESI's answers drift from the document.
 * test/esi/schemas.test.ts holds each against the OpenAPI fixture.
 *
 * Enums are read as plain strings: CCP adds values (journal ref types,
 * corporation roles, name categories) without a new compatibility date. The
 * values the spec lists are in comments.
 */
import { z } from 'zod';

/** format int64. EVE ids fit in a double; conversion to bigint happens in the route helpers. */
export const int64 = z.number().int();
/** format double */
export const double = z.number();
/** format date-time; ESI writes `2015-03-24T11:37:00Z` */
export const dateTime = z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'expected a date-time');

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
export const characterSpecSchema = z.object({
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
export const affiliationSpecSchema = z.array(
  z.object({
    alliance_id: int64.optional(),
    character_id: int64,
    corporation_id: int64,
    faction_id: int64.optional(),
  }),
);

/** CharactersCharacterIdWalletGet: GET /characters/{character_id}/wallet, a bare number of ISK */
export const walletSpecSchema = double;

/** CharactersCharacterIdWalletJournalGet: GET /characters/{character_id}/wallet/journal (paged) */
export const journalSpecSchema = z.array(
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
export const skillsSpecSchema = z.object({
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
export const skillQueueSpecSchema = z.array(
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
export const namesSpecSchema = z.array(
  z.object({
    /** alliance | character | constellation | corporation | inventory_type | region | solar_system | station | faction */
    category: z.string(),
    id: int64,
    name: z.string(),
  }),
);

/** UniverseIdsPost_*_inner: `{id, name}`, both optional in the spec */
const idEntries = z.array(z.object({ id: int64.optional(), name: z.string().optional() }));

/** UniverseIdsPost: POST /universe/ids, matches per category; a category without one is absent */
export const idsSpecSchema = z.object({
  agents: idEntries.optional(),
  alliances: idEntries.optional(),
  characters: idEntries.optional(),
  constellations: idEntries.optional(),
  corporations: idEntries.optional(),
  factions: idEntries.optional(),
  inventory_types: idEntries.optional(),
  regions: idEntries.optional(),
  stations: idEntries.optional(),
  systems: idEntries.optional(),
});

/** CorporationsDetail: GET /corporations/{corporation_id} */
export const corporationSpecSchema = z.object({
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
export const corporationMembersSpecSchema = z.array(int64);

/** corporation role names (Director, Personnel_Manager, Accountant, …; 54 in the spec) */
const roleList = z.array(z.string());

/** CharactersCharacterIdRolesGet: GET /characters/{character_id}/roles */
export const characterRolesSpecSchema = z.object({
  roles: roleList.optional(),
  roles_at_base: roleList.optional(),
  roles_at_hq: roleList.optional(),
  roles_at_other: roleList.optional(),
});

/** AllianceDetail: GET /alliances/{alliance_id} */
export const allianceSpecSchema = z.object({
  creator_corporation_id: int64,
  creator_id: int64,
  date_founded: dateTime,
  executor_corporation_id: int64.optional(),
  faction_id: int64.optional(),
  name: z.string(),
  ticker: z.string(),
});
