/**
 * Public facts about characters, corporations and alliances, for display and
 * for linking (the EveDirectory of src/services.ts and the CharacterDirectory
 * of src/links/linkService.ts). "ESI does not know it" is `undefined`; busy,
 * down and malformed answers throw the ESI errors. Ids a user typed should
 * come with an error scope (`options.errorScope`), so typos cannot spend the
 * error budget the whole bot shares.
 */
import type { EsiBudget, EsiClient } from './client.ts';
import { EsiNotFoundError } from './errors.ts';
import { characterAffiliations } from './routes/characters.ts';
import type { EsiCallOptions } from './routes/common.ts';
import { alliance, corporation } from './routes/corporations.ts';
import { universeIds, type UniverseIds } from './routes/universe.ts';

export class EsiDirectory {
  constructor(private readonly esi: EsiClient) {}

  async corporation(id: bigint, budget?: EsiBudget, options?: EsiCallOptions): Promise<{ name: string; ticker: string } | undefined> {
    const found = await orUndefined(corporation(this.esi, id, budget, options));
    return found && { name: found.name, ticker: found.ticker };
  }

  async alliance(id: bigint, budget?: EsiBudget, options?: EsiCallOptions): Promise<{ name: string; ticker: string } | undefined> {
    const found = await orUndefined(alliance(this.esi, id, budget, options));
    return found && { name: found.name, ticker: found.ticker };
  }

  async corporationName(corporationId: bigint, budget?: EsiBudget, options?: EsiCallOptions): Promise<string | undefined> {
    return (await this.corporation(corporationId, budget, options))?.name;
  }

  /**
   * Corporations and alliances by exact name (case-insensitive), with EVE's
   * spelling, in one POST /universe/ids for ≤500 names; names ESI does not
   * know are simply absent.
   */
  async idsByName(names: readonly string[], budget?: EsiBudget, options?: EsiCallOptions): Promise<UniverseIds> {
    return universeIds(this.esi, names, budget, options);
  }

  /**
   * The character's corporation and alliance now (null: no alliance);
   * undefined when ESI does not know the character. `at`: when ESI produced
   * the answer (a cached one may be older than what is stored).
   */
  async affiliation(characterId: bigint, budget?: EsiBudget, options?: EsiCallOptions): Promise<{ corporationId: bigint; allianceId: bigint | null; at: Date } | undefined> {
    const [row] = await characterAffiliations(this.esi, [characterId], budget, options);
    return row && { corporationId: row.corporationId, allianceId: row.allianceId ?? null, at: new Date(row.receivedAt) };
  }
}

async function orUndefined<T>(promise: Promise<T>): Promise<T | undefined> {
  try {
    return await promise;
  } catch (error) {
    if (error instanceof EsiNotFoundError) return undefined;
    throw error;
  }
}
