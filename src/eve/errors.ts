/** Failures of the EVE login server, by what the caller must do about them. */

/** 5xx, timeout, network error, malformed answer: the grant is fine, try later. */
export class SsoUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SsoUnavailableError';
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
