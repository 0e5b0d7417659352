import { recordEvent } from '../db/auditEvents.ts';
import { Prisma, type Database } from '../db/client.ts';
import type { SecretBox } from '../db/secretBox.ts';
import { InvalidTokenError, SsoGrantRejectedError, SsoMisconfiguredError, SsoUnavailableError } from '../eve/errors.ts';
import type { TokenVerifier, VerifiedToken } from '../eve/jwt.ts';
import type { SsoClient, TokenAnswer } from '../eve/sso.ts';
import { openAccessToken, openRefreshToken, sealGrantTokens } from '../links/grantSecrets.ts';
import { ensureMain } from '../links/mainCharacter.ts';
import type { Logger } from '../log.ts';
import type { DiscordNotifier } from '../notify.ts';
import { escapeMarkdown } from '../text.ts';
import { jitteredDelay, sleep } from '../util/backoff.ts';
import { Semaphore } from '../util/semaphore.ts';
import {
  BotMisconfiguredError,
  CharacterChangedHandsError,
  LoginExpiredError,
  MissingScopesError,
  NotLinkedError,
  SsoTemporarilyUnavailableError,
  TokenError,
} from './errors.ts';

export interface TokenBudget {
  /** performance.now() by which the caller must have an answer */
  deadline: number;
}

export interface TokenServiceOptions {
  database: Database;
  box: SecretBox;
  sso: SsoClient;
  verifier: TokenVerifier;
  notifier: DiscordNotifier;
  logger: Logger;
  /** an access token is handed out only with at least this much life left */
  marginSeconds?: number;
  /** retries after a transient SSO failure (so attempts = retries + 1) */
  retries?: number;
  retryBaseMs?: number;
  /** refreshes in flight per process; also bounds the database connections held by refreshes */
  maxConcurrentRefreshes?: number;
  /** used when a caller gives no budget */
  defaultBudgetMs?: number;
}

/** A grant with what the token service needs of its character. */
interface GrantRow {
  characterId: bigint;
  keyId: string;
  refreshToken: Uint8Array;
  accessToken: Uint8Array | null;
  accessTokenExpiresAt: Date | null;
  scopes: string[];
  status: 'ok' | 'invalid';
  invalidReason: string | null;
  character: { name: string; ownerHash: string; discordUserId: bigint };
}

type Reader = Pick<Prisma.TransactionClient, '$queryRaw'>;

/**
 * One statement for any number of grants (Prisma would send two per grant
 * for the relation): this read is on the path of every command that needs ESI.
 */
async function readGrants(db: Reader, which: { characterIds: readonly bigint[] } | { discordUserId: bigint }): Promise<Map<bigint, GrantRow>> {
  const where =
    'discordUserId' in which
      ? Prisma.sql`c.discord_user_id = ${which.discordUserId}`
      : Prisma.sql`g.character_id = ANY(${[...which.characterIds]}::bigint[])`;
  const rows = await db.$queryRaw<
    {
      character_id: bigint;
      key_id: string;
      refresh_token: Uint8Array;
      access_token: Uint8Array | null;
      access_token_expires_at: Date | null;
      scopes: string[];
      status: 'ok' | 'invalid';
      invalid_reason: string | null;
      name: string;
      owner_hash: string;
      discord_user_id: bigint;
    }[]
  >`
    SELECT g.character_id, g.key_id, g.refresh_token, g.access_token, g.access_token_expires_at, g.scopes,
           g.status::text AS status, g.invalid_reason, c.name, c.owner_hash, c.discord_user_id
    FROM "grant" g JOIN "character" c ON c.id = g.character_id
    WHERE ${where}
    ORDER BY c.name`;
  return new Map(
    rows.map((row) => [
      row.character_id,
      {
        characterId: row.character_id,
        keyId: row.key_id,
        refreshToken: row.refresh_token,
        accessToken: row.access_token,
        accessTokenExpiresAt: row.access_token_expires_at,
        scopes: row.scopes,
        status: row.status,
        invalidReason: row.invalid_reason,
        character: { name: row.name, ownerHash: row.owner_hash, discordUserId: row.discord_user_id },
      },
    ]),
  );
}

async function readGrant(db: Reader, characterId: bigint): Promise<GrantRow | null> {
  return (await readGrants(db, { characterIds: [characterId] })).get(characterId) ?? null;
}

export type TokenResult = { token: string } | { error: TokenError };

/**
 * Hands out access tokens, refreshing lazily, at most once at a time per
 * character: in one process through a shared promise, across processes
 * through a Postgres advisory lock held while the refresh runs, with the
 * grant read again once the lock is held. The rotated refresh token is saved
 * in that same transaction before the access token is returned. Only
 * invalid_grant/invalid_token kill a grant; every other failure leaves it as it was.
 */
export class TokenService {
  readonly #options: Required<TokenServiceOptions>;
  readonly #inFlight = new Map<bigint, Promise<string>>();
  readonly #slots: Semaphore;

  constructor(options: TokenServiceOptions) {
    this.#options = { marginSeconds: 60, retries: 2, retryBaseMs: 250, maxConcurrentRefreshes: 4, defaultBudgetMs: 8_000, ...options };
    this.#slots = new Semaphore(this.#options.maxConcurrentRefreshes);
  }

  /** An access token for the character, valid for at least the margin, holding every required scope; or a typed TokenError. */
  async accessToken(characterId: bigint, requiredScopes: readonly string[], budget?: TokenBudget): Promise<string> {
    return this.#fromGrant(characterId, await readGrant(this.#options.database, characterId), requiredScopes, budget);
  }

  /**
   * Tokens for several characters (e.g. all of a user's) with one read of
   * their grants. Each character gets its token or its own TokenError, so
   * one dead login does not fail the others.
   */
  async accessTokens(characterIds: readonly bigint[], requiredScopes: readonly string[], budget?: TokenBudget): Promise<Map<bigint, TokenResult>> {
    const grants = characterIds.length ? await readGrants(this.#options.database, { characterIds }) : new Map<bigint, GrantRow>();
    return this.#resultsFor(characterIds, grants, requiredScopes, budget);
  }

  /** Every character of a Discord user, by name, with its token or TokenError: one statement for all. */
  async accessTokensOfUser(discordUserId: bigint, requiredScopes: readonly string[], budget?: TokenBudget): Promise<{ characterId: bigint; name: string; result: TokenResult }[]> {
    const grants = await readGrants(this.#options.database, { discordUserId });
    const results = await this.#resultsFor([...grants.keys()], grants, requiredScopes, budget);
    return [...grants.values()].map((grant) => ({ characterId: grant.characterId, name: grant.character.name, result: results.get(grant.characterId)! }));
  }

  async #resultsFor(characterIds: readonly bigint[], grants: Map<bigint, GrantRow>, requiredScopes: readonly string[], budget?: TokenBudget): Promise<Map<bigint, TokenResult>> {
    const results = await Promise.all(
      characterIds.map(async (id): Promise<[bigint, TokenResult]> => {
        try {
          return [id, { token: await this.#fromGrant(id, grants.get(id) ?? null, requiredScopes, budget) }];
        } catch (error) {
          if (error instanceof TokenError) return [id, { error }];
          throw error;
        }
      }),
    );
    return new Map(results);
  }

  async #fromGrant(characterId: bigint, grant: GrantRow | null, requiredScopes: readonly string[], budget?: TokenBudget): Promise<string> {
    const usable = this.#check(characterId, grant, requiredScopes);
    if (this.#fresh(usable)) return openAccessToken(this.#options.box, characterId, usable.accessToken!, usable.keyId);

    let refresh = this.#inFlight.get(characterId);
    if (!refresh) {
      refresh = this.#slots.run(() => this.#refreshLocked(characterId, budget ?? { deadline: performance.now() + this.#options.defaultBudgetMs }));
      this.#inFlight.set(characterId, refresh);
      void refresh.then(
        () => this.#inFlight.delete(characterId),
        () => this.#inFlight.delete(characterId),
      );
    }
    return refresh;
  }

  /**
   * ESI refused a token (401/403): find out whether the grant lacks the
   * scope or is dead, and throw that typed error; returns when the grant
   * looks fine (the refusal is about something else).
   */
  async explainRefusal(characterId: bigint, requiredScope: string): Promise<void> {
    const grant = await readGrant(this.#options.database, characterId);
    this.#check(characterId, grant, [requiredScope]);
  }

  #check(characterId: bigint, grant: GrantRow | null, requiredScopes: readonly string[]): GrantRow {
    if (!grant) throw new NotLinkedError(characterId);
    if (grant.status === 'invalid') throw new LoginExpiredError(characterId, grant.character.name, grant.invalidReason ?? 'invalid');
    const missing = requiredScopes.filter((scope) => !grant.scopes.includes(scope));
    if (missing.length > 0) throw new MissingScopesError(characterId, grant.character.name, missing);
    return grant;
  }

  #fresh(grant: GrantRow): boolean {
    return (
      grant.accessToken !== null &&
      grant.accessTokenExpiresAt !== null &&
      grant.accessTokenExpiresAt.getTime() - Date.now() > this.#options.marginSeconds * 1000
    );
  }

  async #refreshLocked(characterId: bigint, budget: TokenBudget): Promise<string> {
    const started = performance.now();
    const { database, logger } = this.#options;
    let notify: (() => Promise<unknown>) | undefined;
    try {
      // Failures that change the grant must commit: the transaction returns them, and they are thrown after.
      const outcome = await database.$transaction(
        async (tx) => {
          await tx.$executeRaw`SELECT pg_advisory_xact_lock(${characterId})`;
          const grant = this.#check(characterId, await readGrant(tx, characterId), []);
          if (this.#fresh(grant)) {
            // Another process refreshed while we waited for the lock.
            logger.debug({ characterId: String(characterId), outcome: 'shared' }, 'token refreshed elsewhere');
            return { token: openAccessToken(this.#options.box, characterId, grant.accessToken!, grant.keyId) };
          }
          const refreshToken = openRefreshToken(this.#options.box, characterId, grant.refreshToken, grant.keyId);
          let answer: TokenAnswer;
          let verified: VerifiedToken;
          try {
            ({ answer, verified } = await this.#refreshWithRetries(characterId, refreshToken, budget));
          } catch (error) {
            if (error instanceof SsoGrantRejectedError) {
              notify = await this.#markInvalid(tx, grant, error.error);
              return { error: new LoginExpiredError(characterId, grant.character.name, error.error) };
            }
            throw error;
          }
          if (verified.ownerHash !== grant.character.ownerHash) {
            notify = await this.#unlinkChangedHands(tx, grant);
            return { error: new CharacterChangedHandsError(characterId, grant.character.name) };
          }
          const sealed = sealGrantTokens(this.#options.box, characterId, {
            accessToken: answer.access_token,
            // No refresh_token in the answer: the old one stays valid and stays stored.
            refreshToken: answer.refresh_token ?? refreshToken,
          });
          await tx.grant.update({
            where: { characterId },
            data: {
              refreshToken: sealed.refreshToken,
              accessToken: sealed.accessToken,
              accessTokenExpiresAt: new Date(Math.min(verified.expiresAt.getTime(), Date.now() + answer.expires_in * 1000)),
              keyId: this.#options.box.keyId,
              scopes: verified.scopes,
              lastRefreshedAt: new Date(),
              version: { increment: 1 },
            },
          });
          return { token: answer.access_token };
        },
        // The lock is held across the SSO call: allow for a full budget of retries.
        { timeout: 60_000, maxWait: 20_000 },
      );
      if ('error' in outcome) throw outcome.error;
      logger.info({ characterId: String(characterId), outcome: 'refreshed', ms: Math.round(performance.now() - started) }, 'token refresh');
      return outcome.token;
    } catch (error) {
      const outcome = error instanceof Error ? error.name : 'unknown';
      const log = error instanceof BotMisconfiguredError ? logger.error.bind(logger) : logger.warn.bind(logger);
      log({ characterId: String(characterId), outcome, ms: Math.round(performance.now() - started), err: error }, 'token refresh failed');
      throw error;
    } finally {
      // DMs go out after the transaction committed, never for a rolled-back change.
      if (notify) await notify().catch(() => undefined);
    }
  }

  async #refreshWithRetries(characterId: bigint, refreshToken: string, budget: TokenBudget): Promise<{ answer: TokenAnswer; verified: VerifiedToken }> {
    for (let attempt = 0; ; attempt += 1) {
      const remaining = budget.deadline - performance.now();
      try {
        if (remaining <= 0) throw new SsoUnavailableError('no time left in the budget');
        const answer = await this.#options.sso.refresh(refreshToken, { timeoutMs: remaining });
        const verified = await this.#options.verifier.verify(answer.access_token);
        if (verified.characterId !== characterId) throw new SsoUnavailableError('the refreshed token names another character');
        return { answer, verified };
      } catch (error) {
        if (error instanceof SsoMisconfiguredError) throw new BotMisconfiguredError({ cause: error });
        if (error instanceof SsoGrantRejectedError) throw error;
        // A refresh answer that fails verification is malformed, not a dead grant.
        const transient = error instanceof SsoUnavailableError || error instanceof InvalidTokenError;
        if (!transient) throw error;
        const delay = jitteredDelay(attempt, this.#options.retryBaseMs);
        if (attempt >= this.#options.retries || performance.now() + delay >= budget.deadline) {
          throw new SsoTemporarilyUnavailableError(characterId, { cause: error });
        }
        this.#options.logger.info({ characterId: String(characterId), attempt: attempt + 1, err: error }, 'token refresh failed; retrying');
        await sleep(delay);
      }
    }
  }

  async #markInvalid(tx: Prisma.TransactionClient, grant: GrantRow, reason: string): Promise<() => Promise<unknown>> {
    await tx.grant.update({
      where: { characterId: grant.characterId },
      // The ciphertext stays, for the audit; the grant is never used again until a new /link replaces it.
      data: { status: 'invalid', invalidSince: new Date(), invalidReason: reason, notifiedAt: new Date() },
    });
    await recordEvent(tx, {
      kind: 'grant_invalid',
      discordUserId: grant.character.discordUserId,
      characterId: grant.characterId,
      detail: { name: grant.character.name, reason },
    });
    const { notifier } = this.#options;
    return () =>
      notifier.sendDirectMessage(grant.character.discordUserId, {
        content: `Your EVE login for **${escapeMarkdown(grant.character.name)}** has expired or was revoked, so the bot can no longer read its data. Use /link to log in again.`,
      });
  }

  async #unlinkChangedHands(tx: Prisma.TransactionClient, grant: GrantRow): Promise<() => Promise<unknown>> {
    const { characterId } = grant;
    const userId = grant.character.discordUserId;
    await tx.character.delete({ where: { id: characterId } });
    await ensureMain(tx, userId);
    await recordEvent(tx, {
      kind: 'owner_changed',
      discordUserId: userId,
      characterId,
      detail: { name: grant.character.name, note: 'owner hash changed on refresh: unlinked from its Discord user' },
    });
    const { notifier } = this.#options;
    return () =>
      notifier.sendDirectMessage(userId, {
        content: `**${escapeMarkdown(grant.character.name)}** has moved to another EVE account, so it is no longer linked to yours.`,
      });
  }
}
