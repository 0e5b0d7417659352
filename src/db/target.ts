import type { EmbeddedDatabase } from './embedded.ts';

export interface DatabaseTarget {
  url: string;
  /** set when DATABASE_URL is unset and the embedded database serves */
  embedded?: EmbeddedDatabase;
  /** pool size that is safe for this database */
  maxConnections: number;
  close(): Promise<void>;
}

/** The database to use: DATABASE_URL when set, else the embedded one in DATA_DIR. */
export async function openDatabaseTarget(settings: { DATABASE_URL?: string | undefined; DATA_DIR: string }): Promise<DatabaseTarget> {
  if (settings.DATABASE_URL) return { url: settings.DATABASE_URL, maxConnections: 10, close: async () => undefined };
  // Loaded only when used: PGlite costs about 50 MB of memory just to import.
  const { startEmbeddedDatabase } = await import('./embedded.ts');
  const embedded = await startEmbeddedDatabase(settings.DATA_DIR);
  // The embedded database has one session: one connection, or transactions would interleave.
  return { url: embedded.url, embedded, maxConnections: 1, close: () => embedded.close() };
}
