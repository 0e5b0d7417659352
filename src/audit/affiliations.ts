import type { Database } from '../db/client.ts';
import { characterAffiliations, EsiError, type EsiBudget, type EsiClient } from '../esi/index.ts';
import type { Logger } from '../log.ts';
import type { AuditEventKind } from '../db/auditEvents.ts';

export interface Affiliation {
  corporationId: bigint;
  allianceId: bigint | null;
  /** when ESI produced this answer: a cached one can be older than what is stored */
  at: Date;
}

/** A character whose corporation or alliance is not what was stored. */
export interface AffiliationChange {
  characterId: bigint;
  discordUserId: bigint;
  name: string;
  from: { corporationId: bigint | null; allianceId: bigint | null };
  to: Affiliation;
}

/**
 * Where the characters are now, from POST /characters/affiliation (public,
 * 1000 ids a request, the batches in parallel). Undefined when ESI could not
 * answer: the audit then shows the stored corporations and says so.
 */
export async function currentAffiliations(
  esi: EsiClient,
  characterIds: readonly bigint[],
  budget: EsiBudget,
  logger: Logger,
): Promise<Map<bigint, Affiliation> | undefined> {
  if (characterIds.length === 0) return new Map();
  try {
    const rows = await characterAffiliations(esi, characterIds, budget);
    return new Map(rows.map((row) => [row.characterId, { corporationId: row.corporationId, allianceId: row.allianceId ?? null, at: new Date(row.receivedAt) }]));
  } catch (error) {
    if (!(error instanceof EsiError)) throw error;
    logger.warn({ err: error, characters: characterIds.length }, 'audit: affiliations unavailable, showing stored corporations');
    return undefined;
  }
}

/**
 * The answer for a character, if it is news: an answer produced before the
 * stored affiliation was read (ESI's cache, or ours, keyed on the whole
 * batch) says nothing newer, whatever it says.
 */
export function newerAffiliation(stored: { affiliationAt: Date | null }, answer: Affiliation | undefined): Affiliation | undefined {
  if (!answer) return undefined;
  return stored.affiliationAt === null || answer.at > stored.affiliationAt ? answer : undefined;
}

/**
 * Stores the new corporation and alliance of every changed character in one
 * UPDATE, so /characters shows the truth too, and appends a
 * `corporation_changed` event for each corporation change, in one transaction.
 * A row is updated only if it still holds what the audit read and was read
 * before this answer was produced: of two audits racing, one records the
 * change, and an older answer never overwrites a newer one.
 */
export async function saveAffiliationChanges(db: Database, changes: readonly AffiliationChange[]): Promise<void> {
  if (changes.length === 0) return;
  const rows = JSON.stringify(
    changes.map((c) => ({
      id: String(c.characterId),
      old_corp: c.from.corporationId === null ? null : String(c.from.corporationId),
      corp: String(c.to.corporationId),
      alliance: c.to.allianceId === null ? null : String(c.to.allianceId),
      at: c.to.at.toISOString(),
    })),
  );
  await db.$transaction(async (tx) => {
    const updated = await tx.$queryRaw<{ id: bigint }[]>`
      UPDATE "character" AS c
         SET "corporation_id" = v.corp, "alliance_id" = v.alliance, "affiliation_at" = v.at, "updated_at" = timezone('utc', now())
        FROM jsonb_to_recordset(${rows}::jsonb) AS v(id bigint, old_corp bigint, corp bigint, alliance bigint, at timestamp(3))
       WHERE c."id" = v.id AND c."corporation_id" IS NOT DISTINCT FROM v.old_corp
         AND (c."affiliation_at" IS NULL OR c."affiliation_at" < v.at)
      RETURNING c."id"`;
    const done = new Set(updated.map((row) => BigInt(row.id)));
    const events = changes
      .filter((c) => done.has(c.characterId) && c.from.corporationId !== null)
      .flatMap((c): { kind: AuditEventKind; discordUserId: bigint; characterId: bigint; detail: Record<string, string | null> }[] =>
        c.from.corporationId !== c.to.corporationId
          ? [{ kind: 'corporation_changed' satisfies AuditEventKind, discordUserId: c.discordUserId, characterId: c.characterId, detail: { name: c.name, fromCorporationId: String(c.from.corporationId), toCorporationId: String(c.to.corporationId) } }]
          : c.from.allianceId !== c.to.allianceId
            ? [{ kind: 'alliance_changed' satisfies AuditEventKind, discordUserId: c.discordUserId, characterId: c.characterId, detail: { name: c.name, fromAllianceId: c.from.allianceId === null ? null : String(c.from.allianceId), toAllianceId: c.to.allianceId === null ? null : String(c.to.allianceId) } }]
            : [],
      );
    if (events.length > 0) await tx.auditEvent.createMany({ data: events });
  });
}
