import { readdirSync } from 'node:fs';
import type { Database } from '../db/client.ts';
import { DEFAULT_MIGRATIONS_DIR } from '../db/migrations.ts';
import type { RouteHandler } from './server.ts';
import { withTimeout } from '../util/withTimeout.ts';

const json = (status: number, body: unknown) => ({ status, headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }, body: JSON.stringify(body) });

/** GET /healthz: the process is alive and serving HTTP (a liveness probe; it does not depend on the database or Discord). */
export function healthRoute(): RouteHandler {
  return async () => json(200, { status: 'ok' });
}

export interface ReadinessChecks {
  database: Database;
  /** true while the Discord gateway session is ready (not connecting or resuming) */
  gatewayReady: () => boolean;
  /** the migrations this build expects; default: the directories of prisma/migrations */
  migrations?: string[];
  timeoutMs?: number;
}

/** The migration names of this build: the directories of prisma/migrations. */
export function expectedMigrations(directory = DEFAULT_MIGRATIONS_DIR): string[] {
  return readdirSync(directory, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/**
 * GET /readyz: 200 when the bot can serve users (the Discord gateway is
 * ready, the database answers within 2 s and holds every migration of this
 * build); 503 with the reason of each failing check otherwise.
 */
export function readinessRoute(checks: ReadinessChecks): RouteHandler {
  const expected = checks.migrations ?? expectedMigrations();
  const timeoutMs = checks.timeoutMs ?? 2_000;
  return async () => {
    const problems: Record<string, string> = {};
    if (!checks.gatewayReady()) problems.discord = 'the Discord gateway is not connected (starting, reconnecting or resuming)';
    const applied = await withTimeout(
      checks.database.$queryRaw<{ migration_name: string }[]>`SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
      timeoutMs,
    ).catch(() => undefined);
    if (!applied) {
      problems.database = `the database did not answer within ${timeoutMs / 1000} s`;
    } else {
      const have = new Set(applied.map((row) => row.migration_name));
      const missing = expected.filter((name) => !have.has(name));
      if (missing.length > 0) problems.migrations = `${missing.length} migration(s) of this version not applied: ${missing.slice(0, 5).join(', ')}`;
    }
    const ready = Object.keys(problems).length === 0;
    return json(ready ? 200 : 503, {
      status: ready ? 'ready' : 'not ready',
      checks: {
        discord: problems.discord ?? 'ok',
        database: problems.database ?? 'ok',
        migrations: problems.migrations ?? (problems.database ? 'unknown' : 'ok'),
      },
    });
  };
}

/** GET /metrics: the Prometheus text exposition. */
export function metricsRoute(text: () => Promise<{ contentType: string; body: string }>): RouteHandler {
  return async () => {
    const { contentType, body } = await text();
    return { status: 200, headers: { 'Content-Type': contentType, 'Cache-Control': 'no-store' }, body };
  };
}
