import type { InteractionHandle } from '../../test/fakes/discord/index.ts';
import { arrangeDatabase, benchBed, benchMode, CORPORATION, ESI_LATENCY_MS, memoryAfterScenarioRow, sleep, type ScenarioResult } from '../support/context.ts';
import { seedLinkedUsers } from '../support/seed.ts';
import { percentile, round } from '../support/stats.ts';

const COMMANDS = 1_000;
const WINDOW_MS = 1_000;

/** 2. 1,000 /wallet commands from 1,000 users arriving within one second: time to the first response of each. */
export async function acknowledgement(): Promise<ScenarioResult[]> {
  const { bed, box } = await benchBed({ startBot: false });
  try {
    const users = await arrangeDatabase(bed, (db) =>
      seedLinkedUsers(db, box, bed.eve, {
        users: COMMANDS, charactersPerUser: 1, firstUserId: 320000000000000000n, firstCharacterId: 97000000,
        corporationId: CORPORATION.id, accessTtlSeconds: 1_000, realTokens: true, wallet: 10,
      }),
    );
    await bed.startBot();
    bed.eve.esi.latencyMs = ESI_LATENCY_MS;
    const started = performance.now();
    const handles: InteractionHandle[] = [];
    for (const [i, user] of users.entries()) {
      // Spread evenly over the window.
      const due = started + (i * WINDOW_MS) / COMMANDS;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      handles.push(await bed.discord.sendCommand({ name: 'wallet', userId: String(user.userId) }));
    }
    const sentWithin = performance.now() - started;
    if (process.env.BENCH_DEBUG && !benchMode.embedded) {
      const pgmod = (await import('pg')).default;
      const probe = new pgmod.Client({ connectionString: bed.database.url });
      await probe.connect();
      for (let i = 0; i < 10; i += 1) {
        const { rows } = await probe.query(`SELECT state, wait_event_type, wait_event, left(query, 60) AS q, count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() GROUP BY 1,2,3,4 ORDER BY n DESC LIMIT 6`);
        console.error(Math.round(performance.now() - started), JSON.stringify(rows));
        await sleep(500);
      }
      await probe.end();
    }
    await Promise.all(handles.map((h) => h.waitForReply((r) => !r.loading, 60_000)));
    const firsts = handles.map((h) => (h.firstResponseAt ?? Number.POSITIVE_INFINITY) - h.dispatchedAt);
    const finals = handles.map((h) => h.responses.at(-1)!.at - h.dispatchedAt);
    const late = firsts.filter((ms) => ms > 3_000).length;
    const failures = handles.filter((h) => !JSON.stringify(h.currentReply()?.embeds ?? []).includes('· 10 ISK'));
    const failed = failures.length;
    if (process.env.BENCH_DEBUG) {
      const reasons = new Map<string, number>();
      for (const h of failures) {
        const text = `${h.currentReply()?.content ?? ''} ${JSON.stringify(h.currentReply()?.embeds ?? [])}`.slice(0, 160);
        reasons.set(text, (reasons.get(text) ?? 0) + 1);
      }
      console.error(reasons);
      (await import('node:fs')).writeFileSync('/tmp/ack-bot.log', bed.bot!.stdout);
    }
    return [
      {
        name: `2. Acknowledgement: ${COMMANDS} /wallet from ${COMMANDS} users within ${round(sentWithin / 1000, 2)} s`,
        rows: [
          { metric: 'first response later than 3 s', value: String(late), target: '0', ok: late === 0 },
          { metric: 'first response p50', value: `${round(percentile(firsts, 50), 1)} ms` },
          { metric: 'first response p99', value: `${round(percentile(firsts, 99), 1)} ms`, target: '< 500 ms', ok: percentile(firsts, 99) < 500 },
          { metric: 'first response max', value: `${round(Math.max(...firsts), 1)} ms` },
          { metric: 'final answer p50 / p99', value: `${round(percentile(finals, 50), 0)} / ${round(percentile(finals, 99), 0)} ms` },
          { metric: 'answers without the balance', value: String(failed), target: '0', ok: failed === 0 },
          await memoryAfterScenarioRow(bed),
        ],
      },
    ];
  } finally {
    await bed.stop();
  }
}
