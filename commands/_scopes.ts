/** ESI scopes in words, for the /link message. Unknown scopes are shown as they are. */
const SCOPE_WORDS: Record<string, string> = {
  'esi-wallet.read_character_wallet.v1': 'read your wallet balance and journal (/wallet)',
  'esi-skills.read_skills.v1': 'read your skills (/skills)',
  'esi-skills.read_skillqueue.v1': 'read your skill queue (/skills)',
  'esi-corporations.read_corporation_membership.v1': "read your corporation's member list (/audit)",
  'esi-characters.read_corporation_roles.v1': 'read your corporation roles (/audit)',
};

export function describeScopes(scopes: string[]): string {
  return scopes.map((scope) => `• ${SCOPE_WORDS[scope] ?? `\`${scope}\``}`).join('\n');
}
