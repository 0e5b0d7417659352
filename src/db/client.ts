import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client.ts';

export type Database = InstanceType<typeof PrismaClient>;
export { Prisma } from './generated/client.ts';

export interface DatabaseOptions {
  /** pool size; the embedded database takes exactly one connection */
  maxConnections?: number;
}

/**
 * The Prisma client over node-postgres. pg's pool replaces broken connections
 * by itself, so the bot recovers without help when Postgres comes back.
 */
export function createDatabase(databaseUrl: string, options: DatabaseOptions = {}): Database {
  const adapter = new PrismaPg({
    connectionString: databaseUrl,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    // A query stuck behind a dead connection must not hold a command forever.
    query_timeout: 15_000,
  });
  return new PrismaClient({ adapter });
}

const UNAVAILABLE_CODES = new Set([
  'P1001', // can't reach database server
  'P1002', // server timed out
  'P1008', // operation timed out
  'P1017', // server closed the connection
  'P2024', // timed out fetching a connection from the pool
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EPIPE',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
]);
const UNAVAILABLE_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
const UNAVAILABLE_MESSAGES = /Connection terminated|connection timeout|Can't reach database|Server has closed the connection|timeout exceeded when trying to connect|Query read timeout|ECONNREFUSED|ECONNRESET/i;

/** True when an error means "the database cannot be reached right now", as opposed to a bug or bad data. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 6; depth += 1) {
    if (typeof current !== 'object') return false;
    const { code, kind, message, cause } = current as { code?: unknown; kind?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
    if (typeof kind === 'string' && UNAVAILABLE_KINDS.has(kind)) return true;
    if (typeof message === 'string' && UNAVAILABLE_MESSAGES.test(message)) return true;
    current = cause;
  }
  return false;
}
