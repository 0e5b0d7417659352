import pg from 'pg';
import { parseDatabaseUrl } from '../db/schemaEngine.ts';
import type { Logger } from '../log.ts';

/** First key of the two-key advisory lock held by the gateway's leader ('gate'); the second is the application's. */
const LEADER_LOCK_NAMESPACE = 0x67617465;

export interface GatewaySession {
  /** whether the gateway is connected now (a leader whose gateway stays down steps aside) */
  ready(): boolean;
  stop(): Promise<void>;
}

export interface GatewayLeaderOptions {
  databaseUrl: string;
  /** the Discord application: one leader per application, even when two bots share a database */
  applicationId: string;
  logger: Logger;
  /** connects the gateway once this process leads; `signal` aborts when the connect must be given up (grace over, or stopping) */
  lead: (signal: AbortSignal) => Promise<GatewaySession>;
  /** how often a follower asks for the lock, and the leader checks its hold (default 2 s) */
  intervalMs?: number;
  /** a gateway not connected within this long, or down this long once connected, gives the lead up (default 60 s) */
  gatewayGraceMs?: number;
  /** wait after a failed lead, doubling up to `max` (default 5 s up to 5 min) */
  leadRetryMs?: { first: number; max: number };
}

/** After a failed lead, wait this long before leading again (doubling, to at most 5 min): each try spends one of Discord's daily session starts. */
const LEAD_RETRY_MS = { first: 5_000, max: 5 * 60_000 };

/**
 * PostgreSQL notices a leader that vanished without closing its connection
 * (a crashed host, a cut network) only through TCP keepalives: ask it to
 * probe this session after 10 s of silence, so the lock frees within about
 * 30 s instead of the system default of two hours. Set after connecting,
 * each on its own: a server or pooler that refuses one still elects.
 */
const KEEPALIVE_SETTINGS = ['tcp_keepalives_idle = 10', 'tcp_keepalives_interval = 5', 'tcp_keepalives_count = 3', 'tcp_user_timeout = 15000'];

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
  /** aborts the gateway connect under way */
  #connecting: AbortController | undefined;

  constructor(options: GatewayLeaderOptions) {
    this.#options = { intervalMs: 2_000, gatewayGraceMs: 60_000, leadRetryMs: LEAD_RETRY_MS, ...options };
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
    this.#connecting?.abort(new Error('the bot is stopping'));
    this.#wake?.();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const { logger } = this.#options;
    let announcedFollower = false;
    let retryMs = this.#options.leadRetryMs.first;
    while (!this.#stopping) {
      const client = new pg.Client({
        ...parseDatabaseUrl(this.#options.databaseUrl).config,
        keepAlive: true,
        application_name: 'evebot gateway leader',
        connectionTimeoutMillis: 5_000,
      });
      let lost = false;
      client.on('error', () => {
        lost = true;
        this.#wake?.();
      });
      try {
        await client.connect();
        for (const setting of KEEPALIVE_SETTINGS) {
          await client.query(`SET ${setting}`).catch((error: unknown) => logger.debug({ err: error, setting }, 'the database refused a keepalive setting'));
        }
        while (!this.#stopping && !lost) {
          if (await this.#tryLock(client)) break;
          if (!announcedFollower) logger.info('another process holds the Discord gateway; this one serves HTTP interactions and waits to take over');
          announcedFollower = true;
          await this.#sleep();
        }
        if (!this.#stopping && !lost) {
          announcedFollower = false;
          const led = await this.#lead(client, () => lost);
          if (!led) {
            // Let the lock go, and wait before trying again: another process may do better meanwhile.
            await client.end().catch(() => undefined);
            await this.#sleep(retryMs);
            retryMs = Math.min(retryMs * 2, this.#options.leadRetryMs.max);
          } else {
            retryMs = this.#options.leadRetryMs.first;
          }
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

  /**
   * Holds the gateway while the lock's connection answers and the gateway
   * is up (or comes back within the grace); closes it before the lock can
   * pass on. False when the gateway could not be held at all.
   */
  async #lead(client: pg.Client, lost: () => boolean): Promise<boolean> {
    const { logger, gatewayGraceMs, intervalMs } = this.#options;
    logger.info('this process now holds the Discord gateway (leader)');
    let session: GatewaySession | undefined;
    try {
      session = await this.#connect();
      this.#leading = true;
      let downSince: number | undefined;
      while (!this.#stopping && !lost()) {
        await this.#sleep();
        if (this.#stopping) break;
        const alive = await Promise.race([client.query('SELECT 1').then(() => true, () => false), new Promise<false>((resolve) => setTimeout(() => resolve(false), intervalMs).unref())]);
        if (!alive) {
          logger.warn('lost the database connection that holds the gateway lock: closing the gateway');
          break;
        }
        downSince = session.ready() ? undefined : (downSince ?? Date.now());
        if (downSince !== undefined && Date.now() - downSince > gatewayGraceMs) {
          logger.warn({ downSeconds: Math.round((Date.now() - downSince) / 1000) }, 'the Discord gateway stays down: giving the lead up');
          return false;
        }
      }
      return true;
    } catch (error) {
      if (!this.#stopping) logger.error({ err: error }, 'could not connect the Discord gateway as leader; trying again later, another process may take over');
      return false;
    } finally {
      this.#leading = false;
      await session?.stop().catch((error: unknown) => logger.warn({ err: error }, 'error while closing the gateway'));
    }
  }

  /**
   * Connects the gateway within the grace. A connect given up (grace over, or
   * stopping) is aborted, and whatever it still opens is closed: it must not
   * hold a second gateway beside the next leader's.
   */
  async #connect(): Promise<GatewaySession> {
    const { gatewayGraceMs } = this.#options;
    const controller = new AbortController();
    this.#connecting = controller;
    const timer = setTimeout(() => controller.abort(new Error(`the gateway was not ready within ${Math.round(gatewayGraceMs / 1000)} s`)), gatewayGraceMs);
    const connecting = this.#options.lead(controller.signal);
    try {
      return await Promise.race([connecting, abortion(controller.signal)]);
    } catch (error) {
      controller.abort(error);
      void connecting.then((late) => late.stop(), () => undefined);
      throw error;
    } finally {
      clearTimeout(timer);
      this.#connecting = undefined;
    }
  }

  #sleep(ms = this.#options.intervalMs): Promise<void> {
    if (this.#stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wake = done;
    });
  }
}

/** Rejects with the signal's reason once it aborts. */
function abortion(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
