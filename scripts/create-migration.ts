// npm run db:migration -- <name> — writes the next migration,
// prisma/migrations/<YYYYMMDDHHMMSS>_<name>/migration.sql: the SQL that takes
// a database from the existing migrations to prisma/schema.prisma (what
// `prisma migrate dev --create-only` writes), computed by the WebAssembly
// schema engine in a temporary shadow database on DATABASE_URL's server.
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_MIGRATIONS_DIR, LOCKFILE_CONTENT, nextMigrationSql } from '../src/db/migrations.ts';

// Like src/main.ts: a .env in the working directory, if any (Node's own loader; prints nothing).
if (existsSync('.env')) process.loadEnvFile('.env');

const NAME = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

/** UTC, as Prisma names migrations: YYYYMMDDHHMMSS. */
function timestamp(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

const args = process.argv.slice(2).filter((arg) => arg !== '--');
const name = args[0];
if (args.length !== 1 || !name) fail('usage: npm run db:migration -- <name>   (snake_case, e.g. add_wallet_table)');
if (!NAME.test(name) || name.length > 100) {
  fail(`invalid migration name "${name}": use snake_case (lowercase letters, digits, single underscores), e.g. add_wallet_table`);
}
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) fail('DATABASE_URL is not set (put it in the environment or in .env); it is used for a temporary shadow database');

const migrationsDir = DEFAULT_MIGRATIONS_DIR;
try {
  const sql = await nextMigrationSql(databaseUrl, { migrationsDir });
  if (sql === '') {
    console.log('no changes');
    process.exit(0);
  }
  const existing = await readdir(migrationsDir, { withFileTypes: true }).catch(() => []);
  const latest = existing
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .at(-1);
  const stamp = timestamp(new Date());
  if (latest !== undefined && latest.slice(0, 14) >= stamp) {
    fail(`the latest migration (${latest}) is not older than now (${stamp}): check the clock`);
  }
  const dirName = `${stamp}_${name}`;
  await mkdir(join(migrationsDir, dirName), { recursive: true });
  await writeFile(join(migrationsDir, dirName, 'migration.sql'), sql, { flag: 'wx' });
  await writeFile(join(migrationsDir, 'migration_lock.toml'), LOCKFILE_CONTENT, { flag: 'wx' }).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    },
  );
  console.log(`created prisma/migrations/${dirName}/migration.sql`);
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}
