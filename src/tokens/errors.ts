import { UserFacingError } from '../errors.ts';
import { escapeMarkdown } from '../text.ts';

/**
 * What can stop a command from getting an access token, each with the
 * sentence a user reads and the action to take.
 */
export abstract class TokenError extends UserFacingError {}

const who = (name: string | undefined) => (name ? `**${escapeMarkdown(name)}**` : 'this character');

export class NotLinkedError extends TokenError {
  constructor(readonly characterId: bigint) {
    super('That character is not linked (any more). Use /link to link it.');
  }
}

export class MissingScopesError extends TokenError {
  constructor(
    readonly characterId: bigint,
    readonly characterName: string | undefined,
    readonly missing: string[],
  ) {
    super(`The login of ${who(characterName)} does not allow this (missing ${missing.map((s) => `\`${s}\``).join(', ')}): use /link to log in again and grant it.`);
  }
}

export class LoginExpiredError extends TokenError {
  constructor(
    readonly characterId: bigint,
    readonly characterName: string | undefined,
    readonly reason: string,
  ) {
    super(`Your login for ${who(characterName)} has expired or was revoked: use /link to log in again.`);
  }
}

export class SsoTemporarilyUnavailableError extends TokenError {
  constructor(
    readonly characterId: bigint,
    options?: { cause?: unknown },
  ) {
    super('The EVE login server is not answering right now. Your login is safe; please try again in a moment.', options);
  }
}

export class BotMisconfiguredError extends TokenError {
  constructor(options?: { cause?: unknown }) {
    super("The bot's EVE application is misconfigured, so it cannot use EVE logins right now. Please tell an admin of this bot.", options);
  }
}

export class CharacterChangedHandsError extends TokenError {
  constructor(
    readonly characterId: bigint,
    readonly characterName: string | undefined,
  ) {
    super(`${who(characterName)} has moved to another EVE account, so it was unlinked. Its new owner can /link it.`);
  }
}

/** The stored login does not decrypt (another encryption key, or a row tampered with): only a new login helps. */
export class LoginUnreadableError extends TokenError {
  constructor(
    readonly characterId: bigint,
    readonly characterName: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(`The bot cannot read its stored login for ${who(characterName)}: use /link to log in again.`, options);
  }
}
