import type { Logger } from '../log.ts';
import { backoffMs, type JobSpec, type QueueBackend, type RawHandler } from './backend.ts';

/** What the embedded queue needs of the bot's Prisma client. */
export interface SqlClient {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
}

const SCHEMA = [
  'CREATE SCHEMA IF NOT EXISTS bot_jobs',
  `CREATE TABLE IF NOT EXISTS bot_jobs.job (
    id bigserial PRIMARY KEY,
    task text NOT NULL,
    payload jsonb,
    key text,
    queue text,
    run_at timestamptz NOT NULL DEFAULT now(),
    attempts integer NOT NULL DEFAULT 0,
    max_attempts integer NOT NULL,
    locked_at timestamptz,
    last_error text,
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  'CREATE UNIQUE INDEX IF NOT EXISTS job_waiting_key ON bot_jobs.job (key) WHERE locked_at IS NULL AND key IS NOT NULL',
  'CREATE INDEX IF NOT EXISTS job_due ON bot_jobs.job (run_at, id) WHERE locked_at IS NULL',
  'CREATE INDEX IF NOT EXISTS job_queue ON bot_jobs.job (queue) WHERE queue IS NOT NULL',
];

/** jobs that could run now: not running, and their queue idle */
const RUNNABLE = `j.locked_at IS NULL AND j.task = ANY($1::text[])
  AND (j.queue IS NULL OR NOT EXISTS (SELECT 1 FROM bot_jobs.job r WHERE r.queue = j.queue AND r.locked_at IS NOT NULL))`;

const MAX_SLEEP_MS = 5_000;

interface JobRow {
  id: bigint | string | number;
  task: string;
  payload: unknown;
  attempts: number;
  max_attempts: number;
  run_at: Date;
}

/**
 * The queue for the embedded database (PGlite), which graphile-worker cannot
 * use: PGlite has one session, so the bot keeps one connection to it, while
 * graphile-worker needs a pool of at least two (one held by LISTEN) and its
 * named prepared statements and LISTEN would share that session with the
 * bot's transactions. This queue runs every statement through the bot's own
 * Prisma client instead, in table `bot_jobs.job` (created here).
 *
 * One process only (the bot locks the embedded database's directory), so
 * jobs are claimed in memory order and woken in-process: a job added here
 * starts at once; one due later, at its time. Keys, queues, retries with
 * backoff and recurring work behave as with graphile-worker.
 */
export async function createEmbeddedBackend(db: SqlClient, logger: Logger): Promise<QueueBackend> {
  for (const statement of SCHEMA) await db.$executeRawUnsafe(statement);
  return new EmbeddedBackend(db, logger);
}

class EmbeddedBackend implements QueueBackend {
  #handlers: ReadonlyMap<string, RawHandler> = new Map();
  #tasks: string[] = [];
  #concurrency = 1;
  readonly #running = new Set<Promise<void>>();
  #active = false;
  #filling = false;
  #again = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: SqlClient,
    private readonly logger: Logger,
  ) {}

  async add(task: string, payload: unknown, spec: JobSpec): Promise<void> {
    const args = [task, JSON.stringify(payload ?? null), spec.key ?? null, spec.queue ?? null, spec.runAt ?? null, spec.maxAttempts ?? 25];
    if (spec.key) {
      // A running job with this key is followed by a new one (and not retried); a waiting one is replaced.
      await this.db.$executeRawUnsafe(
        `WITH running AS (
           UPDATE bot_jobs.job SET max_attempts = attempts WHERE key = $3 AND locked_at IS NOT NULL
         )
         INSERT INTO bot_jobs.job AS j (task, payload, key, queue, run_at, max_attempts)
         VALUES ($1, $2::jsonb, $3, $4, coalesce($5::timestamptz, now()), $6)
         ON CONFLICT (key) WHERE locked_at IS NULL AND key IS NOT NULL DO UPDATE SET
           task = excluded.task, payload = excluded.payload, queue = excluded.queue, max_attempts = excluded.max_attempts,
           run_at = CASE WHEN $7 AND j.attempts = 0 THEN j.run_at ELSE excluded.run_at END,
           attempts = 0, last_error = NULL`,
        ...args,
        spec.preserveRunAt ?? false,
      );
    } else {
      await this.db.$executeRawUnsafe(
        `INSERT INTO bot_jobs.job (task, payload, key, queue, run_at, max_attempts) VALUES ($1, $2::jsonb, $3, $4, coalesce($5::timestamptz, now()), $6)`,
        ...args,
      );
    }
    this.#wake();
  }

  async start(handlers: ReadonlyMap<string, RawHandler>, concurrency: number): Promise<void> {
    this.#handlers = handlers;
    this.#tasks = [...handlers.keys()];
    this.#concurrency = Math.max(1, concurrency);
    // Jobs that were running when the process died: run again (a waiting job with the same key already covers one).
    await this.db.$executeRawUnsafe(
      `DELETE FROM bot_jobs.job j WHERE j.locked_at IS NOT NULL AND j.key IS NOT NULL
         AND EXISTS (SELECT 1 FROM bot_jobs.job w WHERE w.key = j.key AND w.locked_at IS NULL)`,
    );
    await this.db.$executeRawUnsafe('UPDATE bot_jobs.job SET locked_at = NULL WHERE locked_at IS NOT NULL');
    this.#active = true;
    this.#wake();
  }

  async stop(timeoutMs: number): Promise<void> {
    this.#active = false;
    clearTimeout(this.#timer);
    if (this.#running.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      Promise.allSettled([...this.#running]).then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), timeoutMs))),
    ]).finally(() => clearTimeout(timer));
    // Their rows stay locked and are run again at the next start.
    if (timedOut) this.logger.warn({ timeoutMs, running: this.#running.size }, 'job queue: jobs still running at shutdown, they run again at the next start');
  }

  async depth(): Promise<number> {
    const rows = await this.db.$queryRawUnsafe<{ n: bigint | number }[]>(
      'SELECT count(*) AS n FROM bot_jobs.job WHERE locked_at IS NULL AND run_at <= now()',
    );
    return Number(rows[0]?.n ?? 0);
  }

  async cleanup(): Promise<void> {
    // Given-up jobs are deleted when they give up; nothing accumulates.
  }

  #wake(): void {
    if (!this.#active) return;
    if (this.#filling) {
      this.#again = true;
      return;
    }
    this.#filling = true;
    void this.#fill().finally(() => {
      this.#filling = false;
      if (this.#again) {
        this.#again = false;
        this.#wake();
      }
    });
  }

  /** Starts due jobs until the slots are full, then sleeps until the next one is due (or an add/finish wakes it). */
  async #fill(): Promise<void> {
    clearTimeout(this.#timer);
    try {
      while (this.#active && this.#running.size < this.#concurrency) {
        const job = await this.#claim();
        if (!job) break;
        this.#launch(job);
      }
      if (!this.#active || this.#running.size >= this.#concurrency) return;
      const rows = await this.db.$queryRawUnsafe<{ wait: number | null }[]>(
        `SELECT greatest(0, extract(epoch FROM min(j.run_at) - now()) * 1000)::float8 AS wait FROM bot_jobs.job j WHERE ${RUNNABLE}`,
        this.#tasks,
      );
      const wait = rows[0]?.wait;
      this.#sleep(wait == null ? MAX_SLEEP_MS : Math.min(Math.ceil(wait) + 5, MAX_SLEEP_MS));
    } catch (error) {
      this.logger.warn({ err: error }, 'job queue: could not look for jobs, trying again in 1 s');
      this.#sleep(1_000);
    }
  }

  #sleep(ms: number): void {
    if (!this.#active) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#wake(), ms);
    this.#timer.unref();
  }

  async #claim(): Promise<JobRow | undefined> {
    const rows = await this.db.$queryRawUnsafe<JobRow[]>(
      `UPDATE bot_jobs.job SET locked_at = now(), attempts = attempts + 1
       WHERE id = (SELECT j.id FROM bot_jobs.job j WHERE ${RUNNABLE} AND j.run_at <= now() ORDER BY j.run_at, j.id LIMIT 1)
       RETURNING id, task, payload, attempts, max_attempts, run_at`,
      this.#tasks,
    );
    return rows[0];
  }

  #launch(job: JobRow): void {
    const id = String(job.id);
    const handler = this.#handlers.get(job.task)!;
    const run = (async () => {
      try {
        await handler(job.payload, { id, task: job.task, attempt: job.attempts, maxAttempts: job.max_attempts, runAt: new Date(job.run_at) });
        await this.db.$executeRawUnsafe('DELETE FROM bot_jobs.job WHERE id = $1::bigint', id);
      } catch (error) {
        await this.#fail(id, job.attempts, error);
      }
    })()
      .catch((error: unknown) => this.logger.error({ err: error, jobId: id }, 'job queue: could not record a job\'s outcome'))
      .finally(() => {
        this.#running.delete(run);
        this.#wake();
      });
    this.#running.add(run);
  }

  /** Retried after a backoff while attempts remain (max_attempts is read again: a newer job may have taken over), else deleted. */
  async #fail(id: string, attempt: number, error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    await this.db.$executeRawUnsafe(
      `WITH gone AS (DELETE FROM bot_jobs.job WHERE id = $1::bigint AND attempts >= max_attempts RETURNING id)
       UPDATE bot_jobs.job SET locked_at = NULL, last_error = $2,
         run_at = now() + $3::float8 * interval '1 millisecond'
       WHERE id = $1::bigint AND attempts < max_attempts`,
      id,
      message.slice(0, 1000),
      backoffMs(attempt),
    );
  }
}
