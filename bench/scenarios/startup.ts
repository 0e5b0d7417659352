import { BotProcess, type LogLine } from '../../test/support/botProcess.ts';
import { arrangeDatabase, benchBed, benchMode, CORPORATION, sleep, type ScenarioResult } from '../support/context.ts';
import { residentMemoryMb } from '../support/memory.ts';
import { seedLinkedUsers } from '../support/seed.ts';
import { percentile, round } from '../support/stats.ts';

export { residentMemoryMb } from '../support/memory.ts';

const RUNS = 3;

/** Issue 14's targets on a real PostgreSQL; issue 15's for the embedded database (the whole bot, on a warm data directory). */
const TARGETS = {
  postgres: { readyMs: 1_500, memoryMb: 120 },
  embedded: { readyMs: 3_000, memoryMb: 200 },
};

/** "rss 490, heapUsed 30, external 204 …" from the `memoryMb` of the 'bot ready' line. */
function memoryAtReady(line: LogLine): string {
  const memory = (line.memoryMb ?? {}) as Record<string, number>;
  return Object.entries(memory).map(([k, v]) => `${k} ${v}`).join(', ');
}

/** 7. Process start to "bot ready", with an empty database and with 10,000 characters; 6a. memory after start. */
export async function startup(): Promise<ScenarioResult[]> {
  const targets = benchMode.embedded ? TARGETS.embedded : TARGETS.postgres;
  const rows: ScenarioResult['rows'] = [];
  // Each start's RSS 2 s after ready; their median (glibc's heap varies by ±10 MB from one start to the next, see BENCHMARKS.md).
  const memories: number[] = [];
  const atReady: string[] = [];
  for (const size of [0, 10_000]) {
    const { bed, box } = await benchBed({ startBot: false });
    try {
      if (size) {
        await arrangeDatabase(bed, (db) =>
          seedLinkedUsers(db, box, bed.eve, {
            users: size / 2, charactersPerUser: 2, firstUserId: 350000000000000000n, firstCharacterId: 99000000,
            corporationId: CORPORATION.id, accessTtlSeconds: 1_000, realTokens: false,
          }),
        );
      }
      // Embedded: the first start creates the data directory (initdb, migrations); the timed ones find it warm.
      if (benchMode.embedded && !size) {
        const started = performance.now();
        const first = new BotProcess(bed.env);
        try {
          await first.waitForReady();
          rows.push({ metric: 'first start on a new data directory (creates the database, applies the migrations)', value: `${round(performance.now() - started, 0)} ms` });
        } finally {
          await first.stop();
        }
      }
      const times: number[] = [];
      for (let run = 0; run < RUNS; run += 1) {
        const started = performance.now();
        const bot = new BotProcess(bed.env);
        const ready = await bot.waitForReady();
        times.push(performance.now() - started);
        if (size === 0) {
          await sleep(2_000);
          memories.push(residentMemoryMb(bot.pid!));
          atReady.push(memoryAtReady(ready));
        }
        await bot.stop();
      }
      const median = percentile(times, 50);
      const warm = benchMode.embedded ? ', warm data directory' : '';
      rows.push({ metric: `${size ? '10,000 characters' : 'empty database'}: start → ready (median of ${RUNS}${warm})`, value: `${round(median, 0)} ms`, target: `< ${targets.readyMs.toLocaleString('en-US')} ms`, ok: median < targets.readyMs });
    } finally {
      await bed.stop();
    }
  }
  const memoryAfterStart = percentile(memories, 50);
  return [
    { name: '7. Start-up (process start to ready, fakes on loopback, migrations already applied)', rows },
    {
      name: '6a. Memory after start',
      rows: [
        { metric: `resident memory of the bot (all its processes) 2 s after ready, median of ${RUNS} starts (each)`, value: `${round(memoryAfterStart, 0)} MB (${memories.map((m) => round(m, 0)).join(', ')})`, target: `≤ ${targets.memoryMb} MB`, ok: memoryAfterStart <= targets.memoryMb },
        { metric: "process.memoryUsage() in the 'bot ready' line, MB (first start)", value: atReady[0] ?? '' },
      ],
    },
  ];
}
