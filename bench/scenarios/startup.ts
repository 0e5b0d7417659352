import { readFileSync } from 'node:fs';
import { BotProcess } from '../../test/support/botProcess.ts';
import { benchBed, CORPORATION, sleep, type ScenarioResult } from '../support/context.ts';
import { seedLinkedUsers } from '../support/seed.ts';
import { percentile, round } from '../support/stats.ts';

const RUNS = 3;

export function residentMemoryMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

/** 7. Process start to "bot ready", with an empty database and with 10,000 characters; 6a. memory after start. */
export async function startup(): Promise<ScenarioResult[]> {
  const rows: ScenarioResult['rows'] = [];
  // Each start's RSS 2 s after ready; their median (glibc's heap varies by ±10 MB from one start to the next, see BENCHMARKS.md).
  const memories: number[] = [];
  for (const size of [0, 10_000]) {
    const { bed, box } = await benchBed({ startBot: false });
    try {
      if (size) {
        await seedLinkedUsers(bed.db, box, bed.eve, {
          users: size / 2, charactersPerUser: 2, firstUserId: 350000000000000000n, firstCharacterId: 99000000,
          corporationId: CORPORATION.id, accessTtlSeconds: 1_000, realTokens: false,
        });
      }
      const times: number[] = [];
      for (let run = 0; run < RUNS; run += 1) {
        const started = performance.now();
        const bot = new BotProcess(bed.env);
        await bot.waitForReady();
        times.push(performance.now() - started);
        if (size === 0) {
          await sleep(2_000);
          memories.push(residentMemoryMb(bot.pid!));
        }
        await bot.stop();
      }
      const median = percentile(times, 50);
      rows.push({ metric: `${size ? '10,000 characters' : 'empty database'}: start → ready (median of ${RUNS})`, value: `${round(median, 0)} ms`, target: '< 1,500 ms', ok: median < 1_500 });
    } finally {
      await bed.stop();
    }
  }
  const memoryAfterStart = percentile(memories, 50);
  return [
    { name: '7. Start-up (process start to ready, fakes on loopback, migrations already applied)', rows },
    { name: '6a. Memory after start', rows: [{ metric: `resident memory (RSS) 2 s after ready, median of ${RUNS} starts (each)`, value: `${round(memoryAfterStart, 0)} MB (${memories.map((m) => round(m, 0)).join(', ')})`, target: '≤ 120 MB', ok: memoryAfterStart <= 120 }] },
  ];
}
