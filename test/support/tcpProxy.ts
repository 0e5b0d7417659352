import { createServer, connect, type Server, type Socket } from 'node:net';

/** Sees what a client sends, per connection (the proxy forwards it unchanged). */
export type ClientTap = () => (chunk: Buffer) => void;

/**
 * A TCP proxy in front of Postgres that a test can cut and restore, to see
 * what the bot does when its database goes away while it runs; with a tap,
 * it also reads what clients send (see PgStatementCounter).
 */
export class TcpProxy {
  #server?: Server;
  readonly #sockets = new Set<Socket>();

  private constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
    private readonly tap?: ClientTap,
  ) {}

  static async start(target: { host: string; port: number }, tap?: ClientTap): Promise<TcpProxy> {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise((resolve) => probe.close(resolve));
    const proxy = new TcpProxy(port, target, tap);
    await proxy.restore();
    return proxy;
  }

  /** Drop every connection and refuse new ones. */
  async cut(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    if (server) await new Promise((resolve) => server.close(resolve));
  }

  async restore(): Promise<void> {
    if (this.#server) return;
    const server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.#sockets.add(socket);
        socket.on('close', () => this.#sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      const seen = this.tap?.();
      if (seen) client.on('data', seen);
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.#server = server;
  }

  /** `url` with its host and port replaced by this proxy's. */
  proxied(url: string): string {
    const proxied = new URL(url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(this.port);
    return proxied.toString();
  }

  close(): Promise<void> {
    return this.cut();
  }
}
