import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The server tests create their databases on (trust auth on the CI machines). */
export const ADMIN_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const TEMPLATE_ENV = 'EVEBOT_TEST_TEMPLATE_DB';
export const RUN_PREFIX_ENV = 'EVEBOT_TEST_RUN_PREFIX';

export function databaseUrl(name: string): string {
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export function quoteIdent(name: string): string {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unsafe database name ${name}`);
  return `"${name}"`;
}

export async function dropDatabase(name: string): Promise<void> {
  await withAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/**
 * A fresh database for one test file, copied from the run's migrated template
 * (made once by globalSetup), so every file starts from the real schema.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const template = process.env[TEMPLATE_ENV];
  const prefix = process.env[RUN_PREFIX_ENV];
  if (!template || !prefix) throw new Error('createTestDatabase needs the vitest globalSetup (test/support/globalSetup.ts)');
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  await withAdmin((client) => client.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(template)}`));
  return { name, url: databaseUrl(name), drop: () => dropDatabase(name) };
}
