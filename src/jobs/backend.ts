/** What the queue asks of a storage/runner: graphile-worker on PostgreSQL, or the embedded fallback. */

export interface JobSpec {
  /** at most one waiting job per key; a running one is not replaced but followed */
  key?: string | undefined;
  /** jobs of one queue run one at a time, in order */
  queue?: string | undefined;
  runAt?: Date | undefined;
  maxAttempts?: number | undefined;
  /** when a waiting job has the key: keep its run time (recurring work) */
  preserveRunAt?: boolean | undefined;
}

export interface RunningJob {
  id: string;
  task: string;
  /** 1 on the first run */
  attempt: number;
  maxAttempts: number;
  runAt: Date;
}

export type RawHandler = (payload: unknown, job: RunningJob) => Promise<void>;

export interface QueueBackend {
  add(task: string, payload: unknown, spec: JobSpec): Promise<void>;
  start(handlers: ReadonlyMap<string, RawHandler>, concurrency: number): Promise<void>;
  /** stop taking jobs; wait up to `timeoutMs` for running ones; release everything */
  stop(timeoutMs: number): Promise<void>;
  /** jobs ready to run now and not running */
  depth(): Promise<number>;
  /** housekeeping run hourly as a recurring job */
  cleanup(): Promise<void>;
}

/** Retry delay after the `attempt`-th failed run: e^attempt seconds (2.7 s, 7.4 s, 20 s, …), capped at 1 h. */
export function backoffMs(attempt: number): number {
  return Math.min(Math.exp(Math.min(attempt, 10)) * 1000, 3_600_000);
}
