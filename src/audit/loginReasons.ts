/**
 * Why a login died, in words. The token service stores the SSO's error code
 * when it kills a grant (src/tokens/tokenService.ts #refused: `invalid_grant`
 * or `invalid_token`, the only refusals that kill one; src/eve/errors.ts) and
 * reads a missing code as `invalid`. Officers read the words; the codes stay
 * in the database and the log.
 */
const LOGIN_REASONS: Record<string, string> = {
  invalid_grant: 'login revoked or password changed',
  invalid_token: 'EVE no longer accepts the stored login',
  invalid: 'login no longer valid',
};

/** "login revoked or password changed"; an unknown code is named, a missing one is the generic words. */
export function loginReasonWords(code: string | null | undefined): string {
  if (!code) return LOGIN_REASONS.invalid!;
  return LOGIN_REASONS[code] ?? `EVE refused the login (${code.slice(0, 40)})`;
}
