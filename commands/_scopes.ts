/**
 * ESI scopes in words: a short name (for "missing: wallet, skill queue") and
 * why the bot asks for it (for the /link message). Unknown scopes are shown
 * as they are.
 */
import type { CommandMentions } from '../src/bot/commandMentions.ts';

type Mentions = Pick<CommandMentions, 'mention'>;

const SCOPES: Record<string, { name: string; why: (m: Mentions) => string }> = {
  'esi-wallet.read_character_wallet.v1': { name: 'wallet', why: (m) => `your balance and journal in ${m.mention('wallet')}` },
  'esi-skills.read_skills.v1': { name: 'skills', why: (m) => `your skill points in ${m.mention('skills')}` },
  'esi-skills.read_skillqueue.v1': { name: 'skill queue', why: (m) => `what you are training, and when the queue runs empty, in ${m.mention('skills')}` },
  'esi-corporations.read_corporation_membership.v1': {
    name: 'corporation member list',
    why: () => "lets your corporation's officers in this server see which members have not linked",
  },
  'esi-characters.read_corporation_roles.v1': {
    name: 'corporation roles',
    why: () => 'your roles in the corporation (e.g. Director), which reading the member list needs',
  },
};

/** "wallet", "skill queue"; an unknown scope as code */
export function scopeName(scope: string): string {
  return SCOPES[scope]?.name ?? `\`${scope}\``;
}

/** One line per scope: its name and why it is asked. */
export function describeScopes(scopes: readonly string[], mentions: Mentions): string {
  return scopes.map((scope) => {
    const known = SCOPES[scope];
    return known ? `- **${known.name}**: ${known.why(mentions)}` : `- \`${scope}\``;
  }).join('\n');
}
