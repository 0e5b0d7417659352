import { randomUUID } from 'node:crypto';
import { recordEvent } from '../db/auditEvents.ts';
import { isDatabaseUnavailable, type Database, type Prisma } from '../db/client.ts';
import { SecretBoxError, type SecretBox } from '../db/secretBox.ts';
import { resealGrant } from '../keys/rotation.ts';
import { InvalidTokenError, SsoGrantRejectedError, SsoMisconfiguredError, SsoUnavailableError } from '../eve/errors.ts';
import type { TokenVerifier, VerifiedToken } from '../eve/jwt.ts';
import type { SsoClient, TokenAnswer } from '../eve/sso.ts';
import { openAccessToken, openRefreshToken, sealAccessToken, sealRefreshToken } from '../links/grantSecrets.ts';
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
  LoginUnreadableError,
  MissingScopesError,
  NotLinkedError,
  SsoTemporarilyUnavailableError,
  TokenError,
} from './errors.ts';
import { deadLoginMessage } from './deadLoginMessage.ts';
import { readGrant, readGrants, releaseRefreshLease, takeRefreshLease, updateGrantIfUnchanged, type GrantIdentity, type GrantRow } from './grantStore.ts';

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
  /** refreshes in flight per process */
  maxConcurrentRefreshes?: number;
  /** used when a caller gives no budget */
  defaultBudgetMs?: number;
  /** how long a process may hold the right to refresh one character (a crashed holder is replaced after it) */
  leaseMs?: number;
  /** how often a caller checks whether another process finished its refresh */
  leasePollMs?: number;
  /** a user's characters changed (a login died, a character changed hands): their roles may change */
  onCharactersChanged?: (discordUserId: bigint) => void;
  /** a sentence for the DM about a dead login: until when the roles it earns are kept */
  deadLoginNotice?: (discordUserId: bigint) => Promise<string | undefined>;
  /** told how each refresh ended (metrics): refreshed, shared (another caller or process did it), transient_failure, dead */
  onRefresh?: (outcome: 'refreshed' | 'shared' | 'transient_failure' | 'dead') => void;
}

/** A refusal this soon after a rotation or an unanswered request is suspicious: about one access token's life. */
const SUSPICION_WINDOW_MS = 20 * 60 * 1000;
/** A second refusal counts as independent of the first only this much later. */
const INDEPENDENT_REFUSAL_MS = 30_000;
/** Attempts to store a rotated refresh token while the database hiccups: it is the only copy. */
const ROTATION_STORE_ATTEMPTS = 4;

export type TokenResult = { token: string } | { error: TokenError };

/**
 * Hands out access tokens, refreshing lazily, at most once at a time per
 * character: in one process through a shared promise, across processes
 * through a lease on the grant row (taken and given back with one statement
 * each; no connection or transaction is held across the SSO call).
 *
 * A used refresh token is never sent again: the moment the SSO answers 200,
 * the refresh token it returned is sealed and committed, before the access
 * token is even verified. An access token that fails verification is not
 * handed out; the next call refreshes with the stored new refresh token.
 * Only invalid_grant/invalid_token kill a grant, and one that comes right
 * after a rotation or an unanswered request only on a second, later refusal.
 */
export class TokenService {
  readonly #options: Required<Omit<TokenServiceOptions, 'onCharactersChanged' | 'deadLoginNotice' | 'onRefresh'>> & Pick<TokenServiceOptions, 'onCharactersChanged' | 'deadLoginNotice' | 'onRefresh'>;
  readonly #inFlight = new Map<bigint, Promise<string>>();
  readonly #slots: Semaphore;

  constructor(options: TokenServiceOptions) {
    this.#options = {
      marginSeconds: 60,
      retries: 2,
      retryBaseMs: 250,
      maxConcurrentRefreshes: 4,
      defaultBudgetMs: 8_000,
      leaseMs: 60_000,
      leasePollMs: 100,
      ...options,
    };
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
  async accessTokensOfUser(discordUserId: bigint, requiredScopes: readonly string[], budget?: TokenBudget): Promise<{ characterId: bigint; name: string; isMain: boolean; result: TokenResult }[]> {
    const grants = await readGrants(this.#options.database, { discordUserId });
    const results = await this.#resultsFor([...grants.keys()], grants, requiredScopes, budget);
    return [...grants.values()].map((grant) => ({ characterId: grant.characterId, name: grant.character.name, isMain: grant.character.isMain, result: results.get(grant.characterId)! }));
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
    if (this.#fresh(usable)) {
      const token = this.#open(usable, () => openAccessToken(this.#options.box, characterId, usable.accessToken!, usable.keyId));
      if (this.#options.box.isOutdated(usable.keyId)) this.#reseal(usable);
      return token;
    }

    let refresh = this.#inFlight.get(characterId);
    if (refresh) this.#options.onRefresh?.('shared');
    else {
      refresh = this.#refresh(characterId, budget ?? { deadline: performance.now() + this.#options.defaultBudgetMs });
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
    return grant.accessToken !== null && grant.accessTokenExpiresAt !== null && grant.accessTokenExpiresAt.getTime() > this.#staleBefore().getTime();
  }

  /** A grant sealed with a previous key is sealed again with the current one, beside the command that used it. */
  #reseal(grant: GrantRow): void {
    const { database, box, logger } = this.#options;
    resealGrant(database, box, grant).then(
      (done) => {
        if (done) logger.info({ characterId: String(grant.characterId), fromKeyId: grant.keyId, keyId: box.keyId }, 'login re-sealed with the current key');
      },
      (error: unknown) => logger.warn({ characterId: String(grant.characterId), err: error }, 'could not re-seal a login with the current key'),
    );
  }

  /** Opens a sealed token of the grant; one that does not open fails that character alone, with a typed error. */
  #open(grant: GrantRow, open: () => string): string {
    try {
      return open();
    } catch (error) {
      if (!(error instanceof SecretBoxError)) throw error;
      this.#options.logger.error({ characterId: String(grant.characterId), keyId: grant.keyId, err: error }, 'a stored login does not decrypt (another TOKEN_ENCRYPTION_KEY, or a changed row)');
      throw new LoginUnreadableError(grant.characterId, grant.character.name, { cause: error });
    }
  }

  /** An access token expiring before this is refreshed. */
  #staleBefore(): Date {
    return new Date(Date.now() + this.#options.marginSeconds * 1000);
  }

  async #refresh(characterId: bigint, budget: TokenBudget): Promise<string> {
    const started = performance.now();
    const { logger } = this.#options;
    try {
      const leased = await this.#takeLease(characterId, budget);
      if ('token' in leased) {
        this.#options.onRefresh?.('shared');
        return leased.token;
      }
      const token = await this.#slots.run(() => this.#refreshUnderLease(leased.grant, leased.lease, budget)).catch(async (error: unknown) => {
        // Whatever failed, the lease must not outlive this refresh (the paths that handled it already gave it back).
        await releaseRefreshLease(this.#options.database, characterId, leased.lease).catch(() => false);
        throw error;
      });
      logger.info({ characterId: String(characterId), outcome: 'refreshed', ms: Math.round(performance.now() - started) }, 'token refresh');
      this.#options.onRefresh?.('refreshed');
      return token;
    } catch (error) {
      this.#options.onRefresh?.(error instanceof LoginExpiredError ? 'dead' : 'transient_failure');
      const outcome = error instanceof Error ? error.name : 'unknown';
      const log = error instanceof BotMisconfiguredError ? logger.error.bind(logger) : logger.warn.bind(logger);
      log({ characterId: String(characterId), outcome, ms: Math.round(performance.now() - started), err: error }, 'token refresh failed');
      throw error;
    }
  }

  /**
   * The lease for this character, or the token another process refreshed
   * while this one waited for its lease to end.
   */
  async #takeLease(characterId: bigint, budget: TokenBudget): Promise<{ token: string } | { lease: string; grant: GrantRow }> {
    const { database, leaseMs, leasePollMs, logger } = this.#options;
    for (let waited = false; ; waited = true) {
      const lease = randomUUID();
      const grant = await takeRefreshLease(database, { characterId, lease, leaseMs, staleBefore: this.#staleBefore() });
      if (grant) return { lease, grant };
      // Not taken: the grant is gone or dead, fresh already, or another process is refreshing it.
      const current = this.#check(characterId, await readGrant(database, characterId), []);
      if (this.#fresh(current)) {
        logger.debug({ characterId: String(characterId), outcome: 'shared', waited }, 'token refreshed elsewhere');
        return { token: this.#open(current, () => openAccessToken(this.#options.box, characterId, current.accessToken!, current.keyId)) };
      }
      if (performance.now() + leasePollMs >= budget.deadline) {
        throw new SsoTemporarilyUnavailableError(characterId, { cause: new Error('another process is still refreshing this token') });
      }
      await sleep(leasePollMs);
    }
  }

  async #refreshUnderLease(grant: GrantRow, lease: string, budget: TokenBudget): Promise<string> {
    const { characterId } = grant;
    const { box, database, logger } = this.#options;
    const refreshToken = this.#open(grant, () => openRefreshToken(box, characterId, grant.refreshToken, grant.keyId));
    const attempt = { uncertain: false };
    let answer: TokenAnswer;
    try {
      answer = await this.#callSso(characterId, refreshToken, budget, attempt);
    } catch (error) {
      if (error instanceof SsoGrantRejectedError) return this.#refused(grant, lease, error, attempt.uncertain);
      await releaseRefreshLease(database, characterId, lease, attempt.uncertain ? { refreshUncertainAt: new Date() } : {});
      throw error;
    }

    // The SSO carried the refresh out: the refresh token sent is spent. The one it returned
    // (or the same, when it returned none) is committed before anything else may fail.
    const rotated = await this.#storeRotation(grant, answer.refresh_token ?? refreshToken);
    if (!rotated) {
      // A /link replaced the grant, or /unlink removed it, while this refresh ran: theirs stands.
      await this.#revokeIfUnlinked(characterId, answer.refresh_token);
      throw new SsoTemporarilyUnavailableError(characterId, { cause: new Error('the grant changed during the refresh') });
    }

    let verified: VerifiedToken;
    try {
      verified = await this.#options.verifier.verify(answer.access_token);
      if (verified.characterId !== characterId) throw new InvalidTokenError('the refreshed token names another character');
    } catch (error) {
      // Not handed out. The new refresh token is stored: the next call refreshes with it.
      await releaseRefreshLease(database, characterId, lease);
      logger.warn({ characterId: String(characterId), err: error }, 'refreshed access token failed verification; not used, the new refresh token is kept');
      throw new SsoTemporarilyUnavailableError(characterId, { cause: error });
    }

    if (verified.ownerHash !== grant.character.ownerHash) {
      await this.#unlinkChangedHands(grant, rotated);
      // The token just issued belongs to the new owner's account: the bot will never use it.
      if (answer.refresh_token) await this.#revoke(characterId, answer.refresh_token, 'the character changed hands');
      throw new CharacterChangedHandsError(characterId, grant.character.name);
    }

    const stored = await updateGrantIfUnchanged(database, rotated, {
      accessToken: sealAccessToken(box, characterId, answer.access_token),
      accessTokenExpiresAt: new Date(Math.min(verified.expiresAt.getTime(), Date.now() + answer.expires_in * 1000)),
      scopes: verified.scopes,
      refreshLeaseUntil: null,
      refreshLeaseId: null,
    }, box.keyId);
    if (!stored) {
      // Replaced or removed since the rotation was stored. The access token is still this character's and valid.
      await releaseRefreshLease(database, characterId, lease);
      await this.#revokeIfUnlinked(characterId, answer.refresh_token);
    }
    return answer.access_token;
  }

  /** The SSO call, retried on outages within the budget; `attempt.uncertain` records a request that may have been carried out unseen. */
  async #callSso(characterId: bigint, refreshToken: string, budget: TokenBudget, attempt: { uncertain: boolean }): Promise<TokenAnswer> {
    for (let retry = 0; ; retry += 1) {
      const remaining = budget.deadline - performance.now();
      try {
        if (remaining <= 0) throw new SsoUnavailableError('no time left in the budget');
        return await this.#options.sso.refresh(refreshToken, { deadline: budget.deadline });
      } catch (error) {
        if (error instanceof SsoMisconfiguredError) throw new BotMisconfiguredError({ cause: error });
        if (!(error instanceof SsoUnavailableError)) throw error;
        if (error.uncertain) attempt.uncertain = true;
        // A request that may have been carried out is still retried: if it was, the token is lost either way,
        // and an SSO that tolerates a quick retry gives the answer again. One known to be answered is not.
        const delay = jitteredDelay(retry, this.#options.retryBaseMs);
        if (error.spent || retry >= this.#options.retries || performance.now() + delay >= budget.deadline) {
          throw new SsoTemporarilyUnavailableError(characterId, { cause: error });
        }
        this.#options.logger.info({ characterId: String(characterId), attempt: retry + 1, err: error }, 'token refresh failed; retrying');
        await sleep(delay);
      }
    }
  }

  /**
   * Seals and commits the refresh token the SSO returned, with the current
   * key, and forgets the old access token (the new one is stored once
   * verified). Retried while the database hiccups: it is the only copy.
   * Returns the grant's new version, or undefined when the grant was
   * replaced or removed meanwhile.
   */
  async #storeRotation(grant: GrantRow, refreshToken: string): Promise<GrantIdentity | undefined> {
    const { characterId } = grant;
    const { box, database, logger } = this.#options;
    const sealed = sealRefreshToken(box, characterId, refreshToken);
    const data = {
      refreshToken: sealed,
      keyId: box.keyId,
      accessToken: null,
      accessTokenExpiresAt: null,
      lastRefreshedAt: new Date(),
      rotatedAt: new Date(),
      refreshUncertainAt: null,
      firstRefusalAt: null,
      version: { increment: 1 },
    };
    const next: GrantIdentity = { characterId, version: grant.version + 1, createdAt: grant.createdAt };
    for (let attempt = 1; ; attempt += 1) {
      try {
        if (await updateGrantIfUnchanged(database, grant, data)) return next;
        // A retry after an unclear commit finds its own write: the ciphertext's random nonce makes it unique.
        if (attempt > 1) {
          const now = await readGrant(database, characterId);
          if (now && now.version === next.version && now.createdAt.getTime() === grant.createdAt.getTime() && Buffer.from(now.refreshToken).equals(Buffer.from(sealed))) return next;
        }
        return undefined;
      } catch (error) {
        if (!isDatabaseUnavailable(error) || attempt >= ROTATION_STORE_ATTEMPTS) {
          logger.error({ characterId: String(characterId), err: error }, 'the rotated refresh token could not be stored: this login will need /link again');
          throw error;
        }
        await sleep(jitteredDelay(attempt, 200));
      }
    }
  }

  /**
   * The SSO refused the refresh token. Right after a rotation or an
   * unanswered request that may be the SSO's doing or ours (the new token not
   * yet known everywhere, a lost answer), so the grant is kept and the
   * refusal logged as suspicious; a second refusal, independent of the first,
   * kills it. Otherwise it is dead at once, and its owner is told once.
   */
  async #refused(grant: GrantRow, lease: string, error: SsoGrantRejectedError, uncertainNow: boolean): Promise<never> {
    const { characterId } = grant;
    const { database, logger } = this.#options;
    const now = Date.now();
    const recent = (at: Date | null) => at !== null && now - at.getTime() < SUSPICION_WINDOW_MS;
    // A lease taken over from a stalled holder: that holder may have rotated the token meanwhile.
    const suspicious = uncertainNow || grant.takenOver === true || recent(grant.rotatedAt) || recent(grant.refreshUncertainAt);
    const confirmed = grant.firstRefusalAt !== null && now - grant.firstRefusalAt.getTime() >= INDEPENDENT_REFUSAL_MS;
    if (suspicious && !confirmed) {
      await releaseRefreshLease(database, characterId, lease, {
        firstRefusalAt: grant.firstRefusalAt ?? new Date(now),
        ...(uncertainNow ? { refreshUncertainAt: new Date(now) } : {}),
      });
      logger.warn(
        { characterId: String(characterId), error: error.error, after: uncertainNow || recent(grant.refreshUncertainAt) ? 'an unanswered request' : 'a rotation' },
        'suspicious refusal of a refresh token: the login is kept until a second refusal',
      );
      throw new SsoTemporarilyUnavailableError(characterId, { cause: error });
    }
    const killed = await database.$transaction(async (tx) => {
      // Only the grant this refresh started from, while the lease is still ours: a /link or another refresh that
      // changed it meanwhile made the refused token irrelevant.
      const { count } = await tx.grant.updateMany({
        where: { characterId, version: grant.version, createdAt: grant.createdAt, refreshLeaseId: lease },
        // The ciphertext stays, for the audit; the grant is never used again until a new /link replaces it.
        data: { status: 'invalid', invalidSince: new Date(now), invalidReason: error.error, notifiedAt: new Date(now), refreshLeaseUntil: null, refreshLeaseId: null },
      });
      if (count === 0) return false;
      await recordEvent(tx, {
        kind: 'grant_invalid',
        discordUserId: grant.character.discordUserId,
        characterId,
        detail: { name: grant.character.name, reason: error.error },
      });
      return true;
    });
    if (!killed) throw new SsoTemporarilyUnavailableError(characterId, { cause: new Error('the grant changed while its refresh was refused') });
    // Told only once the change is committed.
    this.#options.onCharactersChanged?.(grant.character.discordUserId);
    const userId = grant.character.discordUserId;
    const [roles, guildIds] = await Promise.all([
      this.#options.deadLoginNotice?.(userId).catch(() => undefined),
      // The servers where the member uses the bot, latest first, so the DM can name them.
      database.guildMember
        .findMany({ where: { discordUserId: userId }, orderBy: { seenAt: 'desc' }, select: { guildId: true }, take: 5 })
        .then((rows) => rows.map((r) => r.guildId))
        .catch(() => []),
    ]);
    await this.#options.notifier.sendDirectMessage(userId, deadLoginMessage(grant.character.name, guildIds, roles)).catch(() => undefined);
    throw new LoginExpiredError(characterId, grant.character.name, error.error);
  }

  /** Unlinks the character (if its grant is still the one just refreshed) and tells its former owner, after the commit. */
  async #unlinkChangedHands(grant: GrantRow, current: GrantIdentity): Promise<void> {
    const { characterId } = grant;
    const userId = grant.character.discordUserId;
    const unlinked = await this.#options.database.$transaction(async (tx: Prisma.TransactionClient) => {
      // A /link or /unlink since the rotation decided already.
      if ((await tx.grant.count({ where: { characterId, version: current.version, createdAt: current.createdAt } })) === 0) return false;
      await tx.character.delete({ where: { id: characterId } });
      await ensureMain(tx, userId);
      await recordEvent(tx, {
        kind: 'owner_changed',
        discordUserId: userId,
        characterId,
        detail: { name: grant.character.name, note: 'owner hash changed on refresh: unlinked from its Discord user' },
      });
      return true;
    });
    if (!unlinked) return;
    this.#options.onCharactersChanged?.(userId);
    await this.#options.notifier
      .sendDirectMessage(userId, { content: `**${escapeMarkdown(grant.character.name)}** has moved to another EVE account, so it is no longer linked to yours.` })
      .catch(() => undefined);
  }

  /**
   * A token issued for a grant that an /unlink removed meanwhile is revoked.
   * One whose grant a new /link replaced is left alone: revoking it might
   * end the authorization the new login shares at the SSO.
   */
  async #revokeIfUnlinked(characterId: bigint, refreshToken: string | undefined): Promise<void> {
    if (!refreshToken) return;
    const exists = await this.#options.database.grant.count({ where: { characterId } });
    if (exists === 0) await this.#revoke(characterId, refreshToken, 'the character was unlinked during the refresh');
  }

  /** Best effort: a token the bot will never use is revoked at the SSO. */
  async #revoke(characterId: bigint, refreshToken: string, why: string): Promise<void> {
    try {
      await this.#options.sso.revoke(refreshToken);
    } catch (error) {
      this.#options.logger.warn({ characterId: String(characterId), err: error, why }, 'could not revoke a refresh token the bot will not use');
    }
  }
}
