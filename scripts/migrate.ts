// npm run db:migrate — applies pending migrations from prisma/migrations with
// the WebAssembly schema engine (no native Prisma binary needed), recording
// them in _prisma_migrations as `prisma migrate deploy` does.
import { existsSync } from 'node:fs';
import { applyPendingMigrations } from '../src/db/migrations.ts';
import { openDatabaseTarget, type DatabaseTarget } from '../src/db/target.ts';

// Like src/main.ts: a .env in the working directory, if any (Node's own loader; prints nothing).
if (existsSync('.env')) process.loadEnvFile('.env');

// Like the bot: DATABASE_URL, or the embedded database in DATA_DIR when it is unset.
let target: DatabaseTarget | undefined;
try {
  target = await openDatabaseTarget({ DATABASE_URL: process.env.DATABASE_URL || undefined, DATA_DIR: process.env.DATA_DIR || './data' });
  if (target.embedded) console.log(`DATABASE_URL is not set: migrating the embedded database in ${target.embedded.dataDir}`);
  const { applied } = await applyPendingMigrations(target.url);
  if (applied.length === 0) console.log('database is up to date');
  for (const name of applied) console.log(`applied ${name}`);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
} finally {
  await target?.close();
}
