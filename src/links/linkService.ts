import type { Database } from '../db/client.ts';
import type { SecretBox } from '../db/secretBox.ts';
import { recordEvent, type AuditEventKind } from '../db/auditEvents.ts';
import { recordGuildMember } from '../audit/guildMembers.ts';
import { InvalidTokenError, SsoGrantRejectedError, SsoMisconfiguredError, SsoUnavailableError } from '../eve/errors.ts';
import type { TokenVerifier } from '../eve/jwt.ts';
import type { SsoClient } from '../eve/sso.ts';
import type { Logger } from '../log.ts';
import type { DiscordNotifier } from '../notify.ts';
import { escapeMarkdown } from '../text.ts';
import { LoginFailedError } from './errors.ts';
import { sealGrantTokens } from './grantSecrets.ts';
import { ensureMain } from './mainCharacter.ts';
import { codeChallenge } from './pkce.ts';
import type { PendingLogin, PendingLogins } from './pendingLogins.ts';

/** Where a character's corporation and alliance come from (public ESI). */
export interface CharacterDirectory {
  affiliation(characterId: bigint): Promise<{ corporationId: bigint; allianceId: bigint | null } | undefined>;
  corporationName(corporationId: bigint): Promise<string | undefined>;
}

export interface LinkServiceOptions {
  database: Database;
  box: SecretBox;
  pendingLogins: PendingLogins;
  sso: SsoClient;
  verifier: TokenVerifier;
  directory: CharacterDirectory;
  notifier: DiscordNotifier;
  logger: Logger;
  callbackUrl: string;
  scopes: string[];
}

export interface LinkStart {
  /** what the button opens: the SSO authorize URL, or the bot's short redirect when that would be too long */
  url: string;
  scopes: string[];
  expiresAt: Date;
}

export interface LinkResult {
  characterId: bigint;
  characterName: string;
  corporationName: string | undefined;
  event: Extract<AuditEventKind, 'linked' | 'relinked' | 'moved'>;
  ownerChanged: boolean;
}

/** A Discord button URL may hold at most 512 characters. */
export const MAX_BUTTON_URL = 512;
export const SHORT_LINK_PATH = '/sso/start';

/**
 * Linking a character: /link starts a pending login; the SSO callback
 * consumes it, exchanges the code, verifies the token, and stores the
 * character with its encrypted grant in one transaction.
 */
export class LinkService {
  constructor(private readonly options: LinkServiceOptions) {}

  async start(input: { discordUserId: bigint; guildId: bigint | null; interactionToken: string; applicationId: string }): Promise<LinkStart> {
    const { scopes } = this.options;
    const login = await this.options.pendingLogins.create({ ...input, scopes });
    const authorize = await this.authorizeUrl(login.state, codeChallenge(login.codeVerifier), scopes);
    const url = authorize.length <= MAX_BUTTON_URL ? authorize : this.shortUrl(login.state);
    return { url, scopes, expiresAt: login.expiresAt };
  }

  /** For the short URL: where to send the browser, or undefined when the login is unknown or expired. */
  async redirectFor(state: string): Promise<string | undefined> {
    const pending = await this.options.pendingLogins.peek(state);
    if (!pending) return undefined;
    return this.authorizeUrl(state, pending.challenge, pending.login.scopes);
  }

  /** The SSO sent the browser back with an error: the login is over; say so in Discord too. */
  async abandon(state: string, why: 'denied' | 'error'): Promise<void> {
    const consumed = await this.options.pendingLogins.consume(state);
    if (consumed.status !== 'ok') return;
    await this.options.notifier.editOriginalReply(consumed.login.applicationId, consumed.login.interactionToken, {
      content: why === 'denied' ? 'The EVE login was cancelled; nothing was linked. Use /link to try again.' : 'The EVE login did not complete; nothing was linked. Use /link to try again.',
    });
  }

  async complete(query: { state: string; code: string }): Promise<LinkResult> {
    const consumed = await this.options.pendingLogins.consume(query.state);
    if (consumed.status === 'unknown') throw new LoginFailedError('state_unknown');
    if (consumed.status === 'expired') throw new LoginFailedError('state_expired');
    const login = consumed.login;
    try {
      return await this.#link(login, query.code);
    } catch (error) {
      if (error instanceof LoginFailedError) {
        const content =
          error.reason === 'exchange_failed'
            ? 'The EVE login server did not answer in time; nothing was linked. Use /link to try again in a minute.'
            : error.reason === 'misconfigured'
              ? 'The bot could not finish the EVE login because its EVE application is misconfigured. Please tell an admin.'
              : 'The EVE login could not be completed; nothing was linked. Use /link to try again.';
        await this.options.notifier.editOriginalReply(login.applicationId, login.interactionToken, { content });
      }
      throw error;
    }
  }

  async #link(login: PendingLogin, code: string): Promise<LinkResult> {
    const answer = await this.options.sso.exchangeCode(code, login.codeVerifier).catch((error: unknown) => {
      if (error instanceof SsoGrantRejectedError) throw new LoginFailedError('exchange_rejected', error.error, { cause: error });
      if (error instanceof SsoMisconfiguredError) throw new LoginFailedError('misconfigured', error.message, { cause: error });
      throw new LoginFailedError('exchange_failed', (error as Error).message, { cause: error });
    });
    if (!answer.refresh_token) throw new LoginFailedError('exchange_failed', 'the SSO answer holds no refresh token');

    const token = await this.options.verifier.verify(answer.access_token).catch((error: unknown) => {
      if (error instanceof InvalidTokenError) throw new LoginFailedError('token_invalid', error.reason, { cause: error });
      if (error instanceof SsoUnavailableError) throw new LoginFailedError('exchange_failed', error.message, { cause: error });
      throw error;
    });

    const affiliation = await this.options.directory.affiliation(token.characterId).catch((error: unknown) => {
      // The link does not depend on it: /audit refreshes affiliations anyway.
      this.options.logger.warn({ err: error, characterId: String(token.characterId) }, 'affiliation lookup failed');
      return undefined;
    });

    const sealed = sealGrantTokens(this.options.box, token.characterId, {
      refreshToken: answer.refresh_token,
      accessToken: answer.access_token,
    });
    const expiresAt = new Date(Math.min(token.expiresAt.getTime(), Date.now() + answer.expires_in * 1000));

    const outcome = await this.options.database.$transaction(async (tx) => {
      // Same per-character lock as the token service: a link never races a refresh.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${token.characterId})`;
      const previous = await tx.character.findUnique({ where: { id: token.characterId }, select: { discordUserId: true, ownerHash: true } });
      await tx.discordUser.upsert({ where: { id: login.discordUserId }, create: { id: login.discordUserId }, update: {} });
      // Linking from a guild makes the user part of that guild's /audit, even if the dispatcher's sighting was lost.
      if (login.guildId !== null) await recordGuildMember(tx, login.guildId, login.discordUserId);

      const moved = previous !== null && previous.discordUserId !== login.discordUserId;
      const ownerChanged = previous !== null && previous.ownerHash !== token.ownerHash;
      const event: LinkResult['event'] = previous === null ? 'linked' : moved ? 'moved' : 'relinked';
      const characterData = {
        name: token.name,
        ownerHash: token.ownerHash,
        discordUserId: login.discordUserId,
        ...(affiliation ? { corporationId: affiliation.corporationId, allianceId: affiliation.allianceId } : {}),
      };
      await tx.character.upsert({
        where: { id: token.characterId },
        create: { id: token.characterId, ...characterData },
        update: { ...characterData, ...(moved || ownerChanged ? { linkedAt: new Date() } : {}) },
      });
      const grant = {
        keyId: this.options.box.keyId,
        refreshToken: sealed.refreshToken,
        accessToken: sealed.accessToken,
        accessTokenExpiresAt: expiresAt,
        scopes: token.scopes,
        status: 'ok' as const,
        invalidSince: null,
        invalidReason: null,
        notifiedAt: null,
        lastRefreshedAt: new Date(),
      };
      await tx.grant.upsert({
        where: { characterId: token.characterId },
        create: { characterId: token.characterId, ...grant },
        update: { ...grant, version: { increment: 1 } },
      });

      if (moved) {
        // The previous user loses the character; if it was their main, their next character takes its place.
        await tx.discordUser.updateMany({ where: { id: previous.discordUserId, mainCharacterId: token.characterId }, data: { mainCharacterId: null } });
        await ensureMain(tx, previous.discordUserId);
      }
      await tx.discordUser.updateMany({ where: { id: login.discordUserId, mainCharacterId: null }, data: { mainCharacterId: token.characterId } });

      const detail = { name: token.name, scopes: token.scopes.length, ...(moved ? { fromDiscordUserId: String(previous.discordUserId) } : {}) };
      await recordEvent(tx, { kind: event, guildId: login.guildId, discordUserId: login.discordUserId, characterId: token.characterId, detail });
      if (ownerChanged) {
        await recordEvent(tx, {
          kind: 'owner_changed',
          guildId: login.guildId,
          discordUserId: login.discordUserId,
          characterId: token.characterId,
          detail: { name: token.name, note: 'owner hash differs: the character changed hands; the previous grant was replaced' },
        });
      }
      return { event, ownerChanged, previousUserId: moved ? previous.discordUserId : undefined };
    });

    const corporationName = affiliation
      ? await this.options.directory.corporationName(affiliation.corporationId).catch(() => undefined)
      : undefined;
    const label = `**${escapeMarkdown(token.name)}**${corporationName ? ` (${escapeMarkdown(corporationName)})` : ''}`;
    this.options.logger.info(
      { characterId: String(token.characterId), discordUserId: String(login.discordUserId), event: outcome.event, ownerChanged: outcome.ownerChanged },
      'character linked',
    );

    await this.options.notifier.editOriginalReply(login.applicationId, login.interactionToken, {
      content: `Linked ${label}.${outcome.event === 'relinked' ? ' Its login was renewed.' : ''}`,
    });
    if (outcome.previousUserId !== undefined) {
      await this.options.notifier.sendDirectMessage(outcome.previousUserId, {
        content: `${label} was linked to another Discord account after a new EVE login, so it is no longer linked to yours. If this was not you, secure your EVE account.`,
      });
    }
    return { characterId: token.characterId, characterName: token.name, corporationName, event: outcome.event, ownerChanged: outcome.ownerChanged };
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
