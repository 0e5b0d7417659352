export type GrantHealth = 'ok' | 'invalid' | 'missing_scopes';

/**
 * What a character's login is good for, against the scopes the bot asks for:
 * dead (no grant, or refused by the SSO), lacking some scopes, or fine.
 * One rule for /characters and /audit.
 */
export function grantHealth(
  grant: { status: 'ok' | 'invalid'; scopes: readonly string[] } | null,
  requiredScopes: readonly string[],
): { health: GrantHealth; missingScopes: string[] } {
  const missingScopes = requiredScopes.filter((scope) => !grant?.scopes.includes(scope));
  const health: GrantHealth = !grant || grant.status === 'invalid' ? 'invalid' : missingScopes.length > 0 ? 'missing_scopes' : 'ok';
  return { health, missingScopes };
}
