import { alliance, characterAffiliations, corporation, EsiNotFoundError, type EsiClient } from './esi/index.ts';
import type { CharacterDirectory } from './links/linkService.ts';
import type { EveDirectory } from './services.ts';

/**
 * Public facts about characters, corporations and alliances, from ESI. The
 * ESI client's cache keeps repeated lookups off the network; unknown ids
 * answer undefined instead of failing a whole reply.
 */
export class EsiDirectory implements EveDirectory, CharacterDirectory {
  constructor(private readonly esi: EsiClient) {}

  async affiliation(characterId: bigint): Promise<{ corporationId: bigint; allianceId: bigint | null } | undefined> {
    const [found] = await characterAffiliations(this.esi, [characterId]);
    return found ? { corporationId: found.corporationId, allianceId: found.allianceId ?? null } : undefined;
  }

  async corporationName(corporationId: bigint): Promise<string | undefined> {
    return (await this.corporation(corporationId))?.name;
  }

  corporation(id: bigint): Promise<{ name: string; ticker: string } | undefined> {
    return orUndefinedWhenUnknown(corporation(this.esi, id));
  }

  alliance(id: bigint): Promise<{ name: string; ticker: string } | undefined> {
    return orUndefinedWhenUnknown(alliance(this.esi, id));
  }
}

async function orUndefinedWhenUnknown<T>(lookup: Promise<T>): Promise<T | undefined> {
  try {
    return await lookup;
  } catch (error) {
    if (error instanceof EsiNotFoundError) return undefined;
    throw error;
  }
}
