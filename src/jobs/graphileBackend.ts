import { Logger as GraphileLogger, makeWorkerUtils, run, type LogLevel, type Runner, type TaskList, type WorkerUtils } from 'graphile-worker';
import pg from 'pg';
import type { Logger } from '../log.ts';
import type { JobSpec, QueueBackend, RawHandler } from './backend.ts';

export interface GraphileBackendOptions {
  databaseUrl: string;
  logger: Logger;
  concurrency: number;
  pollIntervalMs: number;
}

/**
 * graphile-worker on a real PostgreSQL: jobs start within milliseconds of
 * being added (LISTEN/NOTIFY), are taken with SKIP LOCKED (each runs once
 * across processes), survive restarts, and are retried with exponential
 * backoff. Its schema `graphile_worker` is installed/upgraded here, with an
 * advisory lock, so several processes may start at once.
 */
export async function createGraphileBackend(options: GraphileBackendOptions): Promise<QueueBackend> {
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    // Named, so the database's views (and the tests' statement counter) tell the queue's work from commands'.
    application_name: 'evebot-jobs',
    // one LISTEN connection, one per running job, and a few to add jobs and complete them
    max: options.concurrency + 3,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client that loses its server must not crash the process: the pool replaces it.
  const lost = (error: Error) => options.logger.warn({ err: error }, 'job queue: database connection lost');
  pool.on('error', lost);
  pool.on('connect', (client) => client.on('error', lost));
  const logger = graphileLogger(options.logger);
  let utils: WorkerUtils;
  try {
    utils = await makeWorkerUtils({ pgPool: pool, logger });
    await utils.migrate();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  let runner: Runner | undefined;

  return {
    async add(task: string, payload: unknown, spec: JobSpec): Promise<void> {
      await utils.addJob(task, payload, {
        ...(spec.key ? { jobKey: spec.key, jobKeyMode: spec.preserveRunAt ? 'preserve_run_at' : 'replace' } : {}),
        ...(spec.queue ? { queueName: spec.queue } : {}),
        ...(spec.runAt ? { runAt: spec.runAt } : {}),
        ...(spec.maxAttempts ? { maxAttempts: spec.maxAttempts } : {}),
      });
    },

    async start(handlers: ReadonlyMap<string, RawHandler>, concurrency: number): Promise<void> {
      const taskList: TaskList = {};
      for (const [task, handler] of handlers) {
        taskList[task] = (payload, helpers) =>
          handler(payload, {
            id: helpers.job.id,
            task,
            attempt: helpers.job.attempts,
            maxAttempts: helpers.job.max_attempts,
            runAt: new Date(helpers.job.run_at),
          });
      }
      runner = await run({
        pgPool: pool,
        logger,
        taskList,
        concurrency,
        noHandleSignals: true,
        pollInterval: options.pollIntervalMs,
        // no crontab file from the working directory: recurring work is every()
        crontab: '',
        // Batched (even with no delay), completions and failures are retried on a database
        // hiccup and awaited at shutdown; unbatched, graphile-worker leaves their promise unhandled.
        preset: { worker: { completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
      });
    },

    async stop(timeoutMs: number): Promise<void> {
      try {
        if (runner) {
          const current = runner;
          let timer: NodeJS.Timeout | undefined;
          const timedOut = await Promise.race([
            current.stop().then(() => false),
            new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), timeoutMs))),
          ]).finally(() => clearTimeout(timer));
          if (timedOut) {
            options.logger.warn({ timeoutMs }, 'job queue: jobs still running at shutdown, released for a retry');
            // Fails the running jobs in the database so that they are retried (by this or another process).
            await current.kill('shutdown timeout').catch(() => undefined);
          }
        }
      } finally {
        await Promise.resolve(utils.release()).catch(() => undefined);
        await pool.end().catch(() => undefined);
      }
    },

    async depth(): Promise<number> {
      const { rows } = await pool.query<{ n: string }>(
        'SELECT count(*) AS n FROM graphile_worker.jobs WHERE locked_at IS NULL AND run_at <= now() AND attempts < max_attempts',
      );
      return Number(rows[0]!.n);
    },

    async cleanup(): Promise<void> {
      // Per-key queues and given-up jobs (already logged) would pile up otherwise.
      await utils.cleanup({ tasks: ['GC_JOB_QUEUES', 'DELETE_PERMAFAILED_JOBS'] });
    },
  };
}

/** graphile-worker's messages into the bot's log, without their metadata (it can hold job payloads). */
function graphileLogger(logger: Logger): GraphileLogger {
  const levels: Record<LogLevel, 'error' | 'warn' | 'debug' | 'trace'> = { error: 'error', warning: 'warn', info: 'debug', debug: 'trace' };
  return new GraphileLogger((scope) => (level, message) => {
    // Job failures are logged by the queue itself, with the attempt and the error.
    if (/^Failed task|^Completed task/.test(message)) return;
    logger[levels[level] ?? 'debug']({ source: 'graphile-worker', taskIdentifier: scope.taskIdentifier, jobId: scope.jobId }, message);
  });
}
