import type { Database, Prisma } from '../db/client.ts';
import { digest } from './pkce.ts';

/** How long a completed link is remembered: a day covers a tab left open and reloaded later. */
export const COMPLETED_LOGIN_TTL_MS = 24 * 60 * 60 * 1000;

/** What a reused login link or a reloaded success page can say: which character, and where to go back to. */
export interface CompletedLogin {
  characterName: string;
  guildId: bigint | null;
}

type Writer = Pick<Prisma.TransactionClient, 'completedLogin'>;

/**
 * Links that were confirmed, remembered for a while by the digests of their
 * one-time values (the confirmation's and the login's state): a state or a
 * confirmation is deleted when used, and without this a used one could only
 * be answered "not valid". Nothing secret is kept: no code, no token.
 */
export class CompletedLogins {
  constructor(
    private readonly database: Database,
    private readonly ttlMs = COMPLETED_LOGIN_TTL_MS,
  ) {}

  /** In the transaction that stores the link, so "already linked" is never said of a link that was not stored. */
  async record(tx: Writer, input: { confirmationId: string; stateDigest: string | undefined; characterName: string; guildId: bigint | null }, now = new Date()): Promise<void> {
    await tx.completedLogin.create({
      data: {
        confirmationDigest: input.confirmationId,
        stateDigest: input.stateDigest ?? null,
        characterName: input.characterName,
        guildId: input.guildId,
        expiresAt: new Date(now.getTime() + this.ttlMs),
      },
    });
  }

  /** The completed link whose login had this state, if still remembered. */
  async byState(state: string, now = new Date()): Promise<CompletedLogin | undefined> {
    return this.#find({ stateDigest: digest(state) }, now);
  }

  /** The completed link whose confirmation form carried this value, if still remembered. */
  async byConfirmation(value: string, now = new Date()): Promise<CompletedLogin | undefined> {
    return this.#find({ confirmationDigest: digest(value) }, now);
  }

  async deleteExpired(now = new Date()): Promise<number> {
    const { count } = await this.database.completedLogin.deleteMany({ where: { expiresAt: { lt: now } } });
    return count;
  }

  async #find(where: { stateDigest: string } | { confirmationDigest: string }, now: Date): Promise<CompletedLogin | undefined> {
    const row = await this.database.completedLogin.findFirst({ where: { ...where, expiresAt: { gt: now } }, select: { characterName: true, guildId: true } });
    return row ?? undefined;
  }
}
