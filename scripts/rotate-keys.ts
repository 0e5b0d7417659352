// npm run keys:rotate: re-seals every stored secret with the current TOKEN_ENCRYPTION_KEY.
// Run it after moving the previous key to TOKEN_ENCRYPTION_OLD_KEYS; when it reports nothing
// left to re-seal, the old key can be dropped. Safe beside running bots, and safe to run again.
// --batch-size N: rows re-sealed per transaction (default 500).
import { parseArgs } from 'node:util';
import { secretValues } from '../src/config.ts';
import { createDatabase } from '../src/db/client.ts';
import { applyPendingMigrations } from '../src/db/migrations.ts';
import { SecretBox } from '../src/db/secretBox.ts';
import { openDatabaseTarget } from '../src/db/target.ts';
import { rotateAll } from '../src/keys/rotation.ts';
import { scrubSecrets } from '../src/log.ts';
import { loadScriptConfig } from './scriptConfig.ts';

const batchSize = parseBatchSize();
const config = loadScriptConfig();

const box = new SecretBox(config.TOKEN_ENCRYPTION_KEY, config.TOKEN_ENCRYPTION_OLD_KEYS);
const out = (line: string) => process.stdout.write(`${line}\n`);
const target = await openDatabaseTarget(config);
const database = createDatabase(target.url, { maxConnections: 1 });
try {
  await applyPendingMigrations(target.url);
  out(`Current key: ${box.keyId}. Previous keys: ${box.oldKeyIds.join(', ') || 'none'}.`);
  const results = await rotateAll(database, box, {
    ...(batchSize === undefined ? {} : { batchSize }),
    onBatch: (p) => out(`  ${p.table}: ${p.resealed} re-sealed so far${p.unreadable ? `, ${p.unreadable} unreadable` : ''}`),
  });
  for (const r of results) out(`${r.table}: ${r.resealed} re-sealed, ${r.unreadable} unreadable`);
  const unreadable = results.reduce((sum, r) => sum + r.unreadable, 0);
  if (unreadable === 0) {
    out('Every stored secret is sealed with the current key: TOKEN_ENCRYPTION_OLD_KEYS can be removed.');
  } else {
    out(`${unreadable} rows open with none of the configured keys: add the key that sealed them to TOKEN_ENCRYPTION_OLD_KEYS and run this again, or keep them as they are (their logins cannot be used).`);
    process.exitCode = 2;
  }
} catch (error) {
  // Known secrets and secret-looking strings (a database URL's password) never reach the terminal.
  const message = secretValues(config).reduce((text, secret) => text.split(secret).join('[Redacted]'), scrubSecrets((error as Error).message));
  process.stderr.write(`Could not re-seal: ${message}\n`);
  process.exitCode = 1;
} finally {
  await database.$disconnect();
  await target.close();
}

/** --batch-size N (a whole number from 1), or undefined for rotateAll's default; anything else stops here, exit 1. */
function parseBatchSize(): number | undefined {
  let value: string | undefined;
  try {
    value = parseArgs({ options: { 'batch-size': { type: 'string' } } }).values['batch-size'];
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\nUsage: npm run keys:rotate [-- --batch-size N]\n`);
    process.exit(1);
  }
  if (value === undefined) return undefined;
  const size = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(size) || size < 1) {
    process.stderr.write(`--batch-size must be a whole number of rows, at least 1 (got ${value})\n`);
    process.exit(1);
  }
  return size;
}
