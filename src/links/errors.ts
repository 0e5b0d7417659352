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
  | 'misconfigured'
  /** the confirmation form's value is unknown: forged, or already used */
  | 'confirmation_unknown'
  /** the confirmation page was answered too late */
  | 'confirmation_expired';

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
