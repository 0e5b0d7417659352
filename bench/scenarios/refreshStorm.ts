import { BotProcess, freePort } from '../../test/support/botProcess.ts';
import type { InteractionHandle } from '../../test/fakes/discord/index.ts';
import { arrangeDatabase, benchBed, benchMode, CORPORATION, memoryAfterScenarioRow, type ScenarioResult } from '../support/context.ts';
import { seedLinkedUsers } from '../support/seed.ts';

const CHARACTERS = 50;
const COMMANDS = 500;

/**
 * 3. 500 commands over 50 characters whose access tokens have all expired; once with one bot process, once with two
 * on one database (not in embedded mode: its DATA_DIR lock lets one process at a time use the database).
 */
export async function refreshStorm(): Promise<ScenarioResult[]> {
  const rows: ScenarioResult['rows'] = [];
  for (const processes of benchMode.embedded ? [1] : [1, 2]) {
    const { bed, box } = await benchBed({ startBot: false });
    const extra: BotProcess[] = [];
    try {
      const users = await arrangeDatabase(bed, (db) =>
        seedLinkedUsers(db, box, bed.eve, {
          users: CHARACTERS, charactersPerUser: 1, firstUserId: 330000000000000000n, firstCharacterId: 98100000,
          corporationId: CORPORATION.id, accessTtlSeconds: -60, realTokens: true, wallet: 77,
        }),
      );
      await bed.startBot();
      for (let p = 1; p < processes; p += 1) {
        const bot = new BotProcess({ ...bed.env, HTTP_PORT: String(await freePort()) });
        extra.push(bot);
        await bot.waitForReady();
      }
      await bed.discord.waitForReady(15_000, processes);
      bed.eve.resetCounters();
      bed.eve.sso.latencyMs = 100; // a realistic SSO: refreshes overlap
      const handles: InteractionHandle[] = [];
      for (let i = 0; i < COMMANDS; i += 1) {
        const user = users[i % CHARACTERS]!;
        handles.push(await bed.discord.sendCommand({ name: 'wallet', userId: String(user.userId), connection: i % processes }));
      }
      await Promise.all(handles.map((h) => h.waitForReply((r) => !r.loading, 60_000)));
      const refreshes = bed.eve.tokenRequests.filter((r) => r.grantType === 'refresh_token');
      const failedRefreshes = refreshes.filter((r) => r.status !== 200).length;
      const withoutBalance = handles.filter((h) => !JSON.stringify(h.currentReply()?.embeds ?? []).includes('· 77 ISK')).length;
      rows.push(
        { metric: `${processes} process${processes > 1 ? 'es' : ''}: token requests`, value: String(refreshes.length), target: String(CHARACTERS), ok: refreshes.length === CHARACTERS },
        { metric: `${processes} process${processes > 1 ? 'es' : ''}: failed token requests`, value: String(failedRefreshes), target: '0', ok: failedRefreshes === 0 },
        { metric: `${processes} process${processes > 1 ? 'es' : ''}: commands without their balance`, value: String(withoutBalance), target: '0', ok: withoutBalance === 0 },
      );
      if (processes === 1) rows.push(await memoryAfterScenarioRow(bed));
    } finally {
      await Promise.all(extra.map((b) => b.stop()));
      await bed.stop();
    }
  }
  return [
    {
      name: `3. Refresh storm: ${COMMANDS} /wallet over ${CHARACTERS} characters with expired access tokens`,
      ...(benchMode.embedded ? { skipped: 'the run with two bot processes on one database: the embedded database allows one process (the DATA_DIR lock).' } : {}),
      rows,
    },
  ];
}
