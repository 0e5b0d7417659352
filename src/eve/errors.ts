/** Failures of the EVE login server, by what the caller must do about them. */

/** 5xx, timeout, network error, malformed answer: the grant is fine, try later. */
export class SsoUnavailableError extends Error {
  /**
   * True when a token request may have reached the SSO and been carried out
   * without the bot seeing the answer (timeout, reset, 5xx, a 200 it could not
   * read): a refresh token sent then may be spent.
   */
  readonly uncertain: boolean;
  /** The SSO answered 200 (so a refresh token sent is spent) but the answer could not be read: sending it again is pointless. */
  readonly spent: boolean;

  constructor(message: string, options?: { cause?: unknown; uncertain?: boolean; spent?: boolean }) {
    super(message, options);
    this.name = 'SsoUnavailableError';
    this.spent = options?.spent ?? false;
    this.uncertain = this.spent || (options?.uncertain ?? false);
  }
}

/** 400 invalid_grant / invalid_token: this refresh token is dead. The only failure that is. */
export class SsoGrantRejectedError extends Error {
  constructor(
    readonly error: 'invalid_grant' | 'invalid_token',
    readonly description: string | undefined,
  ) {
    super(`EVE SSO rejected the grant: ${error}${description ? ` (${description})` : ''}`);
    this.name = 'SsoGrantRejectedError';
  }
}

/** invalid_client, or any other 4xx: the bot's own application is misconfigured. An operator problem. */
export class SsoMisconfiguredError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SsoMisconfiguredError';
  }
}

/** The access token JWT failed verification. `reason` is short and safe to log. */
export class InvalidTokenError extends Error {
  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`access token rejected: ${reason}`, options);
    this.name = 'InvalidTokenError';
  }
}
