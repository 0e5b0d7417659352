import type { Budget } from '../budget.ts';
import { UserFacingError } from '../errors.ts';
import { walletBalance, walletJournal, type EsiClient, type JournalEntry } from '../esi/index.ts';
import type { TokenService } from '../tokens/tokenService.ts';

export const WALLET_SCOPE = 'esi-wallet.read_character_wallet.v1';

export type CharacterBalance =
  | { characterId: bigint; name: string; balance: number }
  | { characterId: bigint; name: string; problem: string };

export interface WalletOverview {
  characters: CharacterBalance[];
  /** sum of the balances that could be read */
  total: number;
}

export interface WalletDetail {
  characterId: bigint;
  name: string;
  balance: number;
  /** newest first, at most `limit` */
  journal: JournalEntry[];
}

/** Wallet balances and journals of a user's own characters. */
export class WalletService {
  constructor(private readonly options: { tokens: TokenService; esi: EsiClient }) {}

  /** Every character's balance; a character whose login is dead shows why instead of failing the whole answer. */
  async overview(discordUserId: bigint, budget: Budget): Promise<WalletOverview> {
    const characters = await this.options.tokens.accessTokensOfUser(discordUserId, [WALLET_SCOPE], budget);
    const balances = await Promise.all(
      characters.map(async ({ characterId: id, name, result }): Promise<CharacterBalance> => {
        if ('error' in result) return { characterId: id, name, problem: result.error.userMessage };
        try {
          return { characterId: id, name, balance: await walletBalance(this.options.esi, { characterId: id, accessToken: result.token }, budget) };
        } catch (error) {
          if (error instanceof UserFacingError) return { characterId: id, name, problem: error.userMessage };
          throw error;
        }
      }),
    );
    return { characters: balances, total: balances.reduce((sum, c) => sum + ('balance' in c ? c.balance : 0), 0) };
  }

  async detail(character: { id: bigint; name: string }, budget: Budget, limit = 10): Promise<WalletDetail> {
    const accessToken = await this.options.tokens.accessToken(character.id, [WALLET_SCOPE], budget);
    const auth = { characterId: character.id, accessToken };
    const [balance, journal] = await Promise.all([walletBalance(this.options.esi, auth, budget), walletJournal(this.options.esi, auth, 1, budget)]);
    const newestFirst = [...journal.entries].sort((a, b) => b.date.getTime() - a.date.getTime());
    return { characterId: character.id, name: character.name, balance, journal: newestFirst.slice(0, limit) };
  }
}
