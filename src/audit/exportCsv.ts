import { toCsv, type CsvValue } from './csv.ts';
import type { AuditCharacter, AuditReport } from './report.ts';

export const AUDIT_CSV_HEADER = [
  'row_type',
  'discord_user_id',
  'discord_user_name',
  'character_id',
  'character_name',
  'main_or_alt',
  'corporation_id',
  'corporation',
  'alliance_id',
  'alliance',
  'token_status',
  'missing_scopes',
  'linked_at',
  'last_refresh',
  'note',
] as const;

const TOKEN_STATUS: Record<AuditCharacter['health'], string> = { ok: 'ok', invalid: 'dead', missing_scopes: 'missing_scopes' };

/**
 * The audit as CSV: one row per linked character, one per member of a
 * tracked corporation that nobody linked, and (when Discord lists the
 * members) one per member without any character.
 */
export function auditCsv(report: AuditReport): string {
  const name = (id: bigint | null) => (id === null ? null : (report.names.get(id) ?? null));
  const rows: CsvValue[][] = [];
  for (const member of report.members) {
    for (const c of member.characters) {
      rows.push([
        'character',
        member.discordUserId,
        member.name,
        c.id,
        c.name,
        c.isMain ? 'main' : 'alt',
        c.corporationId,
        name(c.corporationId),
        c.allianceId,
        name(c.allianceId),
        TOKEN_STATUS[c.health],
        c.missingScopes.join(' '),
        c.linkedAt,
        c.lastRefreshedAt,
        note(c, name),
      ]);
    }
  }
  for (const tracked of report.tracked) {
    for (const id of tracked.missing) {
      rows.push(['missing_member', null, null, id, name(id), null, tracked.corporationId, name(tracked.corporationId), null, null, null, null, null, null, 'not linked by anyone']);
    }
  }
  if (report.membersListed) {
    for (const member of report.members) {
      if (member.characters.length > 0) continue;
      rows.push(['member_without_character', member.discordUserId, member.name, null, null, null, null, null, null, null, null, null, null, null, 'no linked character']);
    }
  }
  return toCsv(AUDIT_CSV_HEADER, rows);
}

function note(c: AuditCharacter, name: (id: bigint | null) => string | null): string | null {
  const notes: string[] = [];
  if (c.left) notes.push(`left ${name(c.previousCorporationId) ?? `corporation ${c.previousCorporationId}`}`);
  if (c.health === 'invalid' && c.invalidReason) notes.push(`login dead: ${c.invalidReason}`);
  return notes.length > 0 ? notes.join('; ') : null;
}
