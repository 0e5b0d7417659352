import type { InteractionHandle } from '../../test/fakes/discord/index.ts';
import { BotProcess, freePort } from '../../test/support/botProcess.ts';
import { RoundRobinProxy } from '../../test/support/roundRobinProxy.ts';
import type { TestBed } from '../../test/support/testBed.ts';
import { arrangeDatabase, benchBed, benchMode, CORPORATION, ESI_LATENCY_MS, sleep, type ScenarioResult } from '../support/context.ts';
import { seedLinkedUsers } from '../support/seed.ts';
import { percentile, round } from '../support/stats.ts';

const COMMANDS = 1_000;
const STEADY_COMMANDS = 500;
const STEADY_RATE = 100;

/**
 * 9. HTTP interactions with one, two and three bot processes behind a
 * round-robin balancer on one PostgreSQL: 500 /wallet at 100 a second, then
 * 1,000 from 1,000 users within one second. The acknowledgement times of
 * each, and the burst's commands per second (from the first post to the
 * last final answer). The fakes, the balancer and PostgreSQL share this
 * machine's cores with the bots.
 */
export async function httpProcesses(): Promise<ScenarioResult[]> {
  if (benchMode.embedded) {
    return [{ name: '9. HTTP interactions over several processes', skipped: 'the embedded database allows one process (the DATA_DIR lock).', rows: [] }];
  }
  const rows: ScenarioResult['rows'] = [];
  for (const processes of (process.env.BENCH_PROCESSES ?? '1,2,3').split(',').map(Number)) {
    const { bed, box } = await benchBed({ startBot: false, interactions: 'http' });
    const bots: BotProcess[] = [];
    let proxy: RoundRobinProxy | undefined;
    try {
      const users = await arrangeDatabase(bed, (db) =>
        seedLinkedUsers(db, box, bed.eve, {
          users: COMMANDS, charactersPerUser: 1, firstUserId: 390000000000000000n, firstCharacterId: 97500000,
          corporationId: CORPORATION.id, accessTtlSeconds: 1_000, realTokens: true, wallet: 10,
        }),
      );
      const ports = await Promise.all(Array.from({ length: processes }, () => freePort()));
      proxy = await RoundRobinProxy.start(ports.map((port) => `http://127.0.0.1:${port}`), Number(new URL(bed.httpUrl).port));
      for (const port of ports) bots.push(new BotProcess({ ...bed.env, HTTP_PORT: String(port) }));
      await Promise.all(bots.map((bot) => bot.waitForReady()));
      await bed.discord.setInteractionsEndpoint(process.env.BENCH_NO_PROXY ? `http://127.0.0.1:${ports[0]}/interactions` : `${bed.httpUrl}/interactions`);
      bed.eve.esi.latencyMs = ESI_LATENCY_MS;
      const label = `${processes} process${processes > 1 ? 'es' : ''}`;
      // A steady load first (what a busy evening looks like), then a burst no 2-core machine keeps up with.
      const steady = await paced(bed, users.slice(0, STEADY_COMMANDS), STEADY_COMMANDS / STEADY_RATE);
      const burst = await paced(bed, users, 1);
      rows.push(
        { metric: `${label}: steady ${STEADY_RATE}/s, first response p50 / p99`, value: `${round(percentile(steady.firsts, 50), 0)} / ${round(percentile(steady.firsts, 99), 0)} ms`, target: 'p99 < 3,000 ms', ok: percentile(steady.firsts, 99) < 3_000 },
        { metric: `${label}: burst of ${COMMANDS} in 1 s, commands per second`, value: String(round(COMMANDS / burst.seconds, 0)) },
        { metric: `${label}: burst, first response p50 / p99`, value: `${round(percentile(burst.firsts, 50), 0)} / ${round(percentile(burst.firsts, 99), 0)} ms` },
        { metric: `${label}: answers without the balance`, value: String(steady.failed + burst.failed), target: '0', ok: steady.failed + burst.failed === 0 },
      );
    } finally {
      await Promise.all(bots.map((bot) => bot.stop()));
      await proxy?.close();
      await bed.stop();
    }
  }
  return [{ name: `9. HTTP interactions over 1, 2 and 3 processes: ${STEADY_COMMANDS} /wallet at ${STEADY_RATE}/s, then ${COMMANDS} within 1 s`, rows }];
}

/** Sends one /wallet per user spread evenly over `seconds`; waits for every answer. */
async function paced(bed: TestBed, users: readonly { userId: bigint }[], seconds: number): Promise<{ firsts: number[]; seconds: number; failed: number }> {
  const started = performance.now();
  const handles: InteractionHandle[] = [];
  for (const [i, user] of users.entries()) {
    const wait = started + (i * seconds * 1000) / users.length - performance.now();
    if (wait > 1) await sleep(wait);
    handles.push(await bed.discord.sendCommand({ name: 'wallet', userId: String(user.userId) }));
  }
  await Promise.all(handles.map((h) => h.waitForReply((r) => !r.loading, 60_000)));
  return {
    firsts: handles.map((h) => (h.firstResponseAt ?? Number.POSITIVE_INFINITY) - h.dispatchedAt),
    seconds: (Math.max(...handles.map((h) => h.responses.at(-1)!.at)) - started) / 1000,
    failed: handles.filter((h) => !JSON.stringify(h.currentReply()?.embeds ?? []).includes('· 10 ISK')).length,
  };
}
