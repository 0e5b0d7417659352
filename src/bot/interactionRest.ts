import { REST } from 'discord.js';
import { restRequest } from './restRequest.ts';

/**
 * A REST client for interaction webhooks (editing a reply, follow-ups).
 * Discord does not count these against the bot's global rate limit of 50
 * requests a second, but discord.js's own REST client does; through it a
 * burst of commands waits in line for no reason. The interaction token is
 * the credential, so this client holds no bot token.
 */
export function createInteractionRest(apiUrl: string): REST {
  // restRequest: edits may carry files (the /audit CSV).
  return new REST({ api: apiUrl, globalRequestsPerSecond: Number.POSITIVE_INFINITY, makeRequest: restRequest });
}
