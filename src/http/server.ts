import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.ts';

export interface HttpResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface HttpRequest {
  url: URL;
  method: string;
  headers: IncomingMessage['headers'];
  /** POST routes: the form the browser sent */
  form?: URLSearchParams;
  /** raw POST routes: the body as received (a signature covers these exact bytes) */
  body?: Buffer;
}

export type RouteHandler = (request: HttpRequest) => Promise<HttpResponse>;

/**
 * Headers on every answer: nothing here is cacheable or embeddable, no URL
 * leaks onwards, forms post only to this origin, and images come only from
 * EVE's image server and Discord's CDN (portrait and avatar on the link confirmation).
 */
const BASE_HEADERS = {
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src https://images.evetech.net https://cdn.discordapp.com; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
};

/** Pending connections the kernel keeps while the bot is busy (capped by net.core.somaxconn). */
const LISTEN_BACKLOG = 4096;

/** A form is two short values: anything larger is not one of ours. */
const MAX_FORM_BYTES = 4096;

interface Route {
  handler: RouteHandler;
  /** HEAD answered like GET without a body: only for routes without side effects */
  head: boolean;
  /** POST: a browser's form (default), or the raw bytes of a JSON body of at most this many bytes */
  rawJsonBytes?: number;
  /** raw POST: an answer from the headers alone, before the body is read (a refusal), or undefined to go on */
  precheck?: (headers: IncomingMessage['headers']) => HttpResponse | undefined;
}

/**
 * The bot's small HTTP server: exact-path routes per method (the SSO
 * callback and its confirmation form, /healthz); everything else is 404, and
 * a method a path does not serve is 405. HEAD is answered only where a GET
 * changes nothing (a HEAD of the SSO callback must not consume its state).
 */
export class HttpServer {
  readonly #routes = new Map<string, Map<string, Route>>();
  readonly #server: Server;
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
    this.#server = createServer((req, res) => void this.#handle(req, res));
    this.#server.keepAliveTimeout = 5_000;
    this.#server.requestTimeout = 15_000;
  }

  get(path: string, handler: RouteHandler, options: { head?: boolean } = {}): void {
    this.#route('GET', path, { handler, head: options.head ?? false });
  }

  /** Browsers' form posts: application/x-www-form-urlencoded, at most 4 KiB. */
  post(path: string, handler: RouteHandler): void {
    this.#route('POST', path, { handler, head: false });
  }

  /**
   * Machine posts whose bytes matter (a signature covers them):
   * application/json, at most `maxBytes`. `precheck` may refuse from the
   * headers alone, before a byte of the body is read.
   */
  postRaw(path: string, handler: RouteHandler, maxBytes: number, precheck?: Route['precheck']): void {
    this.#route('POST', path, { handler, head: false, rawJsonBytes: maxBytes, ...(precheck ? { precheck } : {}) });
  }

  #route(method: string, path: string, route: Route): void {
    const methods = this.#routes.get(path) ?? new Map<string, Route>();
    methods.set(method, route);
    this.#routes.set(path, methods);
  }

  listen(host: string, port: number): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      // A burst of interactions (HTTP mode) opens many connections at once; Node's default backlog of 511 drops
      // the rest while the event loop is busy, and the kernel retries them only after 1 s, then 3 s.
      this.#server.listen({ port, host, backlog: LISTEN_BACKLOG }, () => {
        this.#server.off('error', reject);
        resolve(this.#server.address() as AddressInfo);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeIdleConnections();
      setTimeout(() => this.#server.closeAllConnections(), 2_000).unref();
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return this.#send(res, { status: 400, body: 'Bad request' });
    }
    const methods = this.#routes.get(url.pathname);
    const method = req.method ?? 'GET';
    const get = methods?.get('GET');
    const route = method === 'HEAD' ? (get?.head ? get : undefined) : methods?.get(method);
    let response: HttpResponse;
    if (!methods) response = text(404, 'Not found');
    else if (!route) {
      const allowed = [...methods.keys(), ...(get?.head ? ['HEAD'] : [])].join(', ');
      response = { ...text(405, 'Method not allowed'), headers: { Allow: allowed, 'Content-Type': 'text/plain; charset=utf-8' } };
    } else {
      try {
        const raw = method === 'POST' && route.rawJsonBytes !== undefined;
        const early = raw ? route.precheck?.(req.headers) : undefined;
        if (early) {
          res.setHeader('Connection', 'close');
          this.#send(res, early);
          return;
        }
        const form = method === 'POST' && !raw ? await readForm(req) : undefined;
        const body = raw ? await readRaw(req, route.rawJsonBytes!) : undefined;
        const refused = form instanceof Error ? form : body instanceof Error ? body : undefined;
        response = refused
          ? text(refused.message === 'too large' ? 413 : 415, refused.message === 'too large' ? 'Request too large' : raw ? 'Expected JSON' : 'Expected a form')
          : await route.handler({ url, method, headers: req.headers, ...(form ? { form: form as URLSearchParams } : {}), ...(body ? { body: body as Buffer } : {}) });
      } catch (error) {
        this.#logger.error({ err: error, path: url.pathname }, 'http handler failed');
        response = text(500, 'Internal error');
      }
    }
    if (method === 'POST' && !req.complete) res.setHeader('Connection', 'close');
    this.#send(res, response, method === 'HEAD');
    // The query holds SSO codes and states: log the path only.
    this.#logger.debug({ method: req.method, path: url.pathname, status: response.status, ms: Math.round(performance.now() - started) }, 'http request');
  }

  #send(res: ServerResponse, response: HttpResponse, headOnly = false): void {
    const body = response.body ?? '';
    res.writeHead(response.status, { ...BASE_HEADERS, 'Content-Length': Buffer.byteLength(body), ...response.headers });
    res.end(headOnly ? undefined : body);
  }
}

function text(status: number, body: string): HttpResponse {
  return { status, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body };
}

/** The urlencoded form of a POST, or an Error saying why there is none. */
async function readForm(req: IncomingMessage): Promise<URLSearchParams | Error> {
  const body = await readBody(req, 'application/x-www-form-urlencoded', MAX_FORM_BYTES);
  return body instanceof Error ? body : new URLSearchParams(body.toString('utf8'));
}

/** The bytes of a JSON POST of at most `maxBytes`, or an Error saying why not. */
function readRaw(req: IncomingMessage, maxBytes: number): Promise<Buffer | Error> {
  return readBody(req, 'application/json', maxBytes);
}

/** A POST body of the given media type and at most `maxBytes`; an Error ('too large', or the wrong type) otherwise. */
async function readBody(req: IncomingMessage, mediaType: string, maxBytes: number): Promise<Buffer | Error> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== mediaType) return new Error('wrong type');
  if (Number(req.headers['content-length'] ?? 0) > maxBytes) return new Error('too large');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) return new Error('too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
