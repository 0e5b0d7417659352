/**
 * The fake universe: characters, corporations, alliances and extra names.
 * Body types follow the ESI OpenAPI schemas (snake_case, as on the wire).
 */
import { randomBytes } from 'node:crypto';

/** CharactersCharacterIdWalletJournalGet_inner */
export interface JournalEntry {
  id: number;
  date: string;
  ref_type: string;
  description: string;
  amount?: number;
  balance?: number;
  context_id?: number;
  context_id_type?: string;
  first_party_id?: number;
  second_party_id?: number;
  reason?: string;
  tax?: number;
  tax_receiver_id?: number;
}

/** CharactersSkillsSkill */
export interface SkillEntry {
  skill_id: number;
  active_skill_level: number;
  trained_skill_level: number;
  skillpoints_in_skill: number;
}

/** CharactersSkills */
export interface SkillsBody {
  skills: SkillEntry[];
  total_sp: number;
  unallocated_sp?: number;
}

/** CharactersSkillqueueSkill */
export interface SkillqueueEntry {
  skill_id: number;
  finished_level: number;
  queue_position: number;
  start_date?: string;
  finish_date?: string;
  level_start_sp?: number;
  level_end_sp?: number;
  training_start_sp?: number;
}

export interface FakeCharacter {
  id: number;
  name: string;
  corporationId: number;
  /** overrides the corporation's alliance (normally leave unset: the corporation's allianceId is used) */
  allianceId?: number;
  /** default: random base64, like EVE's */
  ownerHash?: string;
  /** ISK; default 0 */
  wallet?: number;
  /** served in the given order (ESI lists newest first) */
  journal?: JournalEntry[];
  skills?: SkillsBody;
  skillqueue?: SkillqueueEntry[];
  /** corporation roles, e.g. ['Director'] */
  roles?: string[];
  /** ISO date-time; default 2015-03-24T11:37:00Z */
  birthday?: string;
  securityStatus?: number;
}

export interface FakeCorporation {
  id: number;
  name: string;
  ticker: string;
  allianceId?: number;
  /** default: the ids of the added characters whose corporationId is this one */
  memberIds?: number[];
}

export interface FakeAlliance {
  id: number;
  name: string;
  ticker: string;
}

export interface NameEntry {
  id: number;
  name: string;
  category: string;
}

export function randomOwnerHash(): string {
  // EVE owner hashes look like base64 of a 20-byte digest.
  return randomBytes(20).toString('base64');
}

export class World {
  readonly characters = new Map<number, FakeCharacter & { ownerHash: string }>();
  readonly corporations = new Map<number, FakeCorporation>();
  readonly alliances = new Map<number, FakeAlliance>();
  private readonly names = new Map<number, NameEntry>();

  addCharacter(c: FakeCharacter): void {
    this.characters.set(c.id, { ...c, ownerHash: c.ownerHash ?? randomOwnerHash() });
  }

  addCorporation(c: FakeCorporation): void {
    this.corporations.set(c.id, { ...c });
  }

  addAlliance(a: FakeAlliance): void {
    this.alliances.set(a.id, { ...a });
  }

  addName(id: number, name: string, category: string): void {
    this.names.set(id, { id, name, category });
  }

  character(id: number) {
    return this.characters.get(id);
  }

  /** the character's own allianceId, else its corporation's */
  allianceOf(c: FakeCharacter): number | undefined {
    return c.allianceId ?? this.corporations.get(c.corporationId)?.allianceId;
  }

  membersOf(corporationId: number): number[] {
    const corp = this.corporations.get(corporationId);
    if (corp?.memberIds) return [...corp.memberIds];
    return [...this.characters.values()].filter((c) => c.corporationId === corporationId).map((c) => c.id);
  }

  /** id -> name entry across explicit names, characters, corporations and alliances */
  resolveName(id: number): NameEntry | undefined {
    const explicit = this.names.get(id);
    if (explicit) return explicit;
    const character = this.characters.get(id);
    if (character) return { id, name: character.name, category: 'character' };
    const corporation = this.corporations.get(id);
    if (corporation) return { id, name: corporation.name, category: 'corporation' };
    const alliance = this.alliances.get(id);
    if (alliance) return { id, name: alliance.name, category: 'alliance' };
    return undefined;
  }

  /** name -> entries, exact and case-insensitive, across explicit names, characters, corporations and alliances */
  findByName(names: Iterable<string>): NameEntry[] {
    const wanted = new Set([...names].map((name) => name.toLowerCase()));
    const all: NameEntry[] = [
      ...this.names.values(),
      ...[...this.characters.values()].map((c) => ({ id: c.id, name: c.name, category: 'character' })),
      ...[...this.corporations.values()].map((c) => ({ id: c.id, name: c.name, category: 'corporation' })),
      ...[...this.alliances.values()].map((a) => ({ id: a.id, name: a.name, category: 'alliance' })),
    ];
    // an explicit name shadows the character, corporation or alliance of that id, as in resolveName
    const seen = new Set<number>();
    return all.filter((entry) => {
      if (seen.has(entry.id)) return false;
      seen.add(entry.id);
      return wanted.has(entry.name.toLowerCase());
    });
  }
}
