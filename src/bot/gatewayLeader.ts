import pg from 'pg';
import { parseDatabaseUrl } from '../db/schemaEngine.ts';
import type { Logger } from '../log.ts';

/** First key of the two-key advisory lock held by the gateway's leader ('gate'); the second is the application's. */
const LEADER_LOCK_NAMESPACE = 0x67617465;

export interface GatewaySession {
  stop(): Promise<void>;
}

export interface GatewayLeaderOptions {
  databaseUrl: string;
  /** the Discord application: one leader per application, even when two bots share a database */
  applicationId: string;
  logger: Logger;
  /** connects the gateway once this process leads */
  lead: () => Promise<GatewaySession>;
  /** how often a follower asks for the lock, and the leader checks its hold (default 2 s) */
  intervalMs?: number;
}

/**
 * Exactly one process holds the Discord gateway (HTTP interactions mode,
 * where the gateway only carries events such as members joining and
 * leaving). The leader holds a session-level Postgres advisory lock on its
 * own connection: when the process dies, its connection closes and
 * PostgreSQL releases the lock at once, so a follower, asking every 2 s,
 * takes over within seconds. A leader that loses its connection (the
 * database restarted, the network dropped) closes its gateway before anyone
 * else can take the lock, and asks again like a follower.
 */
export class GatewayLeader {
  readonly #options: Required<GatewayLeaderOptions>;
  #stopping = false;
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;
  #leading = false;

  constructor(options: GatewayLeaderOptions) {
    this.#options = { intervalMs: 2_000, ...options };
  }

  /** whether this process holds the gateway now */
  get leading(): boolean {
    return this.#leading;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wake?.();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const { logger } = this.#options;
    let announcedFollower = false;
    while (!this.#stopping) {
      const client = new pg.Client({ ...parseDatabaseUrl(this.#options.databaseUrl).config, keepAlive: true, application_name: 'evebot gateway leader', connectionTimeoutMillis: 5_000 });
      let lost = false;
      client.on('error', () => {
        lost = true;
        this.#wake?.();
      });
      try {
        await client.connect();
        while (!this.#stopping && !lost) {
          if (await this.#tryLock(client)) break;
          if (!announcedFollower) logger.info('another process holds the Discord gateway; this one serves HTTP interactions and waits to take over');
          announcedFollower = true;
          await this.#sleep();
        }
        if (!this.#stopping && !lost) {
          announcedFollower = false;
          await this.#lead(client, () => lost);
        }
      } catch (error) {
        if (!this.#stopping) logger.warn({ err: error }, 'gateway leader election: the database connection failed; trying again');
      } finally {
        await client.end().catch(() => undefined);
      }
      if (!this.#stopping) await this.#sleep();
    }
  }

  async #tryLock(client: pg.Client): Promise<boolean> {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::int, hashtext($2)) AS locked', [LEADER_LOCK_NAMESPACE, this.#options.applicationId]);
    return rows[0]?.locked === true;
  }

  /** Holds the gateway while the lock's connection answers; closes it before the lock can pass on. */
  async #lead(client: pg.Client, lost: () => boolean): Promise<void> {
    const { logger } = this.#options;
    logger.info('this process now holds the Discord gateway (leader)');
    let session: GatewaySession | undefined;
    try {
      session = await this.#options.lead();
      this.#leading = true;
      while (!this.#stopping && !lost()) {
        await this.#sleep();
        if (this.#stopping) break;
        const alive = await Promise.race([client.query('SELECT 1').then(() => true, () => false), new Promise<false>((resolve) => setTimeout(() => resolve(false), this.#options.intervalMs).unref())]);
        if (!alive) break;
      }
      if (!this.#stopping) logger.warn('lost the database connection that holds the gateway lock: closing the gateway');
    } catch (error) {
      logger.error({ err: error }, 'could not connect the Discord gateway as leader; another process may take over');
    } finally {
      this.#leading = false;
      await session?.stop().catch((error: unknown) => logger.warn({ err: error }, 'error while closing the gateway'));
    }
  }

  #sleep(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.#options.intervalMs);
      this.#wake = done;
    });
  }
}
