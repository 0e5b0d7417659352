// Prisma's schema engine (the part of `prisma migrate` that diffs schemas and
// applies migrations) as WebAssembly, so migrations need no native binary.
//
// The wasm module is loaded lazily, once per process: it is ~5 MB and takes
// a noticeable moment to compile, and a start-up with nothing to migrate
// should never pay for it (see the fast path in migrations.ts).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import {
  bindMigrationAwareSqlAdapterFactory,
  DriverAdapterError,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import type * as EngineModule from '@prisma/schema-engine-wasm';
import pg from 'pg';

export type SchemaEngine = EngineModule.SchemaEngine;
export type {
  MigrationList,
  MigrationDirectory,
  SchemaFilter,
  DiffTarget,
} from '@prisma/schema-engine-wasm';

type EngineBindings = typeof EngineModule;

const stats = { wasmLoads: 0, enginesCreated: 0 };

/** How often this process compiled the wasm module and created engines (for tests and diagnostics). */
export function schemaEngineStats(): Readonly<typeof stats> {
  return { ...stats };
}

let bindings: Promise<EngineBindings> | undefined;

/**
 * Timers the engine started and that have not fired yet. The engine arms a
 * timer for every timeout it races (e.g. 10 s for its advisory lock during
 * applyMigrations) and has no way to cancel it: with the glue's plain
 * `setTimeout` a finished `npm run db:migrate` would sit there for 10 seconds.
 * Its timers are therefore unref'd (they never keep the process alive) and
 * cleared once no engine is running any more.
 */
const engineTimers = new Set<ReturnType<typeof setTimeout>>();
let activeEngines = 0;

function withOwnTimers(bg: object): Record<string, unknown> {
  const imports: Record<string, unknown> = { ...bg };
  for (const name of Object.keys(imports)) {
    if (!name.startsWith('__wbg_setTimeout_')) continue;
    imports[name] = (callback: () => void, ms: number) => {
      const timer = setTimeout(() => {
        engineTimers.delete(timer);
        callback();
      }, ms >>> 0);
      timer.unref();
      engineTimers.add(timer);
      return timer;
    };
  }
  return imports;
}

function clearEngineTimers(): void {
  for (const timer of engineTimers) clearTimeout(timer);
  engineTimers.clear();
}

/** The slice of the WebAssembly global used here (lib "ES2023" without DOM does not declare it). */
interface WasmApi {
  instantiate(
    bytes: Uint8Array,
    imports: Record<string, object>,
  ): Promise<{ instance: { exports: Record<string, unknown> } }>;
}
function wasmApi(): WasmApi {
  return (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
}

/**
 * The engine's JS bindings, with the wasm module instantiated. Node 20 cannot
 * `import` a .wasm file (the package's entry point does exactly that), so the
 * glue module is imported on its own and the wasm instantiated by hand.
 */
export function loadSchemaEngineBindings(): Promise<EngineBindings> {
  bindings ??= (async () => {
    const require = createRequire(import.meta.url);
    const gluePath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const bg = (await import('@prisma/schema-engine-wasm/schema_engine_bg')) as EngineBindings & {
      __wbg_set_wasm(exports: Record<string, unknown>): void;
    };
    const bytes = await readFile(join(dirname(gluePath), 'schema_engine_bg.wasm'));
    const { instance } = await wasmApi().instantiate(bytes, { './schema_engine_bg.js': withOwnTimers(bg) });
    bg.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    stats.wasmLoads++;
    return bg;
  })().catch((error: unknown) => {
    bindings = undefined; // let a later call retry
    throw error;
  });
  return bindings;
}

/** Connection settings taken from a postgres URL. */
export interface PgTarget {
  /** node-postgres config (no `schema` parameter, which pg does not know). */
  config: pg.ClientConfig;
  /** The Postgres schema Prisma works in (`?schema=`), `public` by default. */
  schema: string;
}

/**
 * Reads a `postgres://` / `postgresql://` URL. The `schema` query parameter is
 * Prisma's, not libpq's: it is removed from what pg sees and returned apart.
 */
export function parseDatabaseUrl(databaseUrl: string): PgTarget {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new Error('DATABASE_URL is not a valid URL');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new Error(`DATABASE_URL must be a postgresql:// URL (got ${url.protocol}//…)`);
  }
  const schema = url.searchParams.get('schema') || 'public';
  url.searchParams.delete('schema');
  return { config: { connectionString: url.toString(), ...searchPathOption(schema) }, schema };
}

/**
 * The native engine points `search_path` at `?schema=`; the wasm engine only
 * learns the name from the adapter, and migration scripts use unqualified
 * names, so every connection of ours sets it.
 */
function searchPathOption(schema: string): { options?: string } {
  if (schema === 'public') return {};
  if (/[\s\\]/.test(schema)) throw new Error('the schema in DATABASE_URL must not contain spaces or backslashes');
  return { options: `-c search_path="${schema.replace(/"/g, '""')}"` };
}

/**
 * The engine reads the catalogs with queries returning columns of Postgres's
 * one-byte `"char"` type (oid 18: `pg_class.relkind`, `pg_constraint.contype`…).
 * `@prisma/adapter-pg` 7.10 has no column type for that oid and fails the whole
 * query ("Column type 'char' could not be deserialized from the database"), so
 * the schema engine cannot describe any database. pg already returns those
 * values as strings; relabelling the field as `text` (oid 25) is all it takes.
 */
const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;

function charColumnsAsText(result: unknown): unknown {
  if (Array.isArray(result)) {
    // a multi-statement simple query yields one result per statement
    for (const item of result) charColumnsAsText(item);
  } else if (result !== null && typeof result === 'object') {
    const fields = (result as { fields?: unknown }).fields;
    if (Array.isArray(fields)) {
      for (const field of fields as Array<{ dataTypeID?: number }>) {
        if (field.dataTypeID === PG_CHAR_OID) field.dataTypeID = PG_TEXT_OID;
      }
    }
  }
  return result;
}

const clientQuery = pg.Client.prototype.query as (this: pg.Client, ...args: unknown[]) => unknown;

/** pg client class used for the engine's pools (see charColumnsAsText). */
class EngineClient extends pg.Client {}
Object.assign(EngineClient.prototype, {
  query(this: pg.Client, ...args: unknown[]): unknown {
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === 'function') {
      args[last] = (error: unknown, result: unknown) =>
        (callback as (e: unknown, r: unknown) => void)(error, error ? result : charColumnsAsText(result));
      return clientQuery.apply(this, args);
    }
    const returned = clientQuery.apply(this, args);
    return returned instanceof Promise ? returned.then(charColumnsAsText) : returned;
  },
});

function poolConfig(connectionString: string, schema: string): pg.PoolConfig {
  return { connectionString, ...searchPathOption(schema), max: 2, Client: EngineClient };
}

/** `databaseUrl` pointing at another database on the same server. */
function withDatabase(databaseUrl: string, database: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

/** Hides the password of `databaseUrl` wherever it appears in `text`. */
export function redactSecrets(text: string, databaseUrl: string): string {
  let out = text;
  try {
    const url = new URL(databaseUrl);
    if (url.password) {
      const hidden = new URL(databaseUrl);
      hidden.password = '***';
      out = out.split(databaseUrl).join(hidden.toString());
      for (const secret of new Set([url.password, decodeURIComponent(url.password)])) {
        if (secret.length > 0) out = out.split(secret).join('***');
      }
    }
  } catch {
    // not a URL: nothing we know how to hide
  }
  return out;
}

/**
 * Driver adapter factory handed to the engine. `PrismaPg` alone is not
 * enough: its `connectToShadowDb` spreads its config over `{ database }`, and
 * pg lets a `connectionString` override `database`, so the "shadow" pool would
 * point at the main database; it also never closes the connection it used to
 * create the shadow database. This factory builds the shadow connection from a
 * rewritten URL, drops the shadow database afterwards, and remembers every
 * adapter it hands out so that `dispose()` can close them all.
 *
 * It also replaces the adapters' `executeScript`, which the engine uses to run
 * each migration.sql: PrismaPg's splits the script on every `;` and sends the
 * pieces one by one, which breaks any `;` inside a function body, a string or
 * a comment, and applies a failing migration halfway. Here the script goes to
 * Postgres in one simple-protocol query, as the native engine sends it: the
 * server parses it properly and runs it as one implicit transaction.
 */
/** 1-based line of the 1-based character `position` in `text`. */
function lineOf(text: string, position: number): number {
  return text.slice(0, Math.max(0, position - 1)).split('\n').length;
}

/** What PrismaPg's adapter has beyond the SqlDriverAdapter interface (`onError` is protected). */
type PgDriverAdapter = SqlDriverAdapter & {
  underlyingDriver(): pg.Pool;
  onError?(error: unknown): never;
};

class PgMigrationAdapterFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = 'postgres' as const;
  readonly adapterName: string;
  readonly #main: PrismaPg;
  readonly #url: string;
  readonly #schema: string;
  readonly #open = new Set<SqlDriverAdapter>();
  readonly #cleanups: Array<() => Promise<void>> = [];

  constructor(target: PgTarget) {
    this.#url = String(target.config.connectionString);
    this.#schema = target.schema;
    this.#main = new PrismaPg(poolConfig(this.#url, this.#schema), this.#pgOptions());
    this.adapterName = this.#main.adapterName;
  }

  #pgOptions() {
    return this.#schema === 'public' ? undefined : { schema: this.#schema };
  }

  #track(adapter: SqlDriverAdapter, after?: () => Promise<void>): SqlDriverAdapter {
    this.#open.add(adapter);
    const pgAdapter = adapter as PgDriverAdapter;
    const pool = pgAdapter.underlyingDriver();
    adapter.executeScript = async (script: string) => {
      try {
        await pool.query(script);
      } catch (error) {
        const dbError = error as Partial<pg.DatabaseError>;
        if (typeof dbError.code === 'string' && typeof dbError.severity === 'string') {
          // Keep Postgres's own words (PrismaPg would turn 42P01 into "No such
          // table: x"), and say where in the script it happened.
          const line = dbError.position ? lineOf(script, Number(dbError.position)) : undefined;
          throw new DriverAdapterError({
            kind: 'postgres',
            code: dbError.code,
            severity: dbError.severity,
            message: `${dbError.message ?? 'error'}${line ? ` (line ${line} of the script)` : ''}`,
            detail: dbError.detail,
            column: dbError.column,
            hint: dbError.hint,
          });
        }
        // Anything else (connection lost…): PrismaPg's own conversion.
        if (typeof pgAdapter.onError === 'function') pgAdapter.onError(error);
        throw error;
      }
    };
    const dispose = adapter.dispose.bind(adapter);
    let disposed: Promise<void> | undefined;
    adapter.dispose = () => {
      disposed ??= (async () => {
        this.#open.delete(adapter);
        try {
          await dispose();
        } finally {
          await after?.();
        }
      })();
      return disposed;
    };
    return adapter;
  }

  async connect(): Promise<SqlDriverAdapter> {
    return this.#track(await this.#main.connect());
  }

  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    const name = `prisma_migrate_shadow_db_${globalThis.crypto.randomUUID().replaceAll('-', '')}`;
    const admin = new pg.Client({ connectionString: this.#url });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${name}"`);
    } finally {
      await admin.end();
    }
    let dropped = false;
    const drop = async () => {
      if (dropped) return;
      dropped = true;
      const client = new pg.Client({ connectionString: this.#url });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    };
    this.#cleanups.push(drop);
    const shadow = new PrismaPg(poolConfig(withDatabase(this.#url, name), this.#schema), this.#pgOptions());
    return this.#track(await shadow.connect(), drop);
  }

  /** Closes whatever the engine left open and drops leftover shadow databases. */
  async dispose(): Promise<void> {
    const errors: unknown[] = [];
    for (const adapter of [...this.#open]) {
      await adapter.dispose().catch((error: unknown) => errors.push(error));
    }
    for (const cleanup of this.#cleanups) {
      await cleanup().catch((error: unknown) => errors.push(error));
    }
    if (errors.length > 0) throw errors[0];
  }
}

export interface EngineSession {
  engine: SchemaEngine;
  /** Engine log lines (JSON strings), for error reports. */
  logs: string[];
}

/**
 * Runs `fn` with a schema engine connected to `databaseUrl`, then frees the
 * engine and closes every connection it opened.
 */
export async function withSchemaEngine<T>(
  databaseUrl: string,
  fn: (session: EngineSession) => Promise<T>,
  datamodels?: [string, string][],
): Promise<T> {
  const { SchemaEngine } = await loadSchemaEngineBindings();
  const factory = new PgMigrationAdapterFactory(parseDatabaseUrl(databaseUrl));
  activeEngines++;
  const logs: string[] = [];
  const onLog = (line: string) => {
    if (logs.length < 200) logs.push(line);
  };
  try {
    const engine = await SchemaEngine.new(
      { datamodels },
      onLog,
      bindMigrationAwareSqlAdapterFactory(factory),
    );
    stats.enginesCreated++;
    try {
      return await fn({ engine, logs });
    } finally {
      engine.free();
    }
  } finally {
    try {
      await factory.dispose();
    } finally {
      if (--activeEngines === 0) clearEngineTimers();
    }
  }
}
