import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, type Database } from '../../src/db/client.ts';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../../src/db/embedded.ts';
import { createJobQueue, type JobQueue } from '../../src/jobs/queue.ts';
import { createLogger, type Logger } from '../../src/log.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';

/** Log lines the queue wrote, parsed. */
export class LogCapture {
  readonly lines: Record<string, unknown>[] = [];
  readonly logger: Logger = createLogger({
    level: 'debug',
    destination: { write: (line: string) => void this.lines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  messages(msg: string): Record<string, unknown>[] {
    return this.lines.filter((l) => l.msg === msg);
  }
}

/** One database and a way to make queue instances on it (each its own "process" on PostgreSQL). */
export interface QueueBed {
  readonly mode: 'postgres' | 'embedded';
  readonly log: LogCapture;
  queue(options?: { concurrency?: number }): Promise<JobQueue>;
  /** embedded: stops every queue, closes the database and opens it again, as a restart of the bot does */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function postgresBed(): Promise<QueueBed> {
  const database: TestDatabase = await createTestDatabase();
  const log = new LogCapture();
  const queues: JobQueue[] = [];
  return {
    mode: 'postgres',
    log,
    async queue(options = {}) {
      const q = await createJobQueue({ databaseUrl: database.url, embedded: false, logger: log.logger, concurrency: options.concurrency ?? 4, pollIntervalMs: 200 });
      queues.push(q);
      return q;
    },
    async restart() {
      for (const q of queues.splice(0)) await q.stop();
    },
    async close() {
      for (const q of queues.splice(0)) await q.stop(1_000);
      await database.drop();
    },
  };
}

export async function embeddedBed(): Promise<QueueBed> {
  const dir = mkdtempSync(join(tmpdir(), 'evebot-jobs-'));
  const log = new LogCapture();
  const queues: JobQueue[] = [];
  let embedded: EmbeddedDatabase;
  let db: Database;
  const open = async () => {
    embedded = await startEmbeddedDatabase(dir);
    // as the bot does: one connection to the single-session database
    db = createDatabase(embedded.url, { maxConnections: 1 });
  };
  const shut = async () => {
    for (const q of queues.splice(0)) await q.stop(1_000);
    await db.$disconnect();
    await embedded.close();
  };
  await open();
  return {
    mode: 'embedded',
    log,
    async queue(options = {}) {
      const q = await createJobQueue({ databaseUrl: embedded.url, embedded: true, database: db, logger: log.logger, concurrency: options.concurrency ?? 4 });
      queues.push(q);
      return q;
    },
    async restart() {
      await shut();
      await open();
    },
    async close() {
      await shut();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function until(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}
