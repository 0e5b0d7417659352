/**
 * How one ESI request leaves the process. The client describes a request in
 * ESI's terms (path, token, ETag) and gets status, headers and text back; it
 * never sees undici, so another transport can take its place. The undici one
 * adds what every ESI request carries (User-Agent with the operator's contact,
 * X-Compatibility-Date, Accept), bounds each attempt in time and refuses
 * bodies too large to be an ESI answer.
 */
import { Agent, type Dispatcher } from 'undici';
import { header, type ResponseHeaders } from './headers.ts';

/** The OpenAPI document the schemas were written from; without it ESI serves its oldest behaviour. */
export const ESI_COMPATIBILITY_DATE = '2026-08-18';

export interface TransportRequest {
  method: 'GET' | 'POST';
  /** path below the base URL, e.g. /characters/90000001 */
  path: string;
  /** encoded query without '?'; '' for none */
  query: string;
  /** JSON text of a POST body */
  body?: string;
  /** sent as Authorization: Bearer */
  accessToken?: string;
  /** sent as If-None-Match */
  etag?: string;
  /** how long this attempt may take, headers and body included */
  timeoutMs: number;
}

export interface TransportResponse {
  status: number;
  headers: ResponseHeaders;
  text: string;
}

/** timeout: no complete answer in time; network: connection or body failure; aborted: the caller's signal fired */
export type TransportFailure = 'timeout' | 'network' | 'aborted';

/** Why an attempt got no answer. The message never holds a token. */
export class TransportError extends Error {
  constructor(
    readonly kind: TransportFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TransportError';
  }
}

export interface EsiTransport {
  /** One attempt. Rejects with TransportError only. */
  send(request: TransportRequest, signal: AbortSignal): Promise<TransportResponse>;
  /** Closes the connections; sends still in flight fail. */
  close(): Promise<void>;
}

export interface UndiciTransportOptions {
  /** ESI_URL, e.g. https://esi.evetech.net (a path prefix is kept) */
  baseUrl: string;
  userAgent: string;
  /** the longest attempt; also bounds connecting */
  timeoutMs: number;
  /** default 16 MiB: the largest ESI pages are a few MB */
  maxBodyBytes?: number;
}

const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

export class UndiciTransport implements EsiTransport {
  readonly #agent: Agent;
  readonly #origin: string;
  readonly #prefix: string;
  readonly #userAgent: string;
  readonly #maxBodyBytes: number;
  #closed: Promise<void> | undefined;

  constructor(options: UndiciTransportOptions) {
    const url = new URL(options.baseUrl);
    this.#origin = url.origin;
    this.#prefix = url.pathname.replace(/\/+$/, '');
    this.#userAgent = options.userAgent;
    this.#maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    const timeout = options.timeoutMs;
    this.#agent = new Agent({
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 60_000,
      // A burst of commands (many users at once) must not queue behind a few sockets:
      // ESI limits requests per route group and character, not connections.
      connections: 64,
      headersTimeout: timeout,
      bodyTimeout: timeout,
      connect: { timeout },
    });
  }

  async send(request: TransportRequest, signal: AbortSignal): Promise<TransportResponse> {
    const headers: Record<string, string> = {
      'User-Agent': this.#userAgent,
      'X-Compatibility-Date': ESI_COMPATIBILITY_DATE,
      Accept: 'application/json',
    };
    if (request.accessToken) headers.Authorization = `Bearer ${request.accessToken}`;
    if (request.etag) headers['If-None-Match'] = request.etag;
    if (request.body !== undefined) headers['Content-Type'] = 'application/json';

    // One controller per attempt, aborted by its own timer or the caller's
    // signal; both are undone afterwards, so nothing outlives the attempt.
    const attempt = new AbortController();
    let timedOut = false;
    const timer = setTimeout(
      () => {
        timedOut = true;
        attempt.abort();
      },
      Math.max(1, Math.ceil(request.timeoutMs)),
    );
    const onAbort = () => attempt.abort();
    if (signal.aborted) attempt.abort();
    else signal.addEventListener('abort', onAbort, { once: true });
    const options: Dispatcher.RequestOptions = {
      origin: this.#origin,
      path: `${this.#prefix}${request.path}${request.query ? `?${request.query}` : ''}`,
      method: request.method,
      headers,
      signal: attempt.signal,
      headersTimeout: request.timeoutMs,
      bodyTimeout: request.timeoutMs,
      ...(request.body === undefined ? {} : { body: request.body }),
    };
    try {
      const res = await this.#agent.request(options);
      const text = await this.#readText(res);
      return { status: res.statusCode, headers: res.headers, text };
    } catch (error) {
      if (error instanceof TransportError) throw error;
      if (signal.aborted) throw new TransportError('aborted', 'the request was aborted', { cause: error });
      if (timedOut || isUndiciTimeout(error)) throw new TransportError('timeout', `no complete answer within ${Math.round(request.timeoutMs)} ms`, { cause: error });
      throw new TransportError('network', `the request failed: ${(error as Error)?.message ?? String(error)}`, { cause: error });
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** Safe to call twice. */
  close(): Promise<void> {
    this.#closed ??= this.#agent.destroy();
    return this.#closed;
  }

  /** the body as text, or a network failure once it passes the cap (announced or streamed) */
  async #readText(res: Dispatcher.ResponseData): Promise<string> {
    const announced = Number(header(res.headers, 'content-length') ?? 0);
    if (announced > this.#maxBodyBytes) {
      await res.body.dump();
      throw new TransportError('network', `ESI body of ${announced} bytes is too large`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      if (size > this.#maxBodyBytes) {
        res.body.destroy();
        throw new TransportError('network', `ESI body of more than ${this.#maxBodyBytes} bytes is too large`);
      }
      chunks.push(buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  }
}

function isUndiciTimeout(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT';
}
