import { Prisma, type Database } from '../db/client.ts';

/** A grant with what the token service needs of its character. */
export interface GrantRow {
  characterId: bigint;
  keyId: string;
  refreshToken: Uint8Array;
  accessToken: Uint8Array | null;
  accessTokenExpiresAt: Date | null;
  scopes: string[];
  status: 'ok' | 'invalid';
  invalidReason: string | null;
  lastRefreshedAt: Date | null;
  rotatedAt: Date | null;
  refreshUncertainAt: Date | null;
  firstRefusalAt: Date | null;
  version: number;
  /** with `version`, which grant this is: a grant made again after an /unlink starts at version 0 again */
  createdAt: Date;
  /** the lease was taken over from a holder whose lease ran out (it may still be refreshing) */
  takenOver?: boolean;
  /** `isMain`: the owner's main character */
  character: { name: string; ownerHash: string; discordUserId: bigint; isMain: boolean };
}

/** Which grant a refresh started from: writes are conditional on it. */
export type GrantIdentity = Pick<GrantRow, 'characterId' | 'version' | 'createdAt'>;

interface RawGrant {
  character_id: bigint;
  key_id: string;
  refresh_token: Uint8Array;
  access_token: Uint8Array | null;
  access_token_expires_at: Date | null;
  scopes: string[];
  status: 'ok' | 'invalid';
  invalid_reason: string | null;
  last_refreshed_at: Date | null;
  rotated_at: Date | null;
  refresh_uncertain_at: Date | null;
  first_refusal_at: Date | null;
  version: number;
  created_at: Date;
  previous_lease?: string | null;
  name: string;
  owner_hash: string;
  discord_user_id: bigint;
  is_main: boolean;
}

const COLUMNS = Prisma.sql`g.character_id, g.key_id, g.refresh_token, g.access_token, g.access_token_expires_at, g.scopes,
  g.status::text AS status, g.invalid_reason, g.last_refreshed_at, g.rotated_at, g.refresh_uncertain_at, g.first_refusal_at, g.version, g.created_at,
  c.name, c.owner_hash, c.discord_user_id,
  EXISTS (SELECT 1 FROM "discord_user" u WHERE u.id = c.discord_user_id AND u.main_character_id = c.id) AS is_main`;

function toRow(row: RawGrant): GrantRow {
  return {
    characterId: row.character_id,
    keyId: row.key_id,
    refreshToken: row.refresh_token,
    accessToken: row.access_token,
    accessTokenExpiresAt: row.access_token_expires_at,
    scopes: row.scopes,
    status: row.status,
    invalidReason: row.invalid_reason,
    lastRefreshedAt: row.last_refreshed_at,
    rotatedAt: row.rotated_at,
    refreshUncertainAt: row.refresh_uncertain_at,
    firstRefusalAt: row.first_refusal_at,
    version: row.version,
    createdAt: row.created_at,
    ...(row.previous_lease === undefined ? {} : { takenOver: row.previous_lease !== null }),
    character: { name: row.name, ownerHash: row.owner_hash, discordUserId: row.discord_user_id, isMain: row.is_main },
  };
}

type Reader = Pick<Prisma.TransactionClient, '$queryRaw'>;

/**
 * One statement for any number of grants (Prisma would send two per grant
 * for the relation): this read is on the path of every command that needs ESI.
 */
export async function readGrants(db: Reader, which: { characterIds: readonly bigint[] } | { discordUserId: bigint }): Promise<Map<bigint, GrantRow>> {
  const where =
    'discordUserId' in which
      ? Prisma.sql`c.discord_user_id = ${which.discordUserId}`
      : Prisma.sql`g.character_id = ANY(${[...which.characterIds]}::bigint[])`;
  const rows = await db.$queryRaw<RawGrant[]>`
    SELECT ${COLUMNS}
    FROM "grant" g JOIN "character" c ON c.id = g.character_id
    WHERE ${where}
    ORDER BY c.name`;
  return new Map(rows.map((row) => [row.character_id, toRow(row)]));
}

export async function readGrant(db: Reader, characterId: bigint): Promise<GrantRow | null> {
  return (await readGrants(db, { characterIds: [characterId] })).get(characterId) ?? null;
}

/**
 * Takes the right to refresh a character's token, in one statement: only a
 * live grant whose access token needs refreshing and that nobody else holds
 * (or whose holder's lease ran out: a crashed or stalled process). Returns
 * the grant as it is now, or null when the lease was not taken (the caller
 * reads why). Lease times are the database's clock (UTC, like every stored
 * time), so processes with skewed clocks agree. No connection is held while
 * the lease runs: the SSO call happens outside any transaction.
 */
export async function takeRefreshLease(
  db: Database,
  input: { characterId: bigint; lease: string; leaseMs: number; staleBefore: Date },
): Promise<GrantRow | null> {
  const rows = await db.$queryRaw<RawGrant[]>`
    WITH leased AS (
      UPDATE "grant" AS g
         SET refresh_lease_until = timezone('utc', now()) + ${input.leaseMs} * interval '1 millisecond', refresh_lease_id = ${input.lease}
        FROM (SELECT character_id, refresh_lease_id AS previous_lease FROM "grant" WHERE character_id = ${input.characterId} FOR UPDATE) AS p
       WHERE g.character_id = p.character_id AND g.status = 'ok'
         AND (g.refresh_lease_until IS NULL OR g.refresh_lease_until < timezone('utc', now()))
         AND (g.access_token IS NULL OR g.access_token_expires_at IS NULL OR g.access_token_expires_at <= ${input.staleBefore})
      RETURNING g.*, p.previous_lease)
    SELECT ${COLUMNS}, g.previous_lease FROM leased g JOIN "character" c ON c.id = g.character_id`;
  return rows[0] ? toRow(rows[0]) : null;
}

type GrantUpdate = Prisma.GrantUpdateManyMutationInput;

/** Ends a lease (if still ours) and writes what the refresh learned; false when the lease was no longer ours. */
export async function releaseRefreshLease(db: Pick<Prisma.TransactionClient, 'grant'>, characterId: bigint, lease: string, data: GrantUpdate = {}): Promise<boolean> {
  const { count } = await db.grant.updateMany({
    where: { characterId, refreshLeaseId: lease },
    data: { ...data, refreshLeaseUntil: null, refreshLeaseId: null },
  });
  return count === 1;
}

/**
 * Writes the grant only if it is still the one the refresh started from
 * (same version of the same grant): a /link that replaced it, or an /unlink
 * that removed it, meanwhile wins. Returns false then.
 */
export async function updateGrantIfUnchanged(db: Pick<Prisma.TransactionClient, 'grant'>, grant: GrantIdentity, data: GrantUpdate, sealedWith?: string): Promise<boolean> {
  // `sealedWith`: writing a ciphertext of that key, so only while the row is still sealed with it (keys:rotate may have re-sealed it meanwhile).
  const { count } = await db.grant.updateMany({ where: { characterId: grant.characterId, version: grant.version, createdAt: grant.createdAt, ...(sealedWith ? { keyId: sealedWith } : {}) }, data });
  return count === 1;
}

/** How many logins the bot can refresh (alive) and how many died: one statement, for the metrics. */
export async function countLogins(db: Pick<Prisma.TransactionClient, 'grant'>): Promise<{ alive: number; dead: number }> {
  const groups = await db.grant.groupBy({ by: ['status'], _count: { _all: true } });
  const count = (status: 'ok' | 'invalid') => groups.find((g) => g.status === status)?._count._all ?? 0;
  return { alive: count('ok'), dead: count('invalid') };
}
