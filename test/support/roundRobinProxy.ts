import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small HTTP load balancer for tests: each request goes to the next
 * backend in turn. Like nginx's default, a backend that refuses the
 * connection is skipped (the request was not sent, so trying the next is
 * safe even for a POST); a failure after the request was sent is a 502.
 */
export class RoundRobinProxy {
  #next = 0;
  /** requests forwarded to each backend, by its index */
  readonly forwarded: number[];

  private constructor(
    private readonly server: Server,
    readonly backends: string[],
  ) {
    this.forwarded = backends.map(() => 0);
  }

  static async start(backends: string[]): Promise<RoundRobinProxy> {
    const server = createServer();
    const proxy = new RoundRobinProxy(server, backends);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => proxy.#forward(req.method ?? 'GET', req.url ?? '/', req.headers, Buffer.concat(chunks), res, proxy.backends.length));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  #forward(method: string, path: string, headers: Record<string, unknown>, body: Buffer, res: import('node:http').ServerResponse, triesLeft: number): void {
    if (triesLeft === 0) {
      res.writeHead(502).end('no backend answered');
      return;
    }
    const index = this.#next++ % this.backends.length;
    const target = new URL(path, this.backends[index]);
    let sent = false;
    const upstream = request(target, { method, headers: { ...headers, host: target.host, connection: 'close' } as never }, (answer) => {
      this.forwarded[index]! += 1;
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('socket', (socket) => socket.on('connect', () => (sent = true)));
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (!sent && error.code === 'ECONNREFUSED') return this.#forward(method, path, headers, body, res, triesLeft - 1);
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
