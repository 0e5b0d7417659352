import type { Prisma } from './client.ts';

/** Kinds of the append-only audit trail. */
export type AuditEventKind =
  | 'linked'
  | 'relinked'
  | 'moved'
  | 'owner_changed'
  | 'unlinked'
  | 'main_changed'
  | 'grant_invalid'
  | 'refresh_failed'
  /** /audit or the affiliation sweep saw the character in another corporation than the one stored */
  | 'corporation_changed'
  /** ... or, in the same corporation, in another alliance */
  | 'alliance_changed'
  /** an admin changed /audit settings */
  | 'settings_changed'
  /** a member left a guild (discordUserId set), or the bot was removed from it (no user): the guild forgets them */
  | 'guild_left'
  /** role sync gave or took a managed role, or set a nickname (detail: role, reason) */
  | 'role_added'
  | 'role_removed'
  | 'nickname_changed';

export interface AuditEventInput {
  kind: AuditEventKind;
  guildId?: bigint | null;
  discordUserId?: bigint | null;
  characterId?: bigint | null;
  detail?: Record<string, string | number | boolean | null>;
}

type EventWriter = Pick<Prisma.TransactionClient, 'auditEvent'>;

/** Appends one event; pass the transaction so the event commits with what it describes. */
export async function recordEvent(db: EventWriter, event: AuditEventInput): Promise<void> {
  await db.auditEvent.create({
    data: {
      kind: event.kind,
      guildId: event.guildId ?? null,
      discordUserId: event.discordUserId ?? null,
      characterId: event.characterId ?? null,
      detail: event.detail ?? {},
    },
  });
}
