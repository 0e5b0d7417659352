import { recordEvent, type AuditEventKind } from '../db/auditEvents.ts';
import type { Database } from '../db/client.ts';
import type { SecretBox } from '../db/secretBox.ts';
import { recordGuildMember } from '../audit/guildMembers.ts';
import { InvalidTokenError, SsoGrantRejectedError, SsoMisconfiguredError, SsoUnavailableError } from '../eve/errors.ts';
import type { TokenVerifier } from '../eve/jwt.ts';
import type { SsoClient, TokenAnswer } from '../eve/sso.ts';
import type { Logger } from '../log.ts';
import type { DiscordNotifier } from '../notify.ts';
import { escapeMarkdown } from '../text.ts';
import type { CompletedLogins } from './completedLogins.ts';
import { LoginFailedError, type LoginContext, type LoginFailureReason } from './errors.ts';
import { sealGrantTokens } from './grantSecrets.ts';
import type { LinkConfirmation, LinkConfirmations } from './linkConfirmations.ts';
import { ensureMain } from './mainCharacter.ts';
import { codeChallenge, digest } from './pkce.ts';
import type { DiscordAccount, PendingLogin, PendingLogins } from './pendingLogins.ts';

/** Where a character's corporation and alliance come from (public ESI). */
export interface CharacterDirectory {
  /** `at`: when ESI produced the answer (a cached one may be old) */
  affiliation(characterId: bigint): Promise<{ corporationId: bigint; allianceId: bigint | null; at: Date } | undefined>;
  corporationName(corporationId: bigint): Promise<string | undefined>;
}

export interface LinkServiceOptions {
  database: Database;
  box: SecretBox;
  pendingLogins: PendingLogins;
  confirmations: LinkConfirmations;
  completedLogins: CompletedLogins;
  sso: SsoClient;
  verifier: TokenVerifier;
  directory: CharacterDirectory;
  notifier: DiscordNotifier;
  logger: Logger;
  callbackUrl: string;
  scopes: string[];
  /** how long the confirmation page waits for an answer before the login is cancelled */
  confirmTtlMs: number;
  /** a user's characters changed (linked, moved to them or away): their roles may change */
  onCharactersChanged?: (discordUserId: bigint) => void;
}

export interface LinkStart {
  /** what the button opens: the SSO authorize URL, or the bot's short redirect when that would be too long */
  url: string;
  scopes: string[];
  expiresAt: Date;
}

/** A login back from the SSO, waiting for the browser to confirm the Discord account. */
export interface PendingConfirmation {
  /** the one-time value the confirmation form carries */
  value: string;
  characterId: bigint;
  characterName: string;
  account: DiscordAccount;
  expiresAt: Date;
}

export interface LinkResult {
  characterId: bigint;
  characterName: string;
  corporationName: string | undefined;
  event: Extract<AuditEventKind, 'linked' | 'relinked' | 'moved'>;
  ownerChanged: boolean;
  /** the character is the user's main now */
  isMain: boolean;
  /** where /link ran; null in DMs */
  guildId: bigint | null;
}

/** A Discord button URL may hold at most 512 characters. */
export const MAX_BUTTON_URL = 512;
export const SHORT_LINK_PATH = '/sso/start';
/** A sweep revokes an expired confirmation's tokens; after this many failed tries it gives up (the tokens are deleted anyway). */
const MAX_REVOKE_ATTEMPTS = 5;
/** Discord's interaction token, which edits the /link reply, lives 15 minutes: the confirmation ends before, if it can. */
const REPLY_EDITABLE_MS = 14 * 60 * 1000;
/** ... but a person gets at least this long to answer the page. */
const MIN_CONFIRM_MS = 2 * 60 * 1000;

/** When the confirmation page stops working: its lifetime, cut so the reply can still be edited then, but never shorter than MIN_CONFIRM_MS. */
function confirmationExpiry(linkStartedAt: Date, ttlMs: number): Date {
  const now = Date.now();
  return new Date(Math.max(now + Math.min(ttlMs, MIN_CONFIRM_MS), Math.min(now + ttlMs, linkStartedAt.getTime() + REPLY_EDITABLE_MS)));
}

const REPLY: Partial<Record<LoginFailureReason, string>> = {
  exchange_failed: 'The EVE login server did not answer in time; nothing was linked. Use /link to try again in a minute.',
  misconfigured: 'The bot could not finish the EVE login because its EVE application is misconfigured. Please tell an admin.',
};
const REPLY_FAILED = 'The EVE login could not be completed; nothing was linked. Use /link to try again.';
/** A login link nobody finished in time: the reply loses its button, which would only lead to an error page. */
const REPLY_LINK_EXPIRED = 'This login link expired. Run /link again.';

/**
 * Linking a character, in three steps. /link starts a pending login (state,
 * PKCE). The SSO callback consumes it, exchanges the code and verifies the
 * token, and keeps the tokens sealed in a confirmation: nothing is linked
 * yet. The browser then confirms the Discord account it is shown (or
 * cancels); only then are the character and its grant stored, in one
 * transaction. Tokens of a login that ends any other way are revoked.
 */
export class LinkService {
  constructor(private readonly options: LinkServiceOptions) {}

  async start(input: { discordUserId: bigint; guildId: bigint | null; interactionToken: string; applicationId: string; account: DiscordAccount }): Promise<LinkStart> {
    const { scopes } = this.options;
    const login = await this.options.pendingLogins.create({ ...input, scopes });
    const authorize = await this.authorizeUrl(login.state, codeChallenge(login.codeVerifier), scopes);
    const url = authorize.length <= MAX_BUTTON_URL ? authorize : this.shortUrl(login.state);
    return { url, scopes, expiresAt: login.expiresAt };
  }

  /**
   * For the short URL: where to send the browser. A login that is gone
   * throws: already linked, expired or unknown. (An expired one is left to
   * the sweep, which says so in Discord: this GET may be a link preview.)
   */
  async redirectFor(state: string): Promise<string> {
    const pending = await this.options.pendingLogins.peek(state);
    if (pending.status === 'unknown') throw await this.#usedState(state);
    if (pending.status === 'expired') throw new LoginFailedError('state_expired', undefined, { login: { guildId: pending.guildId } });
    return this.authorizeUrl(state, pending.challenge, pending.login.scopes);
  }

  /** The SSO sent the browser back with an error: the login is over; say so in Discord too. */
  async abandon(state: string, why: 'denied' | 'error'): Promise<void> {
    const consumed = await this.options.pendingLogins.consume(state);
    if (consumed.status === 'expired' && consumed.login) await this.#expired(consumed.login);
    if (consumed.status !== 'ok') return;
    await this.options.notifier.editOriginalReply(consumed.login.applicationId, consumed.login.interactionToken, {
      content: why === 'denied' ? 'The EVE login was cancelled; nothing was linked. Use /link to try again.' : 'The EVE login did not complete; nothing was linked. Use /link to try again.',
    });
  }

  /**
   * The SSO sent the browser back with a code: exchange and verify it, and
   * keep the tokens, sealed, for the confirmation page. Nothing is linked
   * and the Discord reply is not touched until the browser confirms.
   */
  async callback(query: { state: string; code: string }): Promise<PendingConfirmation> {
    const consumed = await this.options.pendingLogins.consume(query.state);
    if (consumed.status === 'unknown') throw await this.#usedState(query.state);
    if (consumed.status === 'expired') {
      if (consumed.login) await this.#expired(consumed.login);
      throw new LoginFailedError('state_expired', undefined, { login: consumed.login && { guildId: consumed.login.guildId } });
    }
    const login = consumed.login;
    const answer = await this.#exchange(login, query.code).catch((error: unknown) => {
      throw about(error, { guildId: login.guildId });
    });
    try {
      const token = await this.options.verifier.verify(answer.access_token).catch((error: unknown) => {
        if (error instanceof InvalidTokenError) throw new LoginFailedError('token_invalid', error.reason, { cause: error });
        if (error instanceof SsoUnavailableError) throw new LoginFailedError('exchange_failed', error.message, { cause: error });
        throw error;
      });
      const expiresAt = confirmationExpiry(login.createdAt, this.options.confirmTtlMs);
      const value = await this.options.confirmations.create({
        discordUserId: login.discordUserId,
        guildId: login.guildId,
        interactionToken: login.interactionToken,
        applicationId: login.applicationId,
        account: login.account,
        stateDigest: digest(login.state),
        expiresAt,
        tokens: {
          refreshToken: answer.refresh_token!,
          accessToken: answer.access_token,
          accessTokenExpiresAt: new Date(Math.min(token.expiresAt.getTime(), Date.now() + answer.expires_in * 1000)),
          characterId: token.characterId,
          characterName: token.name,
          ownerHash: token.ownerHash,
          scopes: token.scopes,
        },
      });
      this.options.logger.info({ characterId: String(token.characterId), discordUserId: String(login.discordUserId) }, 'login waiting for confirmation');
      return { value, characterId: token.characterId, characterName: token.name, account: login.account, expiresAt };
    } catch (error) {
      // The tokens were issued but will not be kept: revoke them, and say what happened.
      await this.#revoke(answer.refresh_token!, 'the login failed after the code exchange');
      await this.#tell(login, replyFor(error));
      throw about(error, { guildId: login.guildId });
    }
  }

  /** The browser confirmed: the character and its grant are stored, and the Discord reply says so. */
  async confirm(value: string): Promise<LinkResult> {
    const taken = await this.options.confirmations.take(value);
    if (taken.status === 'unknown') throw await this.#usedConfirmation(value);
    const confirmation = taken.confirmation;
    if (taken.status === 'expired') {
      await this.#end(confirmation, 'expired');
      throw new LoginFailedError('confirmation_expired', undefined, { login: { characterName: confirmation.tokens.characterName, guildId: confirmation.guildId } });
    }
    try {
      return await this.#store(confirmation);
    } catch (error) {
      await this.#revoke(confirmation.tokens.refreshToken, 'the confirmed login could not be stored');
      await this.#tell(confirmation, REPLY_FAILED);
      throw about(error, { guildId: confirmation.guildId });
    }
  }

  /** The browser said no (not this Discord account): nothing is stored, the tokens are revoked. */
  async cancel(value: string): Promise<{ characterName: string; guildId: bigint | null }> {
    const taken = await this.options.confirmations.take(value);
    if (taken.status === 'unknown') throw await this.#usedConfirmation(value);
    await this.#end(taken.confirmation, taken.status === 'expired' ? 'expired' : 'cancelled');
    return { characterName: taken.confirmation.tokens.characterName, guildId: taken.confirmation.guildId };
  }

  /**
   * A state that is not pending: "already linked" when it was used for a
   * link that was stored, "waiting" when its confirmation page was opened
   * and not answered yet (a reload), else unknown.
   */
  async #usedState(state: string): Promise<LoginFailedError> {
    const completed = await this.options.completedLogins.byState(state);
    if (completed) return new LoginFailedError('already_linked', undefined, { login: completed });
    if (await this.options.confirmations.waitingForState(state)) return new LoginFailedError('confirmation_pending');
    return new LoginFailedError('state_unknown');
  }

  /** A confirmation value that is not waiting: "already linked" when it confirmed a link that was stored, else unknown. */
  async #usedConfirmation(value: string): Promise<LoginFailedError> {
    const completed = await this.options.completedLogins.byConfirmation(value);
    return completed ? new LoginFailedError('already_linked', undefined, { login: completed }) : new LoginFailedError('confirmation_unknown');
  }

  /**
   * Ends confirmations nobody answered in time: revokes their tokens and
   * says so in Discord; also ends logins that never came back from the SSO
   * (their reply says the link expired, and loses its button), and forgets
   * completed links after their day. Safe in every process at once (claims,
   * deletes), retried when the SSO is down.
   */
  async expireStale(): Promise<number> {
    const claimed = await this.options.confirmations.claimExpired({ claimMs: 60_000, limit: 50 });
    for (const confirmation of claimed) {
      const revoked = await this.#revoke(confirmation.tokens.refreshToken, 'the login was not confirmed in time');
      if (revoked || confirmation.attempts >= MAX_REVOKE_ATTEMPTS) await this.options.confirmations.delete(confirmation.id);
      // Said once, on the first try; a failed revocation is tried again on later sweeps.
      if (confirmation.attempts === 1) await this.#tell(confirmation, endedReply(confirmation, 'expired'));
    }
    const expired = await this.options.pendingLogins.takeExpired({ limit: 50 });
    for (const login of expired) await this.#expired(login);
    await this.options.completedLogins.deleteExpired();
    return claimed.length + expired.length;
  }

  async #exchange(login: PendingLogin, code: string): Promise<TokenAnswer> {
    try {
      const answer = await this.options.sso.exchangeCode(code, login.codeVerifier).catch((error: unknown) => {
        if (error instanceof SsoGrantRejectedError) throw new LoginFailedError('exchange_rejected', error.error, { cause: error });
        if (error instanceof SsoMisconfiguredError) throw new LoginFailedError('misconfigured', error.message, { cause: error });
        throw new LoginFailedError('exchange_failed', (error as Error).message, { cause: error });
      });
      if (!answer.refresh_token) throw new LoginFailedError('exchange_failed', 'the SSO answer holds no refresh token');
      return answer;
    } catch (error) {
      await this.#tell(login, replyFor(error));
      throw error;
    }
  }

  async #store(confirmation: LinkConfirmation): Promise<LinkResult> {
    const { tokens } = confirmation;
    const { discordUserId, guildId } = confirmation;
    const affiliation = await this.options.directory.affiliation(tokens.characterId).catch((error: unknown) => {
      // The link does not depend on it: /audit refreshes affiliations anyway.
      this.options.logger.warn({ err: error, characterId: String(tokens.characterId) }, 'affiliation lookup failed');
      return undefined;
    });
    const sealed = sealGrantTokens(this.options.box, tokens.characterId, tokens);

    const outcome = await this.options.database.$transaction(async (tx) => {
      // Same per-character lock as unlinking: a link and an unlink of one character never interleave.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${tokens.characterId})`;
      const previous = await tx.character.findUnique({ where: { id: tokens.characterId }, select: { discordUserId: true, ownerHash: true } });
      await tx.discordUser.upsert({ where: { id: discordUserId }, create: { id: discordUserId }, update: {} });
      // Linking from a guild makes the user part of that guild's /audit, even if the dispatcher's sighting was lost.
      if (guildId !== null) await recordGuildMember(tx, guildId, discordUserId);

      const moved = previous !== null && previous.discordUserId !== discordUserId;
      const ownerChanged = previous !== null && previous.ownerHash !== tokens.ownerHash;
      const event: LinkResult['event'] = previous === null ? 'linked' : moved ? 'moved' : 'relinked';
      const characterData = {
        name: tokens.characterName,
        ownerHash: tokens.ownerHash,
        discordUserId,
        ...(affiliation ? { corporationId: affiliation.corporationId, allianceId: affiliation.allianceId, affiliationAt: affiliation.at } : {}),
      };
      await tx.character.upsert({
        where: { id: tokens.characterId },
        create: { id: tokens.characterId, ...characterData },
        update: { ...characterData, ...(moved || ownerChanged ? { linkedAt: new Date() } : {}) },
      });
      const grant = {
        keyId: this.options.box.keyId,
        refreshToken: sealed.refreshToken,
        accessToken: sealed.accessToken,
        accessTokenExpiresAt: tokens.accessTokenExpiresAt,
        scopes: tokens.scopes,
        status: 'ok' as const,
        invalidSince: null,
        invalidReason: null,
        notifiedAt: null,
        lastRefreshedAt: new Date(),
        // A new login: nothing the old grant's refreshes left behind applies to it.
        rotatedAt: null,
        refreshUncertainAt: null,
        firstRefusalAt: null,
        refreshLeaseUntil: null,
        refreshLeaseId: null,
      };
      await tx.grant.upsert({
        where: { characterId: tokens.characterId },
        create: { characterId: tokens.characterId, ...grant },
        update: { ...grant, version: { increment: 1 } },
      });

      if (moved) {
        // The previous user loses the character; if it was their main, their next character takes its place.
        await tx.discordUser.updateMany({ where: { id: previous.discordUserId, mainCharacterId: tokens.characterId }, data: { mainCharacterId: null } });
        await ensureMain(tx, previous.discordUserId);
      }
      await tx.discordUser.updateMany({ where: { id: discordUserId, mainCharacterId: null }, data: { mainCharacterId: tokens.characterId } });
      const user = await tx.discordUser.findUniqueOrThrow({ where: { id: discordUserId }, select: { mainCharacterId: true, mainCharacter: { select: { name: true } } } });

      const detail = { name: tokens.characterName, scopes: tokens.scopes.length, ...(moved ? { fromDiscordUserId: String(previous.discordUserId) } : {}) };
      await recordEvent(tx, { kind: event, guildId, discordUserId, characterId: tokens.characterId, detail });
      await this.options.completedLogins.record(tx, { confirmationId: confirmation.id, stateDigest: confirmation.stateDigest, characterName: tokens.characterName, guildId });
      if (ownerChanged) {
        await recordEvent(tx, {
          kind: 'owner_changed',
          guildId,
          discordUserId,
          characterId: tokens.characterId,
          detail: { name: tokens.characterName, note: 'owner hash differs: the character changed hands; the previous grant was replaced' },
        });
      }
      return {
        event,
        ownerChanged,
        previousUserId: moved ? previous.discordUserId : undefined,
        isMain: user.mainCharacterId === tokens.characterId,
        mainName: user.mainCharacter?.name,
      };
    });

    const corporationName = affiliation
      ? await this.options.directory.corporationName(affiliation.corporationId).catch(() => undefined)
      : undefined;
    const label = `**${escapeMarkdown(tokens.characterName)}**${corporationName ? ` (${escapeMarkdown(corporationName)})` : ''}`;
    this.options.logger.info(
      { characterId: String(tokens.characterId), discordUserId: String(discordUserId), event: outcome.event, ownerChanged: outcome.ownerChanged },
      'character linked',
    );

    this.options.onCharactersChanged?.(discordUserId);
    if (outcome.previousUserId !== undefined) this.options.onCharactersChanged?.(outcome.previousUserId);
    await this.#tell(
      confirmation,
      outcome.event === 'relinked'
        ? `Renewed the login of ${label}, ${outcome.isMain ? 'your main character' : 'one of your alts'}. Try /wallet and /skills.`
        : `Linked ${label} ${outcome.isMain ? 'as your main character' : `as an alt; your main character is still ${outcome.mainName ? `**${escapeMarkdown(outcome.mainName)}**` : 'the same'}`}. Try /wallet and /skills.`,
    );
    if (outcome.previousUserId !== undefined) {
      await this.options.notifier.sendDirectMessage(outcome.previousUserId, {
        content: `${label} was linked to another Discord account after a new EVE login, so it is no longer linked to yours. If this was not you, secure your EVE account.`,
      });
    }
    return {
      characterId: tokens.characterId,
      characterName: tokens.characterName,
      corporationName,
      event: outcome.event,
      ownerChanged: outcome.ownerChanged,
      isMain: outcome.isMain,
      guildId,
    };
  }

  /** A confirmation that will not be stored: revoke its tokens and say so in Discord, unless a sweep that claimed it already did. */
  async #end(confirmation: LinkConfirmation, why: 'cancelled' | 'expired'): Promise<void> {
    await this.#revoke(confirmation.tokens.refreshToken, why === 'cancelled' ? 'the login was cancelled' : 'the login was not confirmed in time');
    if (confirmation.attempts === 0) await this.#tell(confirmation, endedReply(confirmation, why));
  }

  /**
   * A login link that expired unused: its reply says so and loses its
   * button. Only an edit: once the reply cannot be edited, a DM about a link
   * nobody used would be noise.
   */
  async #expired(login: PendingLogin): Promise<void> {
    await this.options.notifier.editOriginalReply(login.applicationId, login.interactionToken, { content: REPLY_LINK_EXPIRED }).catch(() => false);
  }

  /** Best effort: true when the SSO took the revocation. */
  async #revoke(refreshToken: string, why: string): Promise<boolean> {
    try {
      await this.options.sso.revoke(refreshToken);
      return true;
    } catch (error) {
      this.options.logger.warn({ err: error, why }, 'token revocation failed');
      return false;
    }
  }

  /** Edits the /link reply; once that is no longer possible (the interaction token lives 15 minutes), a DM says it instead. Best effort. */
  async #tell(login: { applicationId: string; interactionToken: string; discordUserId: bigint }, content: string): Promise<void> {
    const edited = await this.options.notifier.editOriginalReply(login.applicationId, login.interactionToken, { content }).catch(() => false);
    if (!edited) await this.options.notifier.sendDirectMessage(login.discordUserId, { content }).catch(() => false);
  }

  async authorizeUrl(state: string, challenge: string, scopes: string[]): Promise<string> {
    const metadata = await this.options.sso.metadata();
    return this.options.sso.authorizeUrl({ redirectUri: this.options.callbackUrl, scopes, state, codeChallenge: challenge }, metadata);
  }

  shortUrl(state: string): string {
    const url = new URL(SHORT_LINK_PATH, this.options.callbackUrl);
    url.search = new URLSearchParams({ state }).toString();
    return url.toString();
  }
}

/** A refusal after the login was taken names where /link ran, for the page's "Open Discord"; the original stays its cause (for the log). */
function about(error: unknown, login: LoginContext): unknown {
  if (error instanceof LoginFailedError && !error.login) return new LoginFailedError(error.reason, undefined, { cause: error.cause ?? error, login });
  return error;
}

function replyFor(error: unknown): string {
  return (error instanceof LoginFailedError && REPLY[error.reason]) || REPLY_FAILED;
}

function endedReply(confirmation: LinkConfirmation, why: 'cancelled' | 'expired'): string {
  const name = `**${escapeMarkdown(confirmation.tokens.characterName)}**`;
  return why === 'cancelled'
    ? `The EVE login of ${name} was cancelled in the browser, so nothing was linked. Use /link to try again.`
    : `The EVE login of ${name} was not confirmed in time, so it was cancelled and nothing was linked. Use /link to try again.`;
}
