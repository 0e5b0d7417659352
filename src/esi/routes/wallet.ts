/** Character wallet routes (esi-wallet.read_character_wallet.v1). */
import type { EsiBudget, EsiClient } from '../client.ts';
import { toBigId } from '../ids.ts';
import { ESI_ROUTES, routePath } from '../schemas.ts';
import { callOptions, optional, optionalId, withScope, type CharacterAuth, type EsiCallOptions } from './common.ts';

/** GET /characters/{character_id}/wallet: the balance in ISK (cached 2 minutes) */
export async function walletBalance(client: EsiClient, auth: CharacterAuth, budget?: EsiBudget, options?: EsiCallOptions): Promise<number> {
  const route = ESI_ROUTES.wallet;
  const { data } = await client.request(
    {
      method: route.method,
      path: routePath(route.path, { character_id: auth.characterId }),
      schema: route.schema,
      auth: withScope(auth, route.scope),
      ...callOptions(options),
    },
    budget,
  );
  return data;
}

export interface JournalEntry {
  id: bigint;
  date: Date;
  /** e.g. 'player_donation', 'bounty_prizes' */
  refType: string;
  /** absent when ESI left it out (/wallet does not show it) */
  description?: string;
  /** positive: ISK in, negative: ISK out */
  amount?: number;
  balance?: number;
  reason?: string;
  firstPartyId?: bigint;
  secondPartyId?: bigint;
  contextId?: bigint;
  contextIdType?: string;
  tax?: number;
  taxReceiverId?: bigint;
}

export interface JournalPage {
  entries: JournalEntry[];
  /** X-Pages: how many pages there are (1 when ESI did not say) */
  pages: number;
}

/** GET /characters/{character_id}/wallet/journal?page=N (newest first, cached an hour) */
export async function walletJournal(client: EsiClient, auth: CharacterAuth, page = 1, budget?: EsiBudget, options?: EsiCallOptions): Promise<JournalPage> {
  if (!Number.isInteger(page) || page < 1) throw new RangeError('journal pages start at 1');
  const route = ESI_ROUTES.journal;
  const { data, pages } = await client.request(
    {
      method: route.method,
      path: routePath(route.path, { character_id: auth.characterId }),
      schema: route.schema,
      auth: withScope(auth, route.scope),
      query: { page },
      ...callOptions(options),
    },
    budget,
  );
  return {
    pages: pages ?? 1,
    entries: data.map((row) => ({
      id: toBigId(row.id),
      date: new Date(row.date),
      refType: row.ref_type,
      ...optional('description', row.description),
      ...optional('amount', row.amount),
      ...optional('balance', row.balance),
      ...optional('reason', row.reason),
      ...optionalId('firstPartyId', row.first_party_id),
      ...optionalId('secondPartyId', row.second_party_id),
      ...optionalId('contextId', row.context_id),
      ...optional('contextIdType', row.context_id_type),
      ...optional('tax', row.tax),
      ...optionalId('taxReceiverId', row.tax_receiver_id),
    })),
  };
}
