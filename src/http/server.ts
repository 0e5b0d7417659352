import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.ts';

export interface HttpResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export type RouteHandler = (request: { url: URL; method: string; headers: IncomingMessage['headers'] }) => Promise<HttpResponse>;

/** Headers on every answer: nothing here is cacheable or embeddable, and no URL leaks onwards. */
const BASE_HEADERS = {
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
};

/**
 * The bot's small HTTP server: exact-path GET routes (the SSO callback,
 * /healthz); everything else is 404 and other methods 405.
 */
export class HttpServer {
  readonly #routes = new Map<string, RouteHandler>();
  readonly #server: Server;
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
    this.#server = createServer((req, res) => void this.#handle(req, res));
    this.#server.keepAliveTimeout = 5_000;
    this.#server.requestTimeout = 15_000;
  }

  get(path: string, handler: RouteHandler): void {
    this.#routes.set(path, handler);
  }

  listen(host: string, port: number): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
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
    const handler = this.#routes.get(url.pathname);
    let response: HttpResponse;
    if (!handler) response = { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: 'Not found' };
    else if (req.method !== 'GET' && req.method !== 'HEAD') {
      response = { status: 405, headers: { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }, body: 'Method not allowed' };
    } else {
      try {
        response = await handler({ url, method: req.method, headers: req.headers });
      } catch (error) {
        this.#logger.error({ err: error, path: url.pathname }, 'http handler failed');
        response = { status: 500, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: 'Internal error' };
      }
    }
    this.#send(res, response, req.method === 'HEAD');
    // The query holds SSO codes and states: log the path only.
    this.#logger.debug({ method: req.method, path: url.pathname, status: response.status, ms: Math.round(performance.now() - started) }, 'http request');
  }

  #send(res: ServerResponse, response: HttpResponse, headOnly = false): void {
    const body = response.body ?? '';
    res.writeHead(response.status, { ...BASE_HEADERS, 'Content-Length': Buffer.byteLength(body), ...response.headers });
    res.end(headOnly ? undefined : body);
  }
}
