import type { Database } from '../db/client.ts';
import type { RouteHandler } from './server.ts';

/** GET /healthz: 200 when the database answers within 2 s, 503 otherwise. */
export function healthRoute(database: Database): RouteHandler {
  return async () => {
    const ok = await Promise.race([
      database.$queryRaw`SELECT 1`.then(
        () => true,
        () => false,
      ),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2_000).unref()),
    ]);
    return {
      status: ok ? 200 : 503,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ status: ok ? 'ok' : 'unavailable', database: ok ? 'ok' : 'unreachable' }),
    };
  };
}
