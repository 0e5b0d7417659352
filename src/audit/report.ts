/**
 * The audit as plain data (no Discord, no database), and its assembly from
 * what the service gathered. The command formats it; the CSV export writes it.
 */
import { grantHealth, type GrantHealth } from '../links/grantHealth.ts';
import { newerAffiliation, type Affiliation, type AffiliationChange } from './affiliations.ts';
import type { MemberList } from './corporationMembers.ts';
import type { StoredCharacter } from '../links/roster.ts';
import type { TrailEvent } from './trail.ts';

export interface AuditCharacter {
  id: bigint;
  name: string;
  isMain: boolean;
  corporationId: bigint | null;
  allianceId: bigint | null;
  /** the corporation stored before this audit saw another one */
  previousCorporationId: bigint | null;
  /** was in a tracked corporation (any corporation, when none is tracked) and is not any more */
  left: boolean;
  health: GrantHealth;
  missingScopes: string[];
  invalidReason: string | null;
  linkedAt: Date;
  lastRefreshedAt: Date | null;
}

export interface AuditMember {
  discordUserId: bigint;
  /** Discord username as last seen; null when never seen with a name */
  name: string | null;
  characters: AuditCharacter[];
}

export interface TrackedCorporation {
  corporationId: bigint;
  list: MemberList['status'];
  /** ok: size of the member list */
  memberCount: number;
  /** ok: members linked by a member of this guild */
  linkedHere: number;
  /** ok: members no member of this guild linked (what other guilds' users linked is never counted here) */
  missing: bigint[];
}

/** Characters and distinct Discord members per corporation or alliance. */
export interface Tally {
  id: bigint;
  characters: number;
  members: number;
}

export interface AuditTotals {
  members: number;
  linkedMembers: number;
  characters: number;
  mains: number;
  alts: number;
  ok: number;
  dead: number;
  missingScopes: number;
  left: number;
  /** sum of `missing` over the tracked corporations whose list was read */
  missing: number;
}

export interface AuditReport {
  guildId: bigint;
  generatedAt: Date;
  /** true: the members came from Discord (Guild Members intent); false: those recorded by the bot */
  membersListed: boolean;
  /** false: ESI did not answer, corporations are the stored ones */
  affiliationsLive: boolean;
  trackedCorporationIds: bigint[];
  /** every member in scope, linked ones first, then by name */
  members: AuditMember[];
  totals: AuditTotals;
  corporations: Tally[];
  alliances: Tally[];
  tracked: TrackedCorporation[];
  /** corporation, alliance and missing-character names; ids absent when ESI did not know them */
  names: Map<bigint, string>;
  events: TrailEvent[];
  /** role sync health, when the guild has role rules: refusals recorded, members keeping roles on a dead login's grace */
  roleSync?: { problems: number; inGrace: number };
}

export interface ReportInputs {
  guildId: bigint;
  membersListed: boolean;
  members: { discordUserId: bigint; name: string | null }[];
  characters: StoredCharacter[];
  affiliations: Map<bigint, Affiliation> | undefined;
  trackedCorporationIds: bigint[];
  memberLists: Map<bigint, MemberList>;
  /** of the ids in the member lists: which member of this guild linked each one */
  linkedOwners: Map<bigint, bigint>;
  requiredScopes: readonly string[];
  names: Map<bigint, string>;
  events: TrailEvent[];
}

/** Affiliation changes to store: characters ESI places elsewhere than stored. */
export function affiliationChanges(characters: readonly StoredCharacter[], affiliations: Map<bigint, Affiliation> | undefined): AffiliationChange[] {
  if (!affiliations) return [];
  return characters.flatMap((c) => {
    const now = newerAffiliation(c, affiliations.get(c.id));
    if (!now || (now.corporationId === c.corporationId && now.allianceId === c.allianceId)) return [];
    return [{ characterId: c.id, discordUserId: c.discordUserId, name: c.name, from: { corporationId: c.corporationId, allianceId: c.allianceId }, to: now }];
  });
}

export function assembleReport(input: ReportInputs): AuditReport {
  const tracked = new Set(input.trackedCorporationIds);
  const byUser = new Map<bigint, AuditCharacter[]>();
  for (const c of input.characters) {
    const now = newerAffiliation(c, input.affiliations?.get(c.id));
    const corporationId = now?.corporationId ?? c.corporationId;
    const moved = now !== undefined && c.corporationId !== null && now.corporationId !== c.corporationId;
    const left = moved && (tracked.size === 0 || (tracked.has(c.corporationId!) && !tracked.has(now.corporationId)));
    const { health, missingScopes } = grantHealth(c.grant, input.requiredScopes);
    const character: AuditCharacter = {
      id: c.id,
      name: c.name,
      isMain: c.isMain,
      corporationId,
      allianceId: now ? now.allianceId : c.allianceId,
      previousCorporationId: moved ? c.corporationId : null,
      left,
      health,
      missingScopes,
      invalidReason: c.grant?.invalidReason ?? null,
      linkedAt: c.linkedAt,
      lastRefreshedAt: c.grant?.lastRefreshedAt ?? null,
    };
    const list = byUser.get(c.discordUserId) ?? [];
    list.push(character);
    byUser.set(c.discordUserId, list);
  }

  const members: AuditMember[] = input.members.map((m) => ({
    discordUserId: m.discordUserId,
    name: m.name,
    // Main first, then by name.
    characters: (byUser.get(m.discordUserId) ?? []).sort((a, b) => Number(b.isMain) - Number(a.isMain) || a.name.localeCompare(b.name)),
  }));
  members.sort(
    (a, b) =>
      Number(b.characters.length > 0) - Number(a.characters.length > 0) ||
      (a.name ?? '').localeCompare(b.name ?? '') ||
      (a.discordUserId < b.discordUserId ? -1 : a.discordUserId > b.discordUserId ? 1 : 0),
  );

  const all = members.flatMap((m) => m.characters.map((c) => ({ c, owner: m.discordUserId })));
  const memberIds = new Set(input.members.map((m) => m.discordUserId));
  const trackedReports = input.trackedCorporationIds.map((corporationId) => trackedReport(corporationId, input.memberLists.get(corporationId), input.linkedOwners, memberIds));

  return {
    guildId: input.guildId,
    generatedAt: new Date(),
    membersListed: input.membersListed,
    affiliationsLive: input.affiliations !== undefined,
    trackedCorporationIds: input.trackedCorporationIds,
    members,
    totals: {
      members: members.length,
      linkedMembers: members.filter((m) => m.characters.length > 0).length,
      characters: all.length,
      mains: all.filter(({ c }) => c.isMain).length,
      alts: all.filter(({ c }) => !c.isMain).length,
      ok: all.filter(({ c }) => c.health === 'ok').length,
      dead: all.filter(({ c }) => c.health === 'invalid').length,
      missingScopes: all.filter(({ c }) => c.health === 'missing_scopes').length,
      left: all.filter(({ c }) => c.left).length,
      missing: trackedReports.reduce((sum, t) => sum + t.missing.length, 0),
    },
    corporations: tally(all, (c) => c.corporationId),
    alliances: tally(all, (c) => c.allianceId),
    tracked: trackedReports,
    names: input.names,
    events: input.events,
  };
}

function trackedReport(corporationId: bigint, list: MemberList | undefined, linkedOwners: Map<bigint, bigint>, members: Set<bigint>): TrackedCorporation {
  if (!list || list.status !== 'ok') return { corporationId, list: list?.status ?? 'no_token', memberCount: 0, linkedHere: 0, missing: [] };
  let linkedHere = 0;
  const missing: bigint[] = [];
  for (const id of list.memberIds) {
    const owner = linkedOwners.get(id);
    if (owner !== undefined && members.has(owner)) linkedHere += 1;
    else missing.push(id);
  }
  return { corporationId, list: 'ok', memberCount: list.memberIds.length, linkedHere, missing };
}

function tally(all: { c: AuditCharacter; owner: bigint }[], key: (c: AuditCharacter) => bigint | null): Tally[] {
  const counts = new Map<bigint, { characters: number; owners: Set<bigint> }>();
  for (const { c, owner } of all) {
    const id = key(c);
    if (id === null) continue;
    const entry = counts.get(id) ?? { characters: 0, owners: new Set() };
    entry.characters += 1;
    entry.owners.add(owner);
    counts.set(id, entry);
  }
  return [...counts]
    .map(([id, { characters, owners }]) => ({ id, characters, members: owners.size }))
    .sort((a, b) => b.characters - a.characters || (a.id < b.id ? -1 : 1));
}
