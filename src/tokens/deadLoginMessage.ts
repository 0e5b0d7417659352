import { RENEW_LOGIN_BUTTON_ID, type DirectMessage } from '../notify.ts';
import { escapeMarkdown } from '../text.ts';

/** At most this many servers are named; the rest are counted, so the DM fits one message. */
const NAMED_SERVERS = 5;

/** "**Alpha**", "**Alpha** and **Beta**", "**Alpha**, a server and 2 other servers"... for the servers a DM speaks of. */
export function serverList(names: readonly (string | undefined)[]): string {
  // Discord caps a server's name at 100 characters; the cut keeps a hostile one from filling the DM all the same.
  const known = names.filter((n): n is string => n !== undefined).map((n) => `**${escapeMarkdown(n.length > 100 ? `${n.slice(0, 99)}…` : n)}**`);
  const parts = known.slice(0, NAMED_SERVERS);
  const rest = names.length - parts.length;
  if (rest > 0) parts.push(parts.length === 0 ? (rest === 1 ? 'a server' : `${rest} servers`) : rest === 1 ? 'another server' : `${rest} other servers`);
  if (parts.length <= 1) return parts[0] ?? 'a server';
  return `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

/**
 * The DM about a login the SSO refused: what happened first (the line kept
 * when the button turns the DM into a new login), where the member uses the
 * bot, and a button that starts a new /link.
 */
export function deadLoginMessage(characterName: string, guildIds: readonly bigint[], rolesNotice?: string): DirectMessage {
  return {
    guildIds,
    content: (names) =>
      [
        `⚠️ Your EVE login for **${escapeMarkdown(characterName)}** has expired or was revoked.`,
        `The bot can no longer read its data${guildIds.length > 0 ? ` for you in ${serverList(names)}` : ''}. Press **Log in again** below, or use /link${guildIds.length > 0 ? ' there' : ''}.${rolesNotice ? ` ${rolesNotice}` : ''}`,
      ].join('\n'),
    components: [{ type: 1, components: [{ type: 2, style: 1, label: 'Log in again', custom_id: RENEW_LOGIN_BUTTON_ID }] }],
  };
}
