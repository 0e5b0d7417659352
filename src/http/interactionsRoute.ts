import { z } from 'zod';
import type { InteractionSignature } from '../bot/interactionSignature.ts';
import type { Logger } from '../log.ts';
import type { HttpResponse, RouteHandler } from './server.ts';

/** Where Discord's Interactions Endpoint URL points: `<public URL>/interactions`. */
export const INTERACTIONS_PATH = '/interactions';

/** Discord's interaction payloads are a few kilobytes; resolved users, roles and messages stay far below this. */
export const MAX_INTERACTION_BYTES = 256 * 1024;

/** What the endpoint needs of a payload; the rest is discord.js's to read. */
const envelope = z.object({
  id: z.string().regex(/^\d{1,20}$/),
  type: z.number().int(),
  token: z.string().min(1).max(1_000),
  application_id: z.string().regex(/^\d{1,20}$/),
});

/** How the dispatcher took an interaction: Discord has its first response, a copy was already taken, a kind the bot does not serve, or no response in time. */
export type ReceiveOutcome = 'acknowledged' | 'duplicate' | 'unsupported' | 'not-acknowledged';

export interface InteractionReceiver {
  /** the verified interaction (not a PING; checked only as far as the envelope): resolves when Discord has the first response, or why not */
  receive(payload: { id: string; type: number; token: string; application_id: string }): Promise<ReceiveOutcome>;
}

const json = (status: number, body: unknown): HttpResponse => ({ status, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
const plain = (status: number, body: string): HttpResponse => ({ status, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body });

/** Refuses, from the headers alone, a request that cannot carry a valid signature: its body is never read. */
export function interactionsPrecheck(signature: InteractionSignature): (headers: Headers) => HttpResponse | undefined {
  return (headers) => (signature.plausible(...signatureHeaders(headers)) ? undefined : plain(401, 'invalid request signature'));
}

type Headers = Record<string, string | string[] | undefined>;

/** X-Signature-Ed25519 and X-Signature-Timestamp as sent once each (a repeated header is no signature). */
function signatureHeaders(headers: Headers): [string | undefined, string | undefined] {
  const one = (value: string | string[] | undefined) => (Array.isArray(value) ? undefined : value);
  return [one(headers['x-signature-ed25519']), one(headers['x-signature-timestamp'])];
}

/**
 * POST /interactions (HTTP interactions). The signature is checked on the
 * raw bytes before anything is parsed: a bad or stale one is 401, which is
 * also what Discord checks when the endpoint URL is saved. A PING is
 * answered with a PONG in the body. Anything else goes to the dispatcher,
 * which answers through Discord's callback endpoint; the POST then gets 202
 * and no body, as Discord asks of apps that answer that way.
 */
export function interactionsRoute(signature: InteractionSignature, receiver: InteractionReceiver, logger: Logger): RouteHandler {
  return async (request) => {
    const body = request.body ?? Buffer.alloc(0);
    if (!signature.verify(...signatureHeaders(request.headers), body)) return plain(401, 'invalid request signature');
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return plain(400, 'Expected an interaction');
    }
    const checked = envelope.safeParse(parsed);
    if (!checked.success) return plain(400, 'Expected an interaction');
    if (checked.data.type === 1) return json(200, { type: 1 });
    let outcome: ReceiveOutcome;
    try {
      outcome = await receiver.receive({ ...(parsed as object), ...checked.data });
    } catch (error) {
      // Most likely the database (which records taken interactions): nothing ran.
      logger.error({ err: error, interactionId: checked.data.id }, 'could not take an interaction');
      return plain(503, 'Not available');
    }
    if (outcome === 'acknowledged') return { status: 202 };
    if (outcome === 'duplicate') {
      // Another copy was taken (here or by another process) and is answered there.
      logger.warn({ interactionId: checked.data.id }, 'a copy of an interaction already taken: ignored');
      return { status: 202 };
    }
    if (outcome === 'unsupported') {
      logger.info({ interactionId: checked.data.id, type: checked.data.type }, 'interaction of a kind the bot does not serve');
      return plain(400, 'This kind of interaction is not served');
    }
    logger.warn({ interactionId: checked.data.id }, 'interaction not acknowledged within 3 s');
    return plain(503, 'Not acknowledged in time');
  };
}
