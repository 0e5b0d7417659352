import { toCsv, type CsvValue } from './csv.ts';
import { loginReasonWords } from './loginReasons.ts';
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
  if (c.health === 'invalid') notes.push(`login dead: ${loginReasonWords(c.invalidReason)}`);
  return notes.length > 0 ? notes.join('; ') : null;
}

/** What the CSV holds, in the words of the summary's footer (what auditCsv writes, nothing more). */
export function auditCsvContents(report: Pick<AuditReport, 'membersListed' | 'tracked'>): string {
  const parts = ['every linked pilot'];
  if (report.tracked.some((t) => t.list === 'ok')) parts.push('every pilot of a tracked corporation nobody here linked');
  if (report.membersListed) parts.push('every member without a linked pilot');
  return parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

const SLUG_MAX = 40;

/**
 * "audit-<guild>-2026-11-27.csv": the guild's name as lowercase ASCII letters,
 * digits and dashes (at most 40), so a download folder tells the servers apart;
 * the guild id when the name leaves nothing (emoji, another script).
 */
export function auditCsvFileName(guild: { id: bigint; name: string | null | undefined }, at: Date): string {
  return `audit-${guildSlug(guild.name ?? '') || String(guild.id)}-${at.toISOString().slice(0, 10)}.csv`;
}

export function guildSlug(name: string): string {
  const ascii = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return ascii.slice(0, SLUG_MAX).replace(/-+$/, '');
}
