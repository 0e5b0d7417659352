import {
  AutocompleteInteraction,
  ButtonInteraction,
  ChatInputCommandInteraction,
  Client,
  type APIInteraction,
  type Interaction,
} from 'discord.js';
import type { ReceiveOutcome } from '../http/interactionsRoute.ts';
import type { Dispatcher } from './dispatcher.ts';
import { restRequest } from './restRequest.ts';

/** Discord waits 3 s for the first response; after that the interaction is gone. */
const FIRST_RESPONSE_WINDOW_MS = 3_000;

const InteractionType = { ApplicationCommand: 2, MessageComponent: 3, Autocomplete: 4 } as const;

/**
 * A discord.js client that never connects to the gateway: REST only (its
 * token set), for building interactions that arrive over HTTP and answering
 * them through Discord's interaction callback, as the gateway path does.
 */
export function createRestOnlyClient(token: string, apiUrl: string): Client {
  const client = new Client({ intents: [], rest: { api: apiUrl, makeRequest: restRequest } });
  client.rest.setToken(token);
  return client;
}

/**
 * The interaction discord.js builds for a raw payload, the same class its
 * gateway handler builds (InteractionCreateAction), for the kinds the bot
 * serves: slash commands, their autocomplete, and buttons. Anything else is
 * undefined. (discord.js marks these constructors private: it only builds
 * them from gateway events, so this is the one place that does it by hand.)
 */
export function interactionFromPayload(client: Client, payload: APIInteraction): Interaction | undefined {
  type Build = new (client: Client, data: APIInteraction) => Interaction;
  const build = (Class: unknown) => new (Class as Build)(client, payload);
  if (payload.type === InteractionType.ApplicationCommand && payload.data.type === 1) return build(ChatInputCommandInteraction);
  if (payload.type === InteractionType.Autocomplete) return build(AutocompleteInteraction);
  if (payload.type === InteractionType.MessageComponent && payload.data.component_type === 2) return build(ButtonInteraction);
  return undefined;
}

/**
 * The HTTP transport's side of the dispatcher: a verified payload becomes
 * the interaction the commands know, and goes to the same dispatcher as the
 * gateway's. Resolves once Discord has the first response (a reply, a
 * deferral or autocomplete choices), so the endpoint can answer Discord's
 * POST with 202; false when none was sent within Discord's 3 s.
 */
export class HttpInteractions {
  constructor(
    private readonly client: Client,
    private readonly dispatcher: Dispatcher,
    /** true the first time any process sees this interaction id (a copy of a signed request must not run twice) */
    private readonly claim: (interactionId: bigint) => Promise<boolean>,
  ) {}

  async receive(payload: { id: string; type: number; token: string }): Promise<ReceiveOutcome> {
    // Signed by Discord: its shape is Discord's; discord.js reads what it needs.
    const interaction = interactionFromPayload(this.client, payload as APIInteraction);
    if (!interaction) return 'unsupported';
    if (!(await this.claim(BigInt(payload.id)))) return 'duplicate';
    let acknowledged!: () => void;
    const firstResponse = new Promise<'acknowledged'>((resolve) => {
      acknowledged = () => resolve('acknowledged');
    });
    let timer: NodeJS.Timeout | undefined;
    const window = new Promise<'not-acknowledged'>((resolve) => {
      timer = setTimeout(() => resolve('not-acknowledged'), FIRST_RESPONSE_WINDOW_MS);
    });
    // A handler that ends acknowledged called acknowledged() before it ended: firstResponse settles first.
    const handled = this.dispatcher.handle(interaction, acknowledged).then(() => 'not-acknowledged' as const);
    const outcome = await Promise.race([firstResponse, window, handled]);
    clearTimeout(timer);
    return outcome;
  }
}
