import type { Database } from '../db/client.ts';
import { recordEvent } from '../db/auditEvents.ts';
import { parseId } from '../ids.ts';

/** What an admin sets with /audit settings, per guild. */
export interface AuditSettings {
  adminRoleId: bigint | null;
  trackedCorporationIds: bigint[];
}

/** At most this many tracked corporations per guild: each costs ESI calls on every report. */
export const MAX_TRACKED_CORPORATIONS = 20;

export const NO_SETTINGS: AuditSettings = Object.freeze({ adminRoleId: null, trackedCorporationIds: [] });

export async function readSettings(db: Database, guildId: bigint): Promise<AuditSettings> {
  const row = await db.guildSettings.findUnique({ where: { guildId }, select: { adminRoleId: true, trackedCorporationIds: true } });
  return row ?? { ...NO_SETTINGS };
}

/**
 * Saves the changed settings (fields left undefined keep their value) and
 * appends who changed what to the audit trail, in one transaction.
 */
export async function saveSettings(
  db: Database,
  input: { guildId: bigint; changedBy: bigint; adminRoleId?: bigint | null; trackedCorporationIds?: bigint[] },
): Promise<AuditSettings> {
  const data = {
    ...(input.adminRoleId !== undefined ? { adminRoleId: input.adminRoleId } : {}),
    ...(input.trackedCorporationIds !== undefined ? { trackedCorporationIds: input.trackedCorporationIds } : {}),
  };
  return db.$transaction(async (tx) => {
    const saved = await tx.guildSettings.upsert({
      where: { guildId: input.guildId },
      create: { guildId: input.guildId, ...data },
      update: data,
      select: { adminRoleId: true, trackedCorporationIds: true },
    });
    await recordEvent(tx, {
      kind: 'settings_changed',
      guildId: input.guildId,
      discordUserId: input.changedBy,
      detail: {
        ...(input.adminRoleId !== undefined ? { adminRoleId: input.adminRoleId === null ? null : String(input.adminRoleId) } : {}),
        ...(input.trackedCorporationIds !== undefined ? { corporations: input.trackedCorporationIds.join(' ') } : {}),
      },
    });
    return saved;
  });
}

/** "98000001, Alpha Industries" → ids and names, in the order typed, without duplicates or blanks. */
export function parseCorporationList(text: string): { ids: bigint[]; names: string[] } {
  const ids: bigint[] = [];
  const names: string[] = [];
  for (const raw of text.split(/[,;\n]+/)) {
    const item = raw.trim();
    if (!item) continue;
    const id = parseId(item);
    if (id !== undefined) {
      if (!ids.includes(id)) ids.push(id);
    } else if (!names.some((n) => n.toLowerCase() === item.toLowerCase())) {
      names.push(item);
    }
  }
  return { ids, names };
}
