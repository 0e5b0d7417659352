import { Agent, request, type Dispatcher } from 'undici';
import { z } from 'zod';
import { Semaphore } from '../util/semaphore.ts';
import { SsoGrantRejectedError, SsoMisconfiguredError, SsoUnavailableError } from './errors.ts';

const metadataSchema = z.object({
  issuer: z.string(),
  authorization_endpoint: z.url(),
  token_endpoint: z.url(),
  revocation_endpoint: z.url().optional(),
  jwks_uri: z.url(),
});
export type SsoMetadata = z.infer<typeof metadataSchema>;

const tokenAnswerSchema = z.object({
  access_token: z.string().min(1),
  expires_in: z.coerce.number().int().positive(),
  token_type: z.string().regex(/^bearer$/i),
  refresh_token: z.string().min(1).optional(),
});
export type TokenAnswer = z.infer<typeof tokenAnswerSchema>;

const errorAnswerSchema = z.object({ error: z.string(), error_description: z.string().optional() }).loose();

export interface SsoClientOptions {
  ssoUrl: string;
  clientId: string;
  clientSecret: string;
  /** one request's time limit, ms */
  timeoutMs?: number;
  /** at most this many token requests in flight per process: the SSO fails under bursts */
  maxConcurrentTokenRequests?: number;
  userAgent: string;
  dispatcher?: Dispatcher;
}

const METADATA_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * EVE SSO v2: metadata, code exchange, refresh, revoke. Classifies every
 * failure (see errors.ts); never retries, so callers own their time budget.
 */
export class SsoClient {
  readonly #options: Required<Omit<SsoClientOptions, 'dispatcher'>>;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  readonly #tokenSlots: Semaphore;
  #metadata?: { value: Promise<SsoMetadata>; at: number };

  constructor(options: SsoClientOptions) {
    this.#options = { timeoutMs: 10_000, maxConcurrentTokenRequests: 4, ...options };
    this.#ownsDispatcher = !options.dispatcher;
    this.#dispatcher = options.dispatcher ?? new Agent({ keepAliveTimeout: 30_000, connections: 8 });
    this.#tokenSlots = new Semaphore(this.#options.maxConcurrentTokenRequests);
  }

  /** Endpoints, read from the SSO's metadata document and cached for a day. */
  metadata(): Promise<SsoMetadata> {
    if (!this.#metadata || Date.now() - this.#metadata.at > METADATA_TTL_MS) {
      const value = this.#fetchMetadata();
      this.#metadata = { value, at: Date.now() };
      // A failed fetch is not cached: the next caller tries again.
      value.catch(() => {
        if (this.#metadata?.value === value) this.#metadata = undefined;
      });
    }
    return this.#metadata.value;
  }

  authorizeUrl(params: { redirectUri: string; scopes: string[]; state: string; codeChallenge: string }, metadata: SsoMetadata): string {
    const url = new URL(metadata.authorization_endpoint);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: this.#options.clientId,
      redirect_uri: params.redirectUri,
      scope: params.scopes.join(' '),
      state: params.state,
      code_challenge: params.codeChallenge,
      code_challenge_method: 'S256',
    }).toString();
    return url.toString();
  }

  exchangeCode(code: string, codeVerifier: string): Promise<TokenAnswer> {
    return this.#tokenRequest({ grant_type: 'authorization_code', code, code_verifier: codeVerifier });
  }

  /**
   * `deadline` (performance.now() ms) bounds everything: the metadata, the
   * wait for a request slot and the request itself; it never lengthens the
   * request's own time limit.
   */
  refresh(refreshToken: string, options: { deadline?: number } = {}): Promise<TokenAnswer> {
    return this.#tokenRequest({ grant_type: 'refresh_token', refresh_token: refreshToken }, options.deadline);
  }

  /** Best effort: the SSO answers 200 even for unknown tokens; failures are reported, not fatal. */
  async revoke(refreshToken: string): Promise<void> {
    const metadata = await this.metadata();
    const endpoint = metadata.revocation_endpoint ?? new URL('/v2/oauth/revoke', this.#options.ssoUrl).toString();
    const answer = await this.#post(endpoint, { token_type_hint: 'refresh_token', token: refreshToken });
    if (answer.status >= 400) throw new SsoUnavailableError(`token revocation answered HTTP ${answer.status}`);
  }

  async close(): Promise<void> {
    if (this.#ownsDispatcher) await this.#dispatcher.close();
  }

  async #fetchMetadata(): Promise<SsoMetadata> {
    const url = new URL('/.well-known/oauth-authorization-server', this.#options.ssoUrl).toString();
    let status: number;
    let text: string;
    try {
      const answer = await request(url, {
        dispatcher: this.#dispatcher,
        headers: { accept: 'application/json', 'user-agent': this.#options.userAgent },
        signal: AbortSignal.timeout(this.#options.timeoutMs),
      });
      status = answer.statusCode;
      text = await answer.body.text();
    } catch (error) {
      throw new SsoUnavailableError(`EVE SSO metadata unreachable: ${(error as Error).message}`, { cause: error });
    }
    if (status !== 200) throw new SsoUnavailableError(`EVE SSO metadata answered HTTP ${status}`);
    const parsed = metadataSchema.safeParse(safeJson(text));
    if (!parsed.success) throw new SsoUnavailableError('EVE SSO metadata is malformed');
    assertSameOrigin(parsed.data, this.#options.ssoUrl);
    return parsed.data;
  }

  async #tokenRequest(form: Record<string, string>, deadline?: number): Promise<TokenAnswer> {
    const metadata = await this.metadata();
    const answer = await this.#tokenSlots.run(() => {
      // Time spent waiting for the metadata or a slot counts: nothing is sent after the deadline.
      const left = deadline === undefined ? this.#options.timeoutMs : deadline - performance.now();
      if (left <= 0) throw new SsoUnavailableError('no time left to ask the EVE SSO');
      return this.#post(metadata.token_endpoint, form, left);
    });
    const body = safeJson(answer.text);
    if (answer.status === 200) {
      const parsed = tokenAnswerSchema.safeParse(body);
      // A 200 means the SSO has carried the request out (a refresh token is spent) even if the answer is unreadable.
      if (!parsed.success) throw new SsoUnavailableError('EVE SSO token answer is malformed', { spent: true });
      return parsed.data;
    }
    const error = errorAnswerSchema.safeParse(body);
    const code = error.success ? error.data.error : undefined;
    if (answer.status === 400 && (code === 'invalid_grant' || code === 'invalid_token')) {
      throw new SsoGrantRejectedError(code, error.success ? error.data.error_description : undefined);
    }
    if (answer.status >= 500 || answer.status === 429 || answer.status === 408) {
      // A 5xx from a proxy may hide a request the SSO carried out; 429 and 408 were refused before any work.
      throw new SsoUnavailableError(`EVE SSO token endpoint answered HTTP ${answer.status}`, { uncertain: answer.status >= 500 });
    }
    if (code === 'invalid_client' || answer.status === 401) {
      throw new SsoMisconfiguredError(`EVE SSO rejected the application's credentials (HTTP ${answer.status} ${code ?? ''}): check EVE_CLIENT_ID and EVE_CLIENT_SECRET`.trim());
    }
    if (!error.success) throw new SsoUnavailableError(`EVE SSO token endpoint answered HTTP ${answer.status} without an error code`);
    throw new SsoMisconfiguredError(`EVE SSO refused the token request (HTTP ${answer.status} ${code})`);
  }

  async #post(endpoint: string, form: Record<string, string>, timeoutMs = this.#options.timeoutMs): Promise<{ status: number; text: string }> {
    const basic = Buffer.from(`${this.#options.clientId}:${this.#options.clientSecret}`).toString('base64');
    try {
      const answer = await request(endpoint, {
        method: 'POST',
        dispatcher: this.#dispatcher,
        headers: {
          authorization: `Basic ${basic}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          'user-agent': this.#options.userAgent,
        },
        body: new URLSearchParams(form).toString(),
        signal: AbortSignal.timeout(Math.max(1, Math.ceil(Math.min(timeoutMs, this.#options.timeoutMs)))),
      });
      return { status: answer.statusCode, text: await answer.body.text() };
    } catch (error) {
      const reason = (error as Error).name === 'TimeoutError' ? 'timed out' : (error as Error).message;
      // Only a refused connection proves the request never arrived.
      const refused = (error as { code?: unknown }).code === 'ECONNREFUSED';
      throw new SsoUnavailableError(`EVE SSO unreachable: ${reason}`, { cause: error, uncertain: !refused });
    }
  }
}

/**
 * Every endpoint must be on EVE_SSO_URL's origin: the client secret, refresh
 * tokens and the keys that tokens are checked with go to them, so a metadata
 * document pointing elsewhere is refused, never followed.
 */
function assertSameOrigin(metadata: SsoMetadata, ssoUrl: string): void {
  const origin = new URL(ssoUrl).origin;
  const endpoints = {
    authorization_endpoint: metadata.authorization_endpoint,
    token_endpoint: metadata.token_endpoint,
    jwks_uri: metadata.jwks_uri,
    ...(metadata.revocation_endpoint ? { revocation_endpoint: metadata.revocation_endpoint } : {}),
  };
  const foreign = Object.entries(endpoints).filter(([, url]) => new URL(url).origin !== origin);
  if (foreign.length > 0) {
    throw new SsoMisconfiguredError(
      `EVE SSO metadata names endpoints outside ${origin} (${foreign.map(([name, url]) => `${name}: ${new URL(url).origin}`).join(', ')}): check EVE_SSO_URL`,
    );
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
