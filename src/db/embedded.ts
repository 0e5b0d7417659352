import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { lockDataDir } from './dataDirLock.ts';

/**
 * Postgres' defaults size its buffers for a server (128 MB of shared buffers,
 * kept in PGlite's WebAssembly memory); a corporation's database is a few MB.
 * As start parameters, not in postgresql.conf: the data directory is not changed.
 * Measured with `npm run bench -- --embedded startup`: 360 → 235 MB after start.
 */
const SMALL_DATABASE_SETTINGS = ['-c', 'shared_buffers=16MB', '-c', 'work_mem=1MB', '-c', 'maintenance_work_mem=8MB', '-c', 'wal_buffers=1MB', '-c', 'temp_buffers=2MB'];

export interface EmbeddedDatabase {
  /** a postgresql:// URL for pg / @prisma/adapter-pg (a Unix socket; use a pool of ONE connection) */
  readonly url: string;
  readonly dataDir: string;
  close(): Promise<void>;
}

/**
 * PostgreSQL in WebAssembly (PGlite), with its files in `dataDir`, served on
 * a Unix socket so the same pg driver, Prisma client and migrations run on
 * it as on a real server. One process at a time: a lock that the system
 * drops when its holder dies guards the directory (dataDirLock.ts), since
 * two PGlite instances on one directory would corrupt it.
 *
 * PGlite runs one session: every client shares it, so the pool in front of
 * it must hold exactly one connection (transactions would interleave
 * otherwise). The socket accepts a few connections only so that migrations
 * (which briefly hold two) and the pool can hand over without a refusal.
 */
export async function startEmbeddedDatabase(dataDirInput: string): Promise<EmbeddedDatabase> {
  const dataDir = resolve(dataDirInput);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const lock = await lockDataDir(dataDir);
  let db: PGlite | undefined;
  let server: PGLiteSocketServer | undefined;
  let socketDir: string | undefined;
  try {
    compileWebAssemblyForSize();
    db = await PGlite.create({ dataDir: join(dataDir, 'pgdata'), startParams: [...PGlite.defaultStartParams, ...SMALL_DATABASE_SETTINGS] });
    socketDir = socketDirectoryFor(dataDir);
    server = new PGLiteSocketServer({ db, path: join(socketDir, '.s.PGSQL.5432'), maxConnections: 3 });
    await server.start();
  } catch (error) {
    await server?.stop().catch(() => undefined);
    await db?.close().catch(() => undefined);
    await lock.release();
    throw error;
  }
  const url = `postgresql://postgres@localhost/postgres?host=${encodeURIComponent(socketDir)}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    dataDir,
    close: () =>
      (closing ??= (async () => {
        await server!.stop();
        await db!.close();
        if (socketDir !== dataDir) rmSync(socketDir!, { recursive: true, force: true });
        await lock.release();
      })()),
  };
}

/**
 * PGlite is all of Postgres in WebAssembly. V8 compiles it first with its
 * baseline compiler (Liftoff) and then recompiles hot functions with its
 * optimizing one (TurboFan), keeping both; for a bot's few small queries the
 * second tier costs memory and start time and buys nothing measurable.
 * Process-wide, so only the embedded mode sets it, before PGlite compiles
 * (`npm run bench -- --embedded startup`: 236 → 178 MB after start, and a faster
 * start; see BENCHMARKS.md).
 */
function compileWebAssemblyForSize(): void {
  setFlagsFromString('--liftoff-only');
}

/** A Unix socket path may hold about 107 bytes: long data directories get a socket in the temp directory. */
function socketDirectoryFor(dataDir: string): string {
  const inDataDir = join(dataDir, 'run');
  if (join(inDataDir, '.s.PGSQL.5432').length < 100) {
    rmSync(inDataDir, { recursive: true, force: true }); // a socket file left by a crash
    mkdirSync(inDataDir, { mode: 0o700 });
    return inDataDir;
  }
  return mkdtempSync(join(tmpdir(), 'evebot-pg-'));
}
