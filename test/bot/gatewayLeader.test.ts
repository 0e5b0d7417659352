import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayLeader, type GatewaySession } from '../../src/bot/gatewayLeader.ts';
import { createLogger } from '../../src/log.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';

const logger = createLogger({ level: 'silent' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A process's part in the election, with a gateway that is up or not, and a log of when it led. */
function candidate(databaseUrl: string, name: string, timeline: string[], gateway: { ready: boolean; fails?: boolean }) {
  let leads = 0;
  const leader = new GatewayLeader({
    databaseUrl,
    applicationId: '123456789012345678',
    logger,
    intervalMs: 50,
    gatewayGraceMs: 400,
    leadRetryMs: { first: 300, max: 1_000 },
    lead: async (): Promise<GatewaySession> => {
      leads += 1;
      if (gateway.fails) throw new Error('Used disallowed intents');
      timeline.push(`${name} up`);
      return { ready: () => gateway.ready, stop: async () => void timeline.push(`${name} down`) };
    },
  });
  return { leader, gateway, leads: () => leads };
}

describe('GatewayLeader (real PostgreSQL advisory lock)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('given two candidates, then exactly one leads at a time; when it stops, the other takes over', async () => {
    const timeline: string[] = [];
    const a = candidate(db.url, 'a', timeline, { ready: true });
    const b = candidate(db.url, 'b', timeline, { ready: true });
    a.leader.start();
    await expect.poll(() => a.leader.leading).toBe(true);
    b.leader.start();
    await sleep(500);
    expect(b.leader.leading).toBe(false);
    await a.leader.stop();
    await expect.poll(() => b.leader.leading).toBe(true);
    await b.leader.stop();
    expect(timeline).toEqual(['a up', 'a down', 'b up', 'b down']);
  });

  it('given a leader whose gateway stays down, then it gives the lead up after the grace and another takes it', async () => {
    const timeline: string[] = [];
    const broken = candidate(db.url, 'broken', timeline, { ready: false });
    broken.leader.start();
    await expect.poll(() => broken.leader.leading).toBe(true);
    const healthy = candidate(db.url, 'healthy', timeline, { ready: true });
    healthy.leader.start();
    await expect.poll(() => healthy.leader.leading, { timeout: 5_000 }).toBe(true);
    expect(broken.leader.leading).toBe(false);
    expect(timeline.slice(0, 3)).toEqual(['broken up', 'broken down', 'healthy up']);
    await Promise.all([broken.leader.stop(), healthy.leader.stop()]);
  });

  it('given a gateway that cannot connect at all, then the candidate waits longer after each failure instead of spending a session start every 2 s', async () => {
    const failing = candidate(db.url, 'failing', [], { ready: false, fails: true });
    failing.leader.start();
    await sleep(2_000);
    await failing.leader.stop();
    // Waits of 0.3, 0.6 and 1 s between tries: 3 or 4 tries in 2 s (every 50 ms without the backoff: about 40).
    expect(failing.leads()).toBeGreaterThanOrEqual(2);
    expect(failing.leads()).toBeLessThanOrEqual(4);
  });

  /** A candidate whose gateway connect never finishes unless aborted (Discord never answers IDENTIFY). */
  function hanging(name: string, waits: { graceMs: number; retryMs: number } = { graceMs: 400, retryMs: 300 }) {
    const signals: AbortSignal[] = [];
    const leader = new GatewayLeader({
      databaseUrl: db.url,
      applicationId: '123456789012345678',
      logger,
      intervalMs: 50,
      gatewayGraceMs: waits.graceMs,
      leadRetryMs: { first: waits.retryMs, max: waits.retryMs },
      lead: (signal) => {
        signals.push(signal);
        return new Promise<GatewaySession>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
      },
    });
    return { leader, signals, name };
  }

  it('given a gateway connect that never finishes, then it is aborted when the grace is over (nothing left connecting beside the next leader), and tried again later', async () => {
    const stuck = hanging('stuck');
    stuck.leader.start();
    await expect.poll(() => stuck.signals.length).toBe(1);
    await expect.poll(() => stuck.signals[0]!.aborted, { timeout: 2_000 }).toBe(true);
    expect(String(stuck.signals[0]!.reason)).toMatch(/the gateway was not ready within 0 s/);
    expect(stuck.leader.leading).toBe(false);
    // The lock went with the aborted try: another candidate can lead meanwhile.
    const healthy = candidate(db.url, 'healthy', [], { ready: true });
    healthy.leader.start();
    await expect.poll(() => healthy.leader.leading, { timeout: 5_000 }).toBe(true);
    await Promise.all([stuck.leader.stop(), healthy.leader.stop()]);
  });

  it('given the process stops while its gateway connect is under way, then the connect is aborted at once', async () => {
    // A grace and a retry wait of a minute: a stop that waited for either would not end within the test's 30 s.
    const stuck = hanging('stopping', { graceMs: 60_000, retryMs: 60_000 });
    stuck.leader.start();
    await expect.poll(() => stuck.signals.length).toBe(1);
    await stuck.leader.stop();
    expect(stuck.signals[0]!.aborted).toBe(true);
    expect(String(stuck.signals[0]!.reason)).toMatch(/the bot is stopping/);
  });
});
