import type { Database } from '../db/client.ts';
import { corporationMembers, type EsiBudget, type EsiClient } from '../esi/index.ts';
import type { Logger } from '../log.ts';
import type { TokenService } from '../tokens/tokenService.ts';

/** The scope GET /corporations/{id}/members needs; its holder must be in the corporation. */
export const MEMBERSHIP_SCOPE = 'esi-corporations.read_corporation_membership.v1';

/** How many linked characters of a corporation are tried before giving up (each failure costs ESI error budget). */
const MAX_TOKEN_HOLDERS_TRIED = 3;

export type MemberList =
  | { status: 'ok'; memberIds: bigint[]; via: bigint }
  /** no linked character of the corporation granted the scope (with a live login) */
  | { status: 'no_token' }
  /** holders exist, but none got an answer (why is in the log: it may name characters of people outside the guild) */
  | { status: 'failed'; tried: number };

/**
 * The member lists of the tracked corporations: one query finds the linked
 * characters of those corporations whose login is alive, granted the
 * membership scope, and whose owner is a member of the guild (a grant is
 * never used for a guild its owner is not in), then one ESI call per
 * corporation, trying another holder if a token or call fails (e.g. the
 * holder just left the corporation).
 */
export async function trackedMemberLists(
  deps: { database: Database; tokens: TokenService; esi: EsiClient; logger: Logger },
  input: { guildId: bigint; corporationIds: readonly bigint[]; memberIds: readonly bigint[] },
  budget: EsiBudget,
): Promise<Map<bigint, MemberList>> {
  const result = new Map<bigint, MemberList>();
  const { corporationIds, memberIds } = input;
  if (corporationIds.length === 0) return result;
  const holders = await deps.database.character.findMany({
    where: {
      corporationId: { in: [...corporationIds] },
      discordUserId: { in: [...memberIds] },
      grant: { status: 'ok', scopes: { has: MEMBERSHIP_SCOPE } },
    },
    select: { id: true, corporationId: true },
    // Recently refreshed logins are the likeliest to still work.
    orderBy: { grant: { lastRefreshedAt: { sort: 'desc', nulls: 'last' } } },
  });
  await Promise.all(
    corporationIds.map(async (corporationId) => {
      const candidates = holders.filter((h) => h.corporationId === corporationId).slice(0, MAX_TOKEN_HOLDERS_TRIED);
      result.set(corporationId, await firstAnswer(deps, { corporationId, guildId: input.guildId }, candidates.map((c) => c.id), budget));
    }),
  );
  return result;
}

async function firstAnswer(
  deps: { tokens: TokenService; esi: EsiClient; logger: Logger },
  { corporationId, guildId }: { corporationId: bigint; guildId: bigint },
  characterIds: bigint[],
  budget: EsiBudget,
): Promise<MemberList> {
  if (characterIds.length === 0) return { status: 'no_token' };
  for (const characterId of characterIds) {
    try {
      const accessToken = await deps.tokens.accessToken(characterId, [MEMBERSHIP_SCOPE], budget);
      // A holder who left the corporation gets a 403: the guild's own error allowance pays for it, not everyone's.
      const memberIds = await corporationMembers(deps.esi, corporationId, { characterId, accessToken }, budget, { errorScope: `guild:${guildId}` });
      return { status: 'ok', memberIds, via: characterId };
    } catch (error) {
      deps.logger.warn({ err: error, corporationId: String(corporationId), characterId: String(characterId) }, 'audit: corporation member list failed with this token');
    }
  }
  return { status: 'failed', tried: characterIds.length };
}
