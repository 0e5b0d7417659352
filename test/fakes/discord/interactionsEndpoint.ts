// The HTTP transport of interactions, as Discord runs it when an app sets an
// Interactions Endpoint URL: every interaction is POSTed there, signed with
// Ed25519 (X-Signature-Ed25519 over X-Signature-Timestamp + body) with a key
// whose public half the app holds, instead of arriving over the gateway.
// Saving the URL is checked the way the Developer Portal checks it: a signed
// PING must get a PONG and a badly signed one a 401.

import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface EndpointAnswer {
  status: number;
  body: string;
  /** ms from the POST to its answer */
  ms: number;
}

export class InteractionsEndpoint {
  /** the application's public key, hex, as the Developer Portal shows it (DISCORD_PUBLIC_KEY) */
  readonly publicKeyHex: string;
  readonly #privateKey: KeyObject;
  readonly #agent = new Agent({ keepAlive: true });
  #url: string | undefined;

  constructor() {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    this.#privateKey = privateKey;
    // The raw 32 bytes are the last 32 of the DER SubjectPublicKeyInfo.
    this.publicKeyHex = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex');
  }

  close(): void {
    this.#agent.destroy();
  }

  get url(): string | undefined {
    return this.#url;
  }

  /** Saves the Interactions Endpoint URL after Discord's two checks; undefined goes back to the gateway. */
  async set(url: string | undefined): Promise<void> {
    if (url === undefined) {
      this.#url = undefined;
      return;
    }
    const ping = JSON.stringify({ id: '1', type: 1, token: 'ping-token', application_id: '1', version: 1 });
    const good = await this.post(url, ping);
    if (good.status !== 200 || (JSON.parse(good.body || '{}') as { type?: number }).type !== 1) {
      throw new Error(`fake discord: the interactions endpoint did not answer a PING with a PONG (${good.status} ${good.body})`);
    }
    const bad = await this.post(url, ping, { forgeSignature: true });
    if (bad.status !== 401) throw new Error(`fake discord: the interactions endpoint accepted a bad signature (${bad.status})`);
    this.#url = url;
  }

  /** POSTs a signed payload; `forgeSignature` signs other bytes, `timestamp` overrides the signing time (seconds). */
  async post(url: string, body: string, options: { forgeSignature?: boolean; timestamp?: number; timeoutMs?: number } = {}): Promise<EndpointAnswer> {
    const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
    const signed = options.forgeSignature ? `${body} ` : body;
    const signature = sign(null, Buffer.from(timestamp + signed), this.#privateKey).toString('hex');
    const started = performance.now();
    // node:http, not fetch: at hundreds of posts a second fetch's own cost in this process would be measured as the bot's.
    return new Promise<EndpointAnswer>((resolve) => {
      const done = (status: number, text: string) => resolve({ status, body: text, ms: performance.now() - started });
      const post = request(
        url,
        {
          method: 'POST',
          agent: this.#agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            'user-agent': 'Discord-Interactions/1.0 (+https://discord.com)',
            'x-signature-ed25519': signature,
            'x-signature-timestamp': timestamp,
          },
          timeout: options.timeoutMs ?? 15_000,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => done(response.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
          response.on('error', (error) => done(0, error.message));
        },
      );
      // Discord shows "The application did not respond"; the record keeps why.
      post.on('timeout', () => post.destroy(new Error('timeout')));
      post.on('error', (error) => done(0, error.message));
      post.end(body);
    });
  }
}
