import type { Logger } from '../log.ts';
import type { QueueBackend, RawHandler, RunningJob } from './backend.ts';

export interface JobHelpers {
  /** 1 on the first run, 2 on the first retry, … */
  attempt: number;
  maxAttempts: number;
  /** when this run was due; for recurring work, the start of the period it runs for */
  runAt: Date;
}

export type JobHandler<P> = (payload: P, helpers: JobHelpers) => Promise<void>;

export interface AddOptions {
  /**
   * At most one waiting job per key, and never two running at once: adding
   * while one waits replaces it (payload, run time); adding while one runs
   * queues one more run after it, so a change is never missed.
   */
  key?: string;
  runAt?: Date;
  /** default 10 */
  maxAttempts?: number;
}

export interface JobQueue {
  /** Before start(): the handler for `task` (one handler per task). */
  define<P>(task: string, handler: JobHandler<P>): void;
  add<P>(task: string, payload: P, options?: AddOptions): Promise<void>;
  /**
   * Runs `task` once per period of `everyMs` (periods are aligned to the
   * epoch), once across every process on the database. Every process may
   * call it; a missed period (everything stopped) is run once when a process
   * comes back. A failed run is not retried: the next period is the retry.
   */
  every(task: string, everyMs: number, payload?: unknown): Promise<void>;
  start(): Promise<void>;
  /** Stops taking jobs, waits for running ones (up to `timeoutMs`, default 10 s), releases the connections. */
  stop(timeoutMs?: number): Promise<void>;
  /** Jobs ready to run that no process has started yet. */
  depth(): Promise<number>;
}

export interface JobQueueOptions {
  /** the database; on a real PostgreSQL the queue opens its own small pool */
  databaseUrl: string;
  /** true when the bot runs on its embedded database (one process, one connection) */
  embedded: boolean;
  logger: Logger;
  /** jobs run at once in this process (default 4) */
  concurrency?: number;
  /**
   * Embedded only, and then required: the bot's own Prisma client (its one
   * connection). The embedded database has a single session, so the queue
   * opens no connection of its own.
   */
  database?: import('./embeddedBackend.ts').SqlClient;
  /** Real PostgreSQL: how often to look for jobs that became due (ms, default 500); new jobs start at once (LISTEN/NOTIFY). */
  pollIntervalMs?: number;
  /** told how every job run ended (metrics): done, retry (will run again), failed (given up) */
  onJob?: (task: string, outcome: 'done' | 'retry' | 'failed') => void;
}

const DEFAULT_MAX_ATTEMPTS = 10;
const RECURRING_PREFIX = 'every:';
const CLEANUP_TASK = 'jobs:cleanup';

/**
 * The bot's background job queue. On a real PostgreSQL it is graphile-worker
 * (schema `graphile_worker`, installed and upgraded by the queue itself); on
 * the embedded database a small queue over the bot's own connection with the
 * same behaviour (see embeddedBackend.ts).
 */
export async function createJobQueue(options: JobQueueOptions): Promise<JobQueue> {
  const logger = options.logger.child({ component: 'jobs' });
  let backend: QueueBackend;
  if (options.embedded) {
    if (!options.database) throw new Error('createJobQueue: the embedded database needs `database` (the bot\'s Prisma client)');
    const { createEmbeddedBackend } = await import('./embeddedBackend.ts');
    backend = await createEmbeddedBackend(options.database, logger);
  } else {
    const { createGraphileBackend } = await import('./graphileBackend.ts');
    backend = await createGraphileBackend({ databaseUrl: options.databaseUrl, logger, concurrency: options.concurrency ?? 4, pollIntervalMs: options.pollIntervalMs ?? 500 });
  }
  return new Queue(backend, logger, options.concurrency ?? 4, options.onJob);
}

/** The first period boundary strictly after `at`. */
export function nextPeriod(at: number, everyMs: number): Date {
  return new Date((Math.floor(at / everyMs) + 1) * everyMs);
}

interface RecurringPayload {
  everyMs: number;
  payload: unknown;
}

class Queue implements JobQueue {
  readonly #handlers = new Map<string, JobHandler<unknown>>();
  readonly #recurring = new Map<string, { everyMs: number; payload: unknown }>();
  #state: 'new' | 'started' | 'stopped' = 'new';

  constructor(
    private readonly backend: QueueBackend,
    private readonly logger: Logger,
    private readonly concurrency: number,
    private readonly onJob?: JobQueueOptions['onJob'],
  ) {
    this.define(CLEANUP_TASK, () => this.backend.cleanup());
  }

  define<P>(task: string, handler: JobHandler<P>): void {
    if (this.#state !== 'new') throw new Error(`job task ${task} must be defined before start()`);
    if (!task || task.startsWith(RECURRING_PREFIX)) throw new Error(`invalid job task name ${JSON.stringify(task)}`);
    if (this.#handlers.has(task)) throw new Error(`job task ${task} is already defined`);
    this.#handlers.set(task, handler as JobHandler<unknown>);
  }

  async add<P>(task: string, payload: P, options: AddOptions = {}): Promise<void> {
    this.#assertOpen();
    const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new Error('maxAttempts must be a positive integer');
    // A keyed job is in a queue of its own name: one run at a time, across processes.
    await this.backend.add(task, payload ?? null, { key: options.key, queue: options.key, runAt: options.runAt, maxAttempts });
  }

  async every(task: string, everyMs: number, payload: unknown = null): Promise<void> {
    this.#assertOpen();
    if (!Number.isFinite(everyMs) || everyMs <= 0) throw new Error('everyMs must be a positive number');
    this.#recurring.set(task, { everyMs, payload });
    if (this.#state === 'started') await this.#scheduleRecurring(task, everyMs, payload, Date.now());
  }

  async start(): Promise<void> {
    if (this.#state !== 'new') throw new Error('the job queue was already started');
    const handlers = new Map<string, RawHandler>();
    for (const [task, handler] of this.#handlers) {
      handlers.set(task, (payload, job) => this.#run(task, job, () => handler(payload, { attempt: job.attempt, maxAttempts: job.maxAttempts, runAt: job.runAt })));
      handlers.set(RECURRING_PREFIX + task, (raw, job) => this.#runRecurring(task, raw as RecurringPayload, job, handler));
    }
    if (!this.#recurring.has(CLEANUP_TASK)) this.#recurring.set(CLEANUP_TASK, { everyMs: 3_600_000, payload: null });
    await this.backend.start(handlers, this.concurrency);
    this.#state = 'started';
    const now = Date.now();
    for (const [task, { everyMs, payload }] of this.#recurring) await this.#scheduleRecurring(task, everyMs, payload, now);
  }

  async stop(timeoutMs = 10_000): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopped';
    await this.backend.stop(timeoutMs);
  }

  depth(): Promise<number> {
    return this.backend.depth();
  }

  #assertOpen(): void {
    if (this.#state === 'stopped') throw new Error('the job queue is stopped');
  }

  /**
   * One waiting job per recurring task, under one key for every process: the
   * first process to ask creates it, the others find it (its run time is kept).
   */
  #scheduleRecurring(task: string, everyMs: number, payload: unknown, after: number): Promise<void> {
    const key = RECURRING_PREFIX + task;
    const body: RecurringPayload = { everyMs, payload };
    return this.backend.add(key, body, { key, queue: key, runAt: nextPeriod(after, everyMs), maxAttempts: 5, preserveRunAt: true });
  }

  async #runRecurring(task: string, body: RecurringPayload, job: RunningJob, handler: JobHandler<unknown>): Promise<void> {
    // The next period is booked first (a failure here is retried), which also
    // means this run is never retried: the next period is.
    const after = Math.max(job.runAt.getTime(), Date.now());
    await this.#scheduleRecurring(task, body.everyMs, body.payload, after);
    await this.#run(task, { ...job, maxAttempts: job.attempt }, () => handler(body.payload, { attempt: 1, maxAttempts: 1, runAt: job.runAt })).catch(() => undefined);
  }

  async #run(task: string, job: RunningJob, work: () => Promise<void>): Promise<void> {
    const started = performance.now();
    try {
      await work();
      this.onJob?.(task, 'done');
      this.logger.debug({ task, jobId: job.id, attempt: job.attempt, ms: Math.round(performance.now() - started) }, 'job done');
    } catch (error) {
      const final = job.attempt >= job.maxAttempts;
      this.onJob?.(task, final ? 'failed' : 'retry');
      this.logger[final ? 'error' : 'warn'](
        { task, jobId: job.id, attempt: job.attempt, maxAttempts: job.maxAttempts, err: error },
        final ? 'job failed, giving up' : 'job failed, will retry',
      );
      throw error;
    }
  }
}
