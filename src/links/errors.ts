/** Why an SSO callback did not link a character; each maps to one page. */
export type LoginFailureReason =
  | 'state_missing'
  | 'state_unknown'
  | 'state_expired'
  | 'sso_denied'
  | 'sso_error'
  | 'exchange_failed'
  | 'exchange_rejected'
  | 'token_invalid'
  | 'misconfigured';

export class LoginFailedError extends Error {
  constructor(
    readonly reason: LoginFailureReason,
    detail?: string,
    options?: { cause?: unknown },
  ) {
    super(detail ? `${reason}: ${detail}` : reason, options);
    this.name = 'LoginFailedError';
  }
}
