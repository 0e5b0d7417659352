import type { InteractionHandle } from '../../test/fakes/discord/index.ts';
import { BotProcess, freePort } from '../../test/support/botProcess.ts';
import { RoundRobinProxy } from '../../test/support/roundRobinProxy.ts';
import { arrangeDatabase, benchBed, benchMode, CORPORATION, ESI_LATENCY_MS, sleep, type ScenarioResult } from '../support/context.ts';
import { seedLinkedUsers } from '../support/seed.ts';
import { percentile, round } from '../support/stats.ts';

const COMMANDS = 1_000;
const WINDOW_MS = 1_000;

/**
 * 9. HTTP interactions with one, two and three bot processes behind a
 * round-robin balancer on one PostgreSQL: 1,000 /wallet from 1,000 users
 * sent as fast as the fake Discord posts them. Commands per second (from the
 * first post to the last final answer) and the acknowledgement times. The
 * fakes, the balancer and PostgreSQL share this machine's cores with the bots.
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
      const started = performance.now();
      const handles: InteractionHandle[] = [];
      for (const [i, user] of users.entries()) {
        // Spread evenly over one second, as in scenario 2.
        const wait = started + (i * WINDOW_MS) / COMMANDS - performance.now();
        if (wait > 1) await sleep(wait);
        handles.push(await bed.discord.sendCommand({ name: 'wallet', userId: String(user.userId) }));
      }
      await Promise.all(handles.map((h) => h.waitForReply((r) => !r.loading, 60_000)));
      const seconds = (Math.max(...handles.map((h) => h.responses.at(-1)!.at)) - started) / 1000;
      const firsts = handles.map((h) => (h.firstResponseAt ?? Number.POSITIVE_INFINITY) - h.dispatchedAt);
      const failed = handles.filter((h) => !JSON.stringify(h.currentReply()?.embeds ?? []).includes('· 10 ISK')).length;
      const label = `${processes} process${processes > 1 ? 'es' : ''}`;
      rows.push(
        { metric: `${label}: commands per second`, value: String(round(COMMANDS / seconds, 0)) },
        { metric: `${label}: first response p50 / p99`, value: `${round(percentile(firsts, 50), 0)} / ${round(percentile(firsts, 99), 0)} ms`, target: 'p99 < 3,000 ms', ok: percentile(firsts, 99) < 3_000 },
        { metric: `${label}: answers without the balance`, value: String(failed), target: '0', ok: failed === 0 },
      );
    } finally {
      await Promise.all(bots.map((bot) => bot.stop()));
      await proxy?.close();
      await bed.stop();
    }
  }
  return [{ name: `9. HTTP interactions: ${COMMANDS} /wallet from ${COMMANDS} users, sent at once, over 1, 2 and 3 processes`, rows }];
}
