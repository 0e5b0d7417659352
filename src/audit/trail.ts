import type { AuditEventKind } from '../db/auditEvents.ts';
import type { Database } from '../db/client.ts';

export type EventDetail = Record<string, string | number | boolean | null>;

/** Events about one guild, shown only in that guild's audit. */
const GUILD_ONLY_KINDS: AuditEventKind[] = ['settings_changed', 'guild_left', 'role_added', 'role_removed', 'nickname_changed'];

export interface TrailEvent {
  at: Date;
  kind: string;
  discordUserId: bigint | null;
  characterId: bigint | null;
  detail: EventDetail;
}

/**
 * The latest audit-trail events about the given guild members, newest first,
 * in one query. Settings changes and departures of other guilds are left out, and a "moved
 * from" user who is not a member is not named: an audit shows only members.
 */
export async function recentEvents(
  db: Database,
  input: { guildId: bigint; memberIds: readonly bigint[]; limit: number },
): Promise<TrailEvent[]> {
  if (input.memberIds.length === 0) return [];
  const rows = await db.auditEvent.findMany({
    where: {
      discordUserId: { in: [...input.memberIds] },
      // Settings, departures and role sync are about one guild: only that guild sees them.
      OR: [{ kind: { notIn: GUILD_ONLY_KINDS } }, { guildId: input.guildId }],
    },
    orderBy: [{ at: 'desc' }, { id: 'desc' }],
    take: input.limit,
    select: { at: true, kind: true, discordUserId: true, characterId: true, detail: true },
  });
  const members = new Set(input.memberIds);
  return rows.map((row) => ({ ...row, detail: visibleDetail(row.detail, members) }));
}

function visibleDetail(detail: unknown, members: Set<bigint>): EventDetail {
  const out: EventDetail = {};
  if (!detail || typeof detail !== 'object' || Array.isArray(detail)) return out;
  for (const [key, value] of Object.entries(detail)) {
    if (!(value === null || ['string', 'number', 'boolean'].includes(typeof value))) continue;
    if (key === 'fromDiscordUserId' && !(typeof value === 'string' && /^\d+$/.test(value) && members.has(BigInt(value)))) continue;
    out[key] = value as string | number | boolean | null;
  }
  return out;
}

/** Corporation ids that events mention (for name lookups). */
export function eventCorporationIds(events: readonly TrailEvent[]): bigint[] {
  return events.flatMap((e) =>
    [e.detail.fromCorporationId, e.detail.toCorporationId].flatMap((v) => (typeof v === 'string' && /^\d+$/.test(v) ? [BigInt(v)] : [])),
  );
}
