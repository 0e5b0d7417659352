import type { Logger } from '../log.ts';

/**
 * Runs a piece of housekeeping every `everyMs`, never two runs at once, and
 * logs (never throws) its failures. The work itself must be safe when every
 * process runs it (it claims rows in the database): this only paces it.
 */
export class PeriodicTask {
  readonly #timer: NodeJS.Timeout;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(
    readonly name: string,
    private readonly work: () => Promise<unknown>,
    everyMs: number,
    private readonly logger: Logger,
  ) {
    this.#timer = setInterval(() => void this.runNow(), everyMs);
    this.#timer.unref();
  }

  /** One run now (or the one in progress). */
  runNow(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    this.#running ??= this.work()
      .then(() => undefined)
      .catch((error: unknown) => this.logger.warn({ err: error, task: this.name }, 'periodic task failed'))
      .finally(() => {
        this.#running = undefined;
      });
    return this.#running;
  }

  /** No new runs; waits for the one in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#running;
  }
}
