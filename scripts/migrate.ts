// npm run db:migrate — applies pending migrations from prisma/migrations with
// the WebAssembly schema engine (no native Prisma binary needed), recording
// them in _prisma_migrations as `prisma migrate deploy` does.
import { existsSync } from 'node:fs';
import { applyPendingMigrations } from '../src/db/migrations.ts';

// Like src/main.ts: a .env in the working directory, if any (Node's own loader; prints nothing).
if (existsSync('.env')) process.loadEnvFile('.env');

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error('DATABASE_URL is not set (put it in the environment or in .env)');
  process.exit(1);
}

try {
  const { applied } = await applyPendingMigrations(databaseUrl);
  if (applied.length === 0) console.log('database is up to date');
  for (const name of applied) console.log(`applied ${name}`);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
