import type { Database } from '../db/client.ts';

/** A linked character as stored, with what the audit needs of its grant. */
export interface StoredCharacter {
  id: bigint;
  name: string;
  discordUserId: bigint;
  corporationId: bigint | null;
  allianceId: bigint | null;
  /** when ESI produced the stored corporation and alliance */
  affiliationAt: Date | null;
  isMain: boolean;
  linkedAt: Date;
  grant: { status: 'ok' | 'invalid'; scopes: string[]; invalidReason: string | null; invalidSince: Date | null; lastRefreshedAt: Date | null } | null;
}

const SELECT = {
  id: true,
  name: true,
  discordUserId: true,
  corporationId: true,
  allianceId: true,
  affiliationAt: true,
  linkedAt: true,
  mainOf: { select: { id: true } },
  grant: { select: { status: true, scopes: true, invalidReason: true, invalidSince: true, lastRefreshedAt: true } },
} as const;

/**
 * Every character of the given users with its grant, in one findMany (Prisma
 * loads the relations with a fixed number of statements, not one per row).
 * Audits pass only members of the guild: nobody else's characters are read.
 */
export async function charactersOf(db: Database, discordUserIds: readonly bigint[]): Promise<StoredCharacter[]> {
  if (discordUserIds.length === 0) return [];
  const rows = await db.character.findMany({
    where: { discordUserId: { in: [...discordUserIds] } },
    select: SELECT,
    orderBy: [{ discordUserId: 'asc' }, { name: 'asc' }],
  });
  return rows.map(({ mainOf, ...row }) => ({ ...row, isMain: mainOf !== null }));
}
