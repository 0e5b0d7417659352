// npm run db:move -- <DATABASE_URL>
// Moves everything from the embedded database (DATA_DIR) into a real PostgreSQL.
// Stop the bot first; afterwards set DATABASE_URL and start it again.
import { existsSync } from 'node:fs';
import { applyPendingMigrations } from '../src/db/migrations.ts';
import { copyAllRows } from '../src/db/move.ts';
import { openDatabaseTarget, type DatabaseTarget } from '../src/db/target.ts';

if (existsSync('.env')) process.loadEnvFile('.env');
const destination = process.argv[2];
if (!destination || !/^postgres(ql)?:\/\//.test(destination)) {
  console.error('Usage: npm run db:move -- postgresql://user:password@host:5432/database');
  process.exit(1);
}
const dataDir = process.env.DATA_DIR || './data';

let source: DatabaseTarget | undefined;
try {
  source = await openDatabaseTarget({ DATA_DIR: dataDir });
  await applyPendingMigrations(source.url);
  const { applied } = await applyPendingMigrations(destination);
  if (applied.length) console.log(`prepared the destination: ${applied.join(', ')}`);
  const moved = await copyAllRows(source.url, destination);
  for (const { table, rows } of moved) console.log(`${table}: ${rows} rows`);
  console.log(`Moved everything from ${source.embedded!.dataDir}. Now set DATABASE_URL to the new database and start the bot.`);
} catch (error) {
  console.error(`Could not move the database: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await source?.close();
}
