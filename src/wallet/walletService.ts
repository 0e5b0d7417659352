import type { Budget } from '../budget.ts';
import { UserFacingError } from '../errors.ts';
import { walletBalance, walletJournal, type EsiClient, type JournalEntry } from '../esi/index.ts';
import { balancePoints, type BalancePoint } from './balanceChart.ts';
import { LoginExpiredError, LoginUnreadableError, MissingScopesError, NotLinkedError, SsoTemporarilyUnavailableError } from '../tokens/errors.ts';
import type { TokenService } from '../tokens/tokenService.ts';

export const WALLET_SCOPE = 'esi-wallet.read_character_wallet.v1';
const DAY_MS = 24 * 60 * 60 * 1000;
/** what the totals of /wallet character: cover */
export const TOTALS_DAYS = 30;

/** Why a balance is missing: a dead login, a login without the wallet scope, or ESI/SSO not answering now. */
/** why a balance is missing: the login died, lacks the scope, the EVE login server is not answering (the login is safe), or ESI did not answer */
export type WalletProblem = 'login_expired' | 'missing_scope' | 'login_server_down' | 'unavailable';

interface CharacterRef {
  characterId: bigint;
  name: string;
  isMain: boolean;
}

export type CharacterBalance = (CharacterRef & { balance: number }) | (CharacterRef & { problem: WalletProblem; message: string });

export interface WalletOverview {
  /** the main first, then the alts by name */
  characters: CharacterBalance[];
  /** sum of the balances that could be read */
  total: number;
}

export interface WalletDetail {
  characterId: bigint;
  name: string;
  balance: number;
  /** newest first: the journal's newest page (ESI keeps 30 days) */
  journal: JournalEntry[];
  /** ISK in and out (negative) over the last TOTALS_DAYS days */
  moneyIn: number;
  moneyOut: number;
  /** the journal has more pages than the one read: the totals leave the older entries out */
  partial: boolean;
}

export interface WalletServiceOptions {
  tokens: TokenService;
  esi: EsiClient;
  /** draws the balance history (a PNG, or undefined when there is nothing to draw); without it /wallet shows no chart */
  chart?: (points: BalancePoint[], now: Date) => Promise<Buffer | undefined>;
}

function problemOf(error: UserFacingError): WalletProblem {
  if (error instanceof LoginExpiredError || error instanceof NotLinkedError || error instanceof LoginUnreadableError) return 'login_expired';
  if (error instanceof MissingScopesError) return 'missing_scope';
  if (error instanceof SsoTemporarilyUnavailableError) return 'login_server_down';
  return 'unavailable';
}

/** Wallet balances and journals of a user's own characters. */
export class WalletService {
  constructor(private readonly options: WalletServiceOptions) {}

  /** Every character's balance; a character whose login is dead shows why instead of failing the whole answer. */
  async overview(discordUserId: bigint, budget: Budget): Promise<WalletOverview> {
    // One statement: the user's grants, each knowing whether it is the main.
    const characters = await this.options.tokens.accessTokensOfUser(discordUserId, [WALLET_SCOPE], budget);
    const balances = await Promise.all(
      characters.map(async ({ characterId, name, isMain, result }): Promise<CharacterBalance> => {
        const ref = { characterId, name, isMain };
        if ('error' in result) return { ...ref, problem: problemOf(result.error), message: result.error.userMessage };
        try {
          return { ...ref, balance: await walletBalance(this.options.esi, { characterId, accessToken: result.token }, budget) };
        } catch (error) {
          if (error instanceof UserFacingError) return { ...ref, problem: problemOf(error), message: error.userMessage };
          throw error;
        }
      }),
    );
    balances.sort((a, b) => Number(b.isMain) - Number(a.isMain) || a.name.localeCompare(b.name));
    return { characters: balances, total: balances.reduce((sum, c) => sum + ('balance' in c ? c.balance : 0), 0) };
  }

  async detail(character: { id: bigint; name: string }, budget: Budget, now = new Date()): Promise<WalletDetail> {
    const accessToken = await this.options.tokens.accessToken(character.id, [WALLET_SCOPE], budget);
    const auth = { characterId: character.id, accessToken };
    const [balance, journal] = await Promise.all([walletBalance(this.options.esi, auth, budget), walletJournal(this.options.esi, auth, 1, budget)]);
    const newestFirst = [...journal.entries].sort((a, b) => b.date.getTime() - a.date.getTime());
    const since = now.getTime() - TOTALS_DAYS * DAY_MS;
    let moneyIn = 0;
    let moneyOut = 0;
    for (const entry of newestFirst) {
      if (entry.amount === undefined || entry.date.getTime() < since) continue;
      if (entry.amount >= 0) moneyIn += entry.amount;
      else moneyOut += entry.amount;
    }
    return { characterId: character.id, name: character.name, balance, journal: newestFirst, moneyIn, moneyOut, partial: journal.pages > 1 };
  }

  /** The balance chart of a detail (oldest first, ending with the balance now), or undefined when no chart renderer is configured. */
  async chart(detail: WalletDetail, now = new Date()): Promise<Buffer | undefined> {
    if (!this.options.chart) return undefined;
    return this.options.chart([...balancePoints(detail.journal), { date: now, balance: detail.balance }], now);
  }
}
