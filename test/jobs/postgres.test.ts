// The job queue on a real PostgreSQL (graphile-worker).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queueBehaviour } from './behaviour.ts';
import { postgresBed, sleep, until, type QueueBed } from './harness.ts';

queueBehaviour('job queue on PostgreSQL', postgresBed);

describe('job queue with two processes on one PostgreSQL', () => {
  let bed: QueueBed;
  beforeEach(async () => {
    bed = await postgresBed();
  });
  afterEach(async () => {
    await bed.close();
  });

  it('runs each job once and each period of a recurring task once', async () => {
    const runs: { process: number; id: number }[] = [];
    const ticks: { process: number; period: number }[] = [];
    const queues = await Promise.all([bed.queue(), bed.queue()]);
    queues.forEach((q, index) => {
      q.define<{ id: number }>('job', async ({ id }) => {
        await sleep(20);
        runs.push({ process: index, id });
      });
      q.define('tick', async (_payload, { runAt }) => {
        ticks.push({ process: index, period: runAt.getTime() });
      });
    });
    await Promise.all(queues.map((q) => q.every('tick', 1_000)));
    await Promise.all(queues.map((q) => q.start()));
    for (let id = 0; id < 40; id += 1) await queues[id % 2]!.add('job', { id });
    await until(() => runs.length >= 40, 5_000, 'the jobs');
    await sleep(3_500);
    expect(runs.map((r) => r.id).sort((a, b) => a - b)).toEqual([...Array(40).keys()]);
    expect(new Set(runs.map((r) => r.process)).size).toBe(2); // both took part
    // The period each run was booked for (a run that starts late can share a wall-clock second with the next).
    const periods = ticks.map((t) => t.period);
    for (const period of periods) expect(period % 1_000).toBe(0);
    expect(new Set(periods).size).toBe(periods.length);
    expect(ticks.length).toBeGreaterThanOrEqual(3);
  });

  it('same key across processes: never two runs at once', async () => {
    const queues = await Promise.all([bed.queue(), bed.queue()]);
    let running = 0;
    let most = 0;
    let count = 0;
    for (const q of queues) {
      q.define('member-sync', async () => {
        running += 1;
        most = Math.max(most, running);
        await sleep(150);
        running -= 1;
        count += 1;
      });
    }
    await Promise.all(queues.map((q) => q.start()));
    for (let i = 0; i < 10; i += 1) {
      await queues[i % 2]!.add('member-sync', { i }, { key: 'member-sync:1:2' });
      await sleep(60);
    }
    await until(() => running === 0 && count > 0, 5_000);
    await sleep(500);
    expect(most).toBe(1);
    expect(count).toBeGreaterThanOrEqual(2);
    expect(count).toBeLessThanOrEqual(10);
  });
});
