import type { Database } from './client.ts';

/** Rows outlive the signature's five-minute window by a margin: later copies are refused by their timestamp. */
export const HANDLED_INTERACTION_TTL_MS = 15 * 60 * 1000;

/**
 * Which HTTP interactions some process has already taken. A signed request
 * that arrives again (replayed inside its signature's five minutes, or
 * retried by a load balancer) must not run its command a second time, in
 * this process or another: the first insert of an id wins.
 */
export class HandledInteractions {
  constructor(private readonly database: Database) {}

  /** True for the first caller with this id, across every process; false for any copy. */
  async claim(interactionId: bigint): Promise<boolean> {
    const inserted = await this.database.$executeRaw`INSERT INTO "handled_interaction" (id) VALUES (${interactionId}) ON CONFLICT DO NOTHING`;
    return inserted === 1;
  }

  /** Drops ids older than the window in which a copy could still be accepted; returns how many. On the database's clock, which set handled_at. */
  forgetOld(): Promise<number> {
    return this.database.$executeRaw`DELETE FROM "handled_interaction" WHERE handled_at < now() - make_interval(secs => ${HANDLED_INTERACTION_TTL_MS / 1000})`;
  }
}
