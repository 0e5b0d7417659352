// Migrations through the WebAssembly schema engine, against the real Postgres.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import {
  applyPendingMigrations,
  DEFAULT_MIGRATIONS_DIR,
  DEFAULT_SCHEMA_PATH,
  nextMigrationSql,
  schemaEngineStats,
} from '../../src/db/migrations.ts';
import { npmScriptArguments } from '../support/botProcess.ts';

const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const PREFIX = `${process.env.EVEBOT_TEST_RUN_PREFIX ?? 'evebot_test'}_mig_${randomBytes(3).toString('hex')}`;

const created: string[] = [];
const tempDirs: string[] = [];

function urlOf(database: string, password?: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  if (password !== undefined) url.password = password;
  return url.toString();
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function freshDatabase(tag: string): Promise<string> {
  const name = `${PREFIX}_${tag}`;
  await withClient(ADMIN_URL, (c) => c.query(`CREATE DATABASE "${name}"`));
  created.push(name);
  return name;
}

async function connectionsTo(database: string): Promise<number> {
  return withClient(ADMIN_URL, async (c) => {
    const { rows } = await c.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1',
      [database],
    );
    return rows[0]?.n ?? -1;
  });
}

/** Backends exit a moment after their client disconnects: wait for them. */
async function expectNoConnections(database: string): Promise<void> {
  const deadline = Date.now() + 3000;
  let n = await connectionsTo(database);
  while (n !== 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    n = await connectionsTo(database);
  }
  expect(n).toBe(0);
}

async function shadowDatabases(): Promise<string[]> {
  return withClient(ADMIN_URL, async (c) => {
    const { rows } = await c.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE 'prisma_migrate_shadow_db_%'",
    );
    return rows.map((r) => r.datname);
  });
}

async function localMigrations(): Promise<string[]> {
  const entries = await readdir(DEFAULT_MIGRATIONS_DIR, { withFileTypes: true });
  return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'evebot-mig-'));
  tempDirs.push(dir);
  return dir;
}

afterAll(async () => {
  try {
    await withClient(ADMIN_URL, async (c) => {
      for (const name of created) await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    });
  } finally {
    for (const dir of tempDirs) await rm(dir, { recursive: true, force: true });
  }
});

describe('applyPendingMigrations', () => {
  let db = '';

  it('applies the migrations to a fresh database and records them like prisma migrate deploy', async () => {
    const migrations = await localMigrations();
    expect(migrations.length).toBeGreaterThan(0);
    expect(migrations[0]).toMatch(/^\d{14}_init$/);
    db = await freshDatabase('main');

    const result = await applyPendingMigrations(urlOf(db));
    expect(result.applied).toEqual(migrations);
    expect(result.usedEngine).toBe(true);

    await withClient(urlOf(db), async (c) => {
      const { rows: tables } = await c.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
      );
      expect(tables.map((t) => t.table_name)).toEqual(
        expect.arrayContaining([
          '_prisma_migrations',
          'audit_event',
          'character',
          'command_registration',
          'discord_user',
          'grant',
          'guild_settings',
          'pending_login',
        ]),
      );
      const { rows } = await c.query<{ migration_name: string; checksum: string; finished_at: Date | null; rolled_back_at: Date | null; applied_steps_count: number }>(
        'SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name',
      );
      expect(rows.map((r) => r.migration_name)).toEqual(migrations);
      for (const row of rows) {
        const sql = await readFile(join(DEFAULT_MIGRATIONS_DIR, row.migration_name, 'migration.sql'));
        expect(row.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
        expect(row.finished_at).toBeInstanceOf(Date);
        expect(row.rolled_back_at).toBeNull();
        expect(row.applied_steps_count).toBe(1);
      }
    });
    // every connection the engine opened is closed again
    await expectNoConnections(db);
  });

  it('does nothing the second time, without loading the engine (fast path)', async () => {
    const before = schemaEngineStats();
    const started = performance.now();
    const result = await applyPendingMigrations(urlOf(db));
    const elapsed = performance.now() - started;
    expect(result).toEqual({ applied: [], usedEngine: false });
    expect(schemaEngineStats()).toEqual(before);
    expect(elapsed).toBeLessThan(2000);
    await expectNoConnections(db);
  });

  it('makes audit_event append-only', async () => {
    await withClient(urlOf(db), async (c) => {
      await c.query("INSERT INTO audit_event (kind, detail) VALUES ('test', '{\"a\":1}')");
      await expect(c.query("UPDATE audit_event SET kind = 'changed'")).rejects.toThrow(/append-only: UPDATE/);
      await expect(c.query('DELETE FROM audit_event')).rejects.toThrow(/append-only: DELETE/);
      await expect(c.query('TRUNCATE audit_event')).rejects.toThrow(/append-only: TRUNCATE/);
      const { rows } = await c.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_event');
      expect(rows[0]?.n).toBe(1);
    });
  });

  it('applies once when two appliers race on a fresh database', async () => {
    const migrations = await localMigrations();
    const raced = await freshDatabase('race');
    const results = await Promise.all([applyPendingMigrations(urlOf(raced)), applyPendingMigrations(urlOf(raced))]);
    expect(results.flatMap((r) => r.applied).sort()).toEqual(migrations);
    expect(results.filter((r) => r.applied.length > 0)).toHaveLength(1);
    await withClient(urlOf(raced), async (c) => {
      const { rows } = await c.query<{ migration_name: string }>('SELECT migration_name FROM _prisma_migrations');
      expect(rows.map((r) => r.migration_name).sort()).toEqual(migrations);
    });
    await expectNoConnections(raced);
  });

  it('names the failed migration and the database error, never the password, and applies nothing of it', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, '20000101000000_first'));
    await writeFile(join(dir, '20000101000000_first', 'migration.sql'), 'CREATE TABLE first_t (id int);\n');
    await mkdir(join(dir, '20000102000000_broken'));
    await writeFile(
      join(dir, '20000102000000_broken', 'migration.sql'),
      "CREATE TABLE second_t (id int);\nSELECT 'a;b';\nSELEC 1;\n",
    );
    const broken = await freshDatabase('broken');
    // trust auth ignores the password: it is only there to check it is not leaked
    const url = urlOf(broken, 'Sup3r-s3cret');
    const error = await applyPendingMigrations(url, { migrationsDir: dir }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error?.message).toMatch(/20000102000000_broken/);
    expect(error?.message).toMatch(/syntax error at or near "SELEC"/);
    expect(error?.message).not.toContain('Sup3r-s3cret');
    await withClient(urlOf(broken), async (c) => {
      const { rows } = await c.query<{ t: string | null }>("SELECT to_regclass('second_t')::text AS t");
      expect(rows[0]?.t).toBeNull(); // the failed script ran as one transaction
      const { rows: first } = await c.query<{ t: string | null }>("SELECT to_regclass('first_t')::text AS t");
      expect(first[0]?.t).toBe('first_t');
    });
    // like prisma migrate deploy: a failed migration blocks later runs until resolved
    await expect(applyPendingMigrations(url, { migrationsDir: dir })).rejects.toThrow(/20000102000000_broken/);
    await expectNoConnections(broken);
  });
});

const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const RESOURCES_PROBE = fileURLToPath(new URL('./fixtures/resourcesAfterMigrate.ts', import.meta.url));

/** Runs `npm run db:migrate`'s command (the compiled script) in an empty directory, so no .env is picked up. */
function runMigrateScript(env: Record<string, string | undefined>) {
  return runNode(npmScriptArguments('db:migrate'), env);
}

async function runNode(args: string[], env: Record<string, string | undefined>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cwd = await tempDir();
  const child = spawn(process.execPath, args, {
    cwd,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stdout, stderr };
}

describe('npm run db:migrate', () => {
  it('applies, reports each migration and leaves nothing that keeps the process alive', async () => {
    const migrations = await localMigrations();
    const target = await freshDatabase('script');
    const first = await runMigrateScript({ DATABASE_URL: urlOf(target) });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout.trim().split('\n')).toEqual(migrations.map((name) => `applied ${name}`));

    // The engine arms a 10 s advisory-lock timeout it never cancels: it must not outlive the work.
    const fresh = await freshDatabase('resources');
    const probe = await runNode(['--import', TSX, RESOURCES_PROBE], { DATABASE_URL: urlOf(fresh) });
    expect(probe.code).toBe(0);
    expect(JSON.parse(probe.stdout)).not.toContain('Timeout');

    const second = await runMigrateScript({ DATABASE_URL: urlOf(target) });
    expect(second.code).toBe(0);
    expect(second.stdout.trim()).toBe('database is up to date');
  });

  it('migrates the embedded database when DATABASE_URL is unset, and fails with one clear line when the database is unreachable', async () => {
    // Without DATABASE_URL the script migrates the embedded database in DATA_DIR, as the bot would use it.
    const dataDir = await tempDir();
    const embedded = await runMigrateScript({ DATA_DIR: dataDir });
    expect(embedded.stderr).toBe('');
    expect(embedded.code).toBe(0);
    expect(embedded.stdout).toMatch(/migrating the embedded database/);
    expect(embedded.stdout).toMatch(/^applied \d+_init$/m);

    const unreachable = await runMigrateScript({ DATABASE_URL: urlOf(`${PREFIX}_does_not_exist`, 'Sup3r-s3cret') });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr.trim().split('\n')).toHaveLength(1);
    expect(unreachable.stderr).toMatch(/does not exist/);
    expect(unreachable.stderr).not.toContain('Sup3r-s3cret');
  });
});

describe('nextMigrationSql', () => {
  it('is empty for the current schema (the hand-written trigger does not confuse the diff)', async () => {
    const before = await shadowDatabases();
    expect(await nextMigrationSql(ADMIN_URL)).toBe('');
    // the temporary shadow database is gone again
    expect((await shadowDatabases()).filter((name) => !before.includes(name))).toEqual([]);
  });

  it('returns the SQL for a schema change', async () => {
    const dir = await tempDir();
    const schema = await readFile(DEFAULT_SCHEMA_PATH, 'utf8');
    const changed = schema.replace(
      /model CommandRegistration \{\n/,
      'model CommandRegistration {\n  note         String?\n',
    );
    expect(changed).not.toBe(schema);
    const schemaPath = join(dir, 'schema.prisma');
    await writeFile(schemaPath, changed);
    const sql = await nextMigrationSql(ADMIN_URL, { schemaPath });
    expect(sql).toMatch(/ALTER TABLE "command_registration" ADD COLUMN\s+"note" TEXT/);
  });

  it('diffs from nothing when there are no migrations yet', async () => {
    const sql = await nextMigrationSql(ADMIN_URL, { migrationsDir: join(await tempDir(), 'missing') });
    expect(sql).toMatch(/CREATE TABLE "audit_event"/);
  });
});
