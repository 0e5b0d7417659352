import type { Database } from '../db/client.ts';
import { SecretBoxError, type SecretBox } from '../db/secretBox.ts';
import { grantAssociatedData } from '../links/grantSecrets.ts';
import { confirmationAssociatedData } from '../links/linkConfirmations.ts';
import { pendingLoginAssociatedData } from '../links/pendingLogins.ts';

/**
 * Re-sealing with the current TOKEN_ENCRYPTION_KEY what an older key sealed.
 * Every write is conditional on the row still holding what was read (its
 * key id, and for a grant its version), so a refresh that wrote a new token
 * meanwhile (sealed with the current key already) is never overwritten.
 */

export interface GrantSealed {
  characterId: bigint;
  keyId: string;
  refreshToken: Uint8Array;
  accessToken: Uint8Array | null;
  version: number;
}

/** The conditional update that re-seals one grant. Throws SecretBoxError when no configured key opens it. */
function grantResealing(database: Database, box: SecretBox, grant: GrantSealed) {
  const reseal = (sealed: Uint8Array, which: 'refresh' | 'access') => box.reseal(sealed, grantAssociatedData(grant.characterId, which), grant.keyId);
  return database.grant.updateMany({
    where: { characterId: grant.characterId, keyId: grant.keyId, version: grant.version },
    data: {
      keyId: box.keyId,
      refreshToken: reseal(grant.refreshToken, 'refresh'),
      accessToken: grant.accessToken ? reseal(grant.accessToken, 'access') : null,
    },
  });
}

/** A grant used with an older key, sealed again with the current one; false when the row changed meanwhile. */
export async function resealGrant(database: Database, box: SecretBox, grant: GrantSealed): Promise<boolean> {
  if (!box.isOutdated(grant.keyId)) return false;
  const { count } = await grantResealing(database, box, grant);
  return count === 1;
}

export interface TableRotation {
  table: 'grant' | 'pending_login' | 'link_confirmation';
  /** rows now sealed with the current key */
  resealed: number;
  /** rows no configured key opens: left as they are */
  unreadable: number;
}

export interface RotationOptions {
  batchSize?: number;
  /** told after each committed batch */
  onBatch?: (progress: TableRotation) => void;
}

/**
 * Every row sealed with an older key, re-sealed with the current one: in
 * batches, each in one transaction. Resumable: a second run finds only what
 * the first did not finish (or could not open).
 */
export async function rotateAll(database: Database, box: SecretBox, options: RotationOptions = {}): Promise<TableRotation[]> {
  const batchSize = options.batchSize ?? 500;
  return [
    await rotateTable('grant', batchSize, options, async (after) => {
      const rows = await database.grant.findMany({
        where: { keyId: { not: box.keyId }, ...(after === undefined ? {} : { characterId: { gt: after as bigint } }) },
        select: { characterId: true, keyId: true, refreshToken: true, accessToken: true, version: true },
        orderBy: { characterId: 'asc' },
        take: batchSize,
      });
      return rows.map((row) => ({ key: row.characterId, write: () => grantResealing(database, box, row) }));
    }, database),
    await rotateTable('pending_login', batchSize, options, async (after) => {
      const rows = await database.pendingLogin.findMany({
        where: { keyId: { not: box.keyId }, ...(after === undefined ? {} : { state: { gt: after as string } }) },
        select: { state: true, keyId: true, secrets: true },
        orderBy: { state: 'asc' },
        take: batchSize,
      });
      return rows.map((row) => ({
        key: row.state,
        write: () => {
          const secrets = box.reseal(row.secrets, pendingLoginAssociatedData(row.state), row.keyId);
          return database.pendingLogin.updateMany({ where: { state: row.state, keyId: row.keyId }, data: { keyId: box.keyId, secrets } });
        },
      }));
    }, database),
    await rotateTable('link_confirmation', batchSize, options, async (after) => {
      const rows = await database.linkConfirmation.findMany({
        where: { keyId: { not: box.keyId }, ...(after === undefined ? {} : { id: { gt: after as string } }) },
        select: { id: true, keyId: true, secrets: true },
        orderBy: { id: 'asc' },
        take: batchSize,
      });
      return rows.map((row) => ({
        key: row.id,
        write: () => {
          const secrets = box.reseal(row.secrets, confirmationAssociatedData(row.id), row.keyId);
          return database.linkConfirmation.updateMany({ where: { id: row.id, keyId: row.keyId }, data: { keyId: box.keyId, secrets } });
        },
      }));
    }, database),
  ];
}

interface PendingWrite<K> {
  key: K;
  /** the conditional update, built only when the row opens */
  write: () => ReturnType<Database['grant']['updateMany']>;
}

async function rotateTable<K extends bigint | string>(
  table: TableRotation['table'],
  batchSize: number,
  options: RotationOptions,
  page: (after: K | undefined) => Promise<PendingWrite<K>[]>,
  database: Database,
): Promise<TableRotation> {
  const progress: TableRotation = { table, resealed: 0, unreadable: 0 };
  let after: K | undefined;
  for (;;) {
    const rows = await page(after);
    if (rows.length === 0) break;
    after = rows.at(-1)!.key;
    const writes: ReturnType<PendingWrite<K>['write']>[] = [];
    for (const row of rows) {
      try {
        writes.push(row.write());
      } catch (error) {
        if (!(error instanceof SecretBoxError)) throw error;
        progress.unreadable += 1;
      }
    }
    // One transaction per batch: a batch is re-sealed whole or not at all.
    const results = await database.$transaction(writes);
    progress.resealed += results.reduce((sum, r) => sum + r.count, 0);
    options.onBatch?.({ ...progress });
    if (rows.length < batchSize) break;
  }
  return progress;
}
