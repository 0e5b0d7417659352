import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sleep, until, type QueueBed } from './harness.ts';

/** What the queue guarantees, the same on PostgreSQL (graphile-worker) and on the embedded database. */
export function queueBehaviour(name: string, makeBed: () => Promise<QueueBed>): void {
  describe(name, () => {
    let bed: QueueBed;
    beforeEach(async () => {
      bed = await makeBed();
    });
    afterEach(async () => {
      await bed.close();
    });

    it('runs a job within a second of add, with its payload', async () => {
      const q = await bed.queue();
      const seen: { payload: unknown; at: number; attempt: number }[] = [];
      q.define<{ n: number }>('ping', async (payload, { attempt }) => {
        seen.push({ payload, at: Date.now(), attempt });
      });
      await q.start();
      await sleep(300); // idle first: the job must be picked up because it was added, not by a start-up scan
      const added = Date.now();
      await q.add('ping', { n: 1 });
      await until(() => seen.length === 1, 2_000, 'the job');
      expect(seen[0]!.payload).toEqual({ n: 1 });
      expect(seen[0]!.attempt).toBe(1);
      expect(seen[0]!.at - added).toBeLessThan(1_000);
      expect(await q.depth()).toBe(0);
    });

    it('same key: never two runs at once, one waiting job (latest payload), a run again when added during a run', async () => {
      const q = await bed.queue({ concurrency: 4 });
      let running = 0;
      let most = 0;
      const runs: number[] = [];
      q.define<{ v: number }>('member-sync', async ({ v }) => {
        running += 1;
        most = Math.max(most, running);
        runs.push(v);
        await sleep(400);
        running -= 1;
      });
      // added while nothing runs: deduplicated into one waiting job
      await q.add('member-sync', { v: 1 }, { key: 'member-sync:g:u' });
      await q.add('member-sync', { v: 2 }, { key: 'member-sync:g:u' });
      await q.add('member-sync', { v: 3 }, { key: 'member-sync:g:u' });
      expect(await q.depth()).toBe(1);
      await q.start();
      await until(() => runs.length === 1, 2_000, 'the first run');
      expect(runs).toEqual([3]);
      // added while it runs: one more run after it, deduplicated too
      await q.add('member-sync', { v: 4 }, { key: 'member-sync:g:u' });
      await q.add('member-sync', { v: 5 }, { key: 'member-sync:g:u' });
      await Promise.all([4, 5, 6].map((v) => q.add('member-sync', { v: 100 + v }, { key: `member-sync:g:other${v}` })));
      await until(() => runs.length === 5, 5_000, 'all runs');
      await sleep(600);
      expect(runs.filter((v) => v < 100)).toEqual([3, 5]);
      expect(runs.filter((v) => v >= 100).sort()).toEqual([104, 105, 106]);
      // different keys ran side by side, the same key never did
      expect(most).toBeGreaterThan(1);
      expect(runs).toHaveLength(5);
    });

    it('a job added before stop() runs after a restart; stop lets the running job finish', async () => {
      const first = await bed.queue({ concurrency: 1 });
      const done: string[] = [];
      let started = false;
      first.define<{ id: string }>('work', async ({ id }) => {
        started = true;
        await sleep(500);
        done.push(id);
      });
      await first.start();
      await first.add('work', { id: 'a' });
      await until(() => started, 2_000, 'job a');
      await first.add('work', { id: 'b' });
      await first.stop();
      expect(done).toEqual(['a']);
      await bed.restart();
      const second = await bed.queue();
      const later: string[] = [];
      second.define<{ id: string }>('work', async ({ id }) => {
        later.push(id);
      });
      await second.start();
      await until(() => later.length === 1, 3_000, 'job b after the restart');
      expect(later).toEqual(['b']);
    });

    it('a failing job is retried with backoff, then given up and logged; other jobs are unaffected', async () => {
      const q = await bed.queue({ concurrency: 2 });
      const attempts: { attempt: number; at: number }[] = [];
      const pings: number[] = [];
      q.define('flaky', async (_payload, { attempt }) => {
        attempts.push({ attempt, at: Date.now() });
        throw new Error(`ESI said no (attempt ${attempt})`);
      });
      q.define<{ n: number }>('ping', async ({ n }) => {
        pings.push(n);
      });
      await q.start();
      await q.add('flaky', { secretish: 'not logged' }, { maxAttempts: 2 });
      for (let n = 0; n < 5; n += 1) await q.add('ping', { n });
      await until(() => pings.length === 5, 2_000, 'the other jobs');
      await until(() => attempts.length === 2, 8_000, 'the retry');
      const gap = attempts[1]!.at - attempts[0]!.at;
      expect(gap).toBeGreaterThan(2_000); // e^1 s backoff
      await sleep(1_500);
      expect(attempts.map((a) => a.attempt)).toEqual([1, 2]);
      const retried = bed.log.messages('job failed, will retry');
      const gaveUp = bed.log.messages('job failed, giving up');
      expect(retried).toHaveLength(1);
      expect(gaveUp).toHaveLength(1);
      expect(gaveUp[0]).toMatchObject({ task: 'flaky', attempt: 2, maxAttempts: 2 });
      expect(JSON.stringify(bed.log.lines)).not.toContain('not logged');
      expect(await q.depth()).toBe(0);
      // the queue still works
      await q.add('ping', { n: 99 });
      await until(() => pings.includes(99), 2_000, 'a job after the failures');
    });

    it('recurring work runs once per period (1.5 s), even when every() is called again', async () => {
      const q = await bed.queue();
      const ticks: { period: number; payload: unknown }[] = [];
      q.define('sweep', async (payload, { runAt }) => {
        ticks.push({ period: runAt.getTime(), payload });
      });
      await q.every('sweep', 1_500, { scope: 'all' });
      await q.start();
      await q.every('sweep', 1_500, { scope: 'all' });
      await sleep(5_000);
      // Each run is for a period boundary (a run may start late, so its wall-clock time says less).
      const periods = ticks.map((t) => t.period);
      for (const period of periods) expect(period % 1_500).toBe(0);
      expect(new Set(periods).size).toBe(periods.length);
      expect(ticks.length).toBeGreaterThanOrEqual(2);
      expect(ticks.length).toBeLessThanOrEqual(4);
      expect(ticks[0]!.payload).toEqual({ scope: 'all' });
    });

    it('a failing recurring run is logged and the next period still runs', async () => {
      const q = await bed.queue();
      let calls = 0;
      q.define('expire', async () => {
        calls += 1;
        if (calls === 1) throw new Error('boom');
      });
      await q.every('expire', 1_000);
      await q.start();
      await until(() => calls >= 2, 4_000, 'the next period');
      expect(bed.log.messages('job failed, giving up').length).toBe(1);
    });
  });
}
