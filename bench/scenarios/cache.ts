import { arrangeDatabase, benchBed, CORPORATION, sleep, type ScenarioResult } from '../support/context.ts';
import { seedLinkedUsers } from '../support/seed.ts';

/** 4. The same /wallet repeated inside ESI's cache time, then after it. */
export async function cache(): Promise<ScenarioResult[]> {
  const { bed, box } = await benchBed({ startBot: false });
  try {
    const [user] = await arrangeDatabase(bed, (db) =>
      seedLinkedUsers(db, box, bed.eve, {
        users: 1, charactersPerUser: 1, firstUserId: 340000000000000000n, firstCharacterId: 98200000,
        corporationId: CORPORATION.id, accessTtlSeconds: 1_000, realTokens: true, wallet: 5,
      }),
    );
    await bed.startBot();
    bed.eve.esi.cacheSeconds.wallet = 3;
    const path = `/characters/${user!.characterIds[0]}/wallet`;
    const walletRequests = () => bed.eve.esiRequests.filter((r) => r.path === path);
    const ask = async () => (await bed.discord.sendCommand({ name: 'wallet', userId: String(user!.userId) })).waitForReply((r) => !r.loading);
    await ask();
    const afterFirst = walletRequests().length;
    for (let i = 0; i < 10; i += 1) await ask();
    const inside = walletRequests().length - afterFirst;
    await sleep(3_200);
    await ask();
    const after = walletRequests().slice(afterFirst + inside);
    const conditional = after.length === 1 && after[0]!.status === 304 && Boolean(after[0]!.headers['if-none-match']);
    return [
      {
        name: '4. Cache: /wallet repeated (ESI cache time set to 3 s)',
        rows: [
          { metric: 'ESI requests for 10 repeats inside the cache time', value: String(inside), target: '0', ok: inside === 0 },
          { metric: 'ESI requests after expiry', value: after.map((r) => `${r.status}${r.headers['if-none-match'] ? ' (If-None-Match)' : ''}`).join(', ') || 'none', target: 'one conditional, 304', ok: conditional },
        ],
      },
    ];
  } finally {
    await bed.stop();
  }
}
