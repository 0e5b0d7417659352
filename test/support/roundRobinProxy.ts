import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small HTTP load balancer for tests: each request goes to the next
 * backend in turn. Like nginx's default, a backend that refuses the
 * connection is skipped (the request was not sent, so trying the next is
 * safe even for a POST): the request goes on to the backend after it, and
 * tries each backend at most once; a failure after the request was sent is
 * a 502.
 */
export class RoundRobinProxy {
  #next = 0;
  /** requests forwarded to each backend, by its index */
  readonly forwarded: number[];
  /** the backend index each interaction (a JSON POST with an id) was sent to */
  readonly interactionBackend = new Map<string, number>();

  private constructor(
    private readonly server: Server,
    readonly backends: string[],
  ) {
    this.forwarded = backends.map(() => 0);
  }

  /** Listens on `port` (default: any free one) in front of `backends` (base URLs). */
  static async start(backends: string[], port = 0): Promise<RoundRobinProxy> {
    const server = createServer();
    const proxy = new RoundRobinProxy(server, backends);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => proxy.#forward(req.method ?? 'GET', req.url ?? '/', req.headers, Buffer.concat(chunks), res, proxy.#next++ % proxy.backends.length, proxy.backends.length));
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /**
   * Sends the request to backend `index`; on a refused connection, to the one
   * after it (not to the shared turn, which other requests move on meanwhile
   * and which could bring this request back to the backend that refused it).
   */
  #forward(method: string, path: string, headers: Record<string, unknown>, body: Buffer, res: import('node:http').ServerResponse, index: number, triesLeft: number): void {
    if (triesLeft === 0) {
      res.writeHead(502).end('no backend answered');
      return;
    }
    const target = new URL(path, this.backends[index]);
    const id = interactionId(method, body);
    if (id) this.interactionBackend.set(id, index);
    let sent = false;
    const upstream = request(target, { method, headers: { ...headers, host: target.host, connection: 'close' } as never }, (answer) => {
      this.forwarded[index]! += 1;
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('socket', (socket) => socket.on('connect', () => (sent = true)));
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (!sent && error.code === 'ECONNREFUSED') return this.#forward(method, path, headers, body, res, (index + 1) % this.backends.length, triesLeft - 1);
      if (!res.headersSent) res.writeHead(502).end(`backend failed: ${error.message}`);
      else res.destroy();
    });
    upstream.end(body);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

function interactionId(method: string, body: Buffer): string | undefined {
  if (method !== 'POST' || body[0] !== 0x7b) return undefined;
  try {
    const id = (JSON.parse(body.toString('utf8')) as { id?: unknown }).id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}
