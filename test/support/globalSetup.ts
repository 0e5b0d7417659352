import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { applyPendingMigrations } from '../../src/db/migrations.ts';
import { ROOT } from './botProcess.ts';
import { databaseUrl, quoteIdent, RUN_PREFIX_ENV, TEMPLATE_ENV, withAdmin } from './postgres.ts';

/**
 * dist/ from the current sources, as `npm start` would build it: the tests start the
 * compiled bot and scripts, and must never test a build older than the code next to them.
 */
function buildIfStale(): void {
  const build = spawnSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build failed (see above): the tests run the compiled bot');
}

/**
 * Once per run: dist/ up to date (again before each rerun in watch mode), and a migrated
 * template database that each test file copies. Afterwards every database of this run is
 * dropped, whatever the tests left. npm run bench and docs:replies call it without a project.
 */
export default async function setup(project?: TestProject): Promise<() => Promise<void>> {
  buildIfStale();
  project?.onTestsRerun(buildIfStale);
  const prefix = `evebot_test_${randomBytes(3).toString('hex')}`;
  const template = `${prefix}_template`;
  await withAdmin((client) => client.query(`CREATE DATABASE ${quoteIdent(template)}`));
  await applyPendingMigrations(databaseUrl(template));
  process.env[TEMPLATE_ENV] = template;
  process.env[RUN_PREFIX_ENV] = prefix;

  return async () => {
    await withAdmin(async (client) => {
      const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${prefix}%`]);
      for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(datname)} WITH (FORCE)`);
    });
  };
}
