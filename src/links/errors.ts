/** Why an SSO callback did not link a character; each maps to one page. */
export type LoginFailureReason =
  | 'state_missing'
  | 'state_unknown'
  /** the callback was opened again while its confirmation page waits for an answer */
  | 'confirmation_pending'
  | 'state_expired'
  /** the SSO came back with a state but neither a code nor an error */
  | 'code_missing'
  | 'sso_denied'
  | 'sso_error'
  | 'exchange_failed'
  | 'exchange_rejected'
  | 'token_invalid'
  | 'misconfigured'
  /** the state or confirmation was already used, for a link that was stored: not a failure, but nothing to do */
  | 'already_linked'
  /** the confirmation form's value is unknown: forged, or already used */
  | 'confirmation_unknown'
  /** the confirmation page was answered too late */
  | 'confirmation_expired';

/** What is known about the login a refusal is about, for its page: nothing secret. */
export interface LoginContext {
  characterName?: string;
  /** where /link ran, for the page's "Open Discord"; null in DMs */
  guildId: bigint | null;
}

export class LoginFailedError extends Error {
  readonly login: LoginContext | undefined;

  constructor(
    readonly reason: LoginFailureReason,
    detail?: string,
    options?: { cause?: unknown; login?: LoginContext },
  ) {
    super(detail ? `${reason}: ${detail}` : reason, options);
    this.name = 'LoginFailedError';
    this.login = options?.login;
  }
}
