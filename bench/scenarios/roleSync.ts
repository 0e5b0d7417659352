import { performance } from 'node:perf_hooks';
import { addRule } from '../../src/roles/ruleStore.ts';
import type { CommandOptionInput, InteractionHandle } from '../../test/fakes/discord/index.ts';
import { arrangeDatabase, benchBed, CORPORATION, sleep, type ScenarioResult } from '../support/context.ts';
import { seedLinkedUsers, type SeededUser } from '../support/seed.ts';
import { round } from '../support/stats.ts';

const GUILD = '1190000000000000200';
const ROLE = '1190000000000000211'; // the managed role R, below the bot's role
const ADMIN = '200000000000000200';
const MANAGE_ROLES = String(1n << 28n);
const OTHER = { id: 98000002, name: 'Elsewhere Inc', ticker: 'ELSE' };

const IN_CORPORATION = 1_000;
const ELSEWHERE = 4_000;
/** Discord's member edits are limited per guild; the fake's default (10 per 10 s) would make 1,000 writes take 17 minutes. */
const EDITS_PER_SECOND = 50;
const AFFILIATION_INTERVAL_S = 5;
/** "within the interval and a few seconds" */
const AFFILIATION_SLACK_S = 3;

/** 8. /roles sync over 5,000 linked members (1,000 gain the role), a second sync, and one corporation change. */
export async function roleSync(): Promise<ScenarioResult[]> {
  const { bed, box } = await benchBed({
    startBot: false,
    env: {
      DISCORD_MEMBERS_INTENT: 'true',
      AFFILIATION_INTERVAL_S: String(AFFILIATION_INTERVAL_S),
      // The periodic full reconcile (hourly, aligned to the clock) must not start during the measured syncs.
      ROLE_SYNC_INTERVAL_S: String(10 ** 8),
    },
    discord: {
      guilds: [{ id: GUILD, name: 'Bench Roles', roles: [{ id: ROLE, name: 'Bench Pilots', permissions: '0', position: 1 }] }],
      memberRateLimit: { limit: EDITS_PER_SECOND, windowMs: 1_000 },
    },
  });
  try {
    // ESI announces an hour for affiliations and the bot never asks again sooner; here it announces the
    // sweep's interval, so a move can be seen by the next sweep (what a long-running bot sees an hour on).
    bed.eve.esi.cacheSeconds.affiliation = AFFILIATION_INTERVAL_S - 1;
    bed.eve.addCorporation(OTHER);
    const { inCorporation, elsewhere } = await arrangeDatabase(bed, async (db) => {
      const seed = (users: number, firstUserId: bigint, firstCharacterId: number, corporationId: number): Promise<SeededUser[]> =>
        seedLinkedUsers(db, box, bed.eve, {
          users, charactersPerUser: 2, firstUserId, firstCharacterId, corporationId, accessTtlSeconds: 1_000, realTokens: false, knownToEsi: true,
        });
      const seeded = { inCorporation: await seed(IN_CORPORATION, 370000000000000000n, 97000000, CORPORATION.id), elsewhere: await seed(ELSEWHERE, 370000000000010000n, 97100000, OTHER.id) };
      // Seen in the guild (as the bot records it): an affiliation change re-syncs its owner in the guilds they are seen in.
      await db.guildMember.createMany({ data: [...seeded.inCorporation, ...seeded.elsewhere].map((m) => ({ guildId: BigInt(GUILD), discordUserId: m.userId, name: `member${m.userId}` })) });
      await addRule(db, BigInt(GUILD), { roleId: BigInt(ROLE), through: 'main', target: { kind: 'corporation', id: BigInt(CORPORATION.id) } }, BigInt(ADMIN));
      return seeded;
    });
    const members = [...inCorporation, ...elsewhere];
    for (const m of members) bed.discord.addMember(GUILD, { userId: String(m.userId), username: `member${m.userId}` });
    bed.discord.addMember(GUILD, { userId: ADMIN, username: 'admin' });

    await bed.startBot();
    await bed.discord.waitForReady(15_000);
    const gained = new Set(inCorporation.map((m) => String(m.userId)));
    const writes = () => bed.discord.memberWrites.filter((w) => w.guildId === GUILD);
    const ok = () => writes().filter((w) => w.status === 200);

    const sync = async (): Promise<{ ms: number; text: string }> => {
      const options: CommandOptionInput[] = [{ name: 'sync', type: 1 }];
      const handle: InteractionHandle = await bed.discord.sendCommand({ name: 'roles', userId: ADMIN, guildId: GUILD, permissions: MANAGE_ROLES, options });
      const reply = await handle.waitForReply((r) => !r.loading && r.content.startsWith('Sync done'), 170_000);
      return { ms: handle.responses.at(-1)!.at - handle.dispatchedAt, text: reply.content };
    };

    // 1. First sync: the 1,000 in the corporation gain R, nobody else is written.
    bed.discord.resetMemberWrites();
    const first = await sync();
    const firstWrites = ok();
    const firstRight = firstWrites.filter((w) => w.method === 'PATCH' && gained.has(w.userId) && (w.body?.roles ?? []).includes(ROLE));
    const firstDistinct = new Set(firstRight.map((w) => w.userId)).size;
    const firstOthers = firstWrites.filter((w) => !gained.has(w.userId)).length;
    const firstRefused = writes().filter((w) => w.status !== 200 && w.status !== 429).length;
    const first429 = bed.discord.memberRateLimitHits;
    const holders = members.filter((m) => (bed.discord.member(GUILD, String(m.userId))?.roles ?? []).includes(ROLE));
    const holdersRight = holders.length === IN_CORPORATION && holders.every((m) => gained.has(String(m.userId)));
    const rate = firstWrites.length > 1 ? (firstWrites.length - 1) / ((firstWrites.at(-1)!.at - firstWrites[0]!.at) / 1000) : Number.NaN;

    // 2. Nothing changed: a second sync writes nothing.
    bed.discord.resetMemberWrites();
    const second = await sync();
    const secondWrites = writes().length;

    // 3. One main leaves the corporation: its owner loses R after the next affiliation sweep, in one write.
    bed.discord.resetMemberWrites();
    const mover = inCorporation[0]!;
    const moverId = String(mover.userId);
    bed.eve.addCharacter({ id: mover.characterIds[0]!, name: `Pilot ${mover.characterIds[0]}`, corporationId: OTHER.id });
    bed.eve.clearEsiCache();
    const affiliationPosts = () => bed.eve.esiRequests.filter((r) => r.method === 'POST' && r.path.endsWith('/characters/affiliation'));
    const postsBefore = affiliationPosts().length;
    const movedAt = performance.now();
    const deadline = movedAt + (AFFILIATION_INTERVAL_S + 15) * 1000;
    while (performance.now() < deadline && !ok().some((w) => w.userId === moverId)) await sleep(50);
    const moverWrite = ok().find((w) => w.userId === moverId);
    const secondsToWrite = moverWrite ? (moverWrite.at - movedAt) / 1000 : Number.NaN;
    await sleep((AFFILIATION_INTERVAL_S + 2) * 1000); // another sweep: no further writes
    const moveWrites = ok().length;
    const postsAfter = affiliationPosts().length - postsBefore;
    const waitedS = round((performance.now() - movedAt) / 1000, 0);
    const moverLostRole = !(bed.discord.member(GUILD, moverId)?.roles ?? []).includes(ROLE);
    const limit = AFFILIATION_INTERVAL_S + AFFILIATION_SLACK_S;

    return [
      {
        name: `8. Role sync: ${(IN_CORPORATION + ELSEWHERE).toLocaleString('en-US')} linked members (2 characters each), members intent on, member edits limited to ${EDITS_PER_SECOND} a second per guild`,
        rows: [
          { metric: '1st /roles sync: member writes answered 200', value: String(firstWrites.length), target: String(IN_CORPORATION), ok: firstWrites.length === IN_CORPORATION },
          { metric: '  of which PATCH adding R to a member in the corporation (distinct members)', value: String(firstDistinct), target: String(IN_CORPORATION), ok: firstDistinct === IN_CORPORATION },
          { metric: '  writes to the 4,000 elsewhere', value: String(firstOthers), target: '0', ok: firstOthers === 0 },
          { metric: '  R held afterwards by exactly the 1,000', value: `${holders.length} holders`, target: String(IN_CORPORATION), ok: holdersRight },
          { metric: '  429s on the member edit bucket', value: String(first429), target: '0', ok: first429 === 0 },
          { metric: '  other refusals (403/404/400)', value: String(firstRefused), target: '0', ok: firstRefused === 0 },
          { metric: '  dispatch → "Sync done"', value: `${round(first.ms / 1000, 1)} s`, target: `≥ ${IN_CORPORATION / EDITS_PER_SECOND} s (the limit), < 60 s`, ok: first.ms < 60_000 },
          { metric: '  write rate, first → last write', value: `${round(rate, 1)} / s`, target: `≤ ${EDITS_PER_SECOND}` },
          { metric: '  reply', value: first.text.replace(/\|/g, '/') },
          { metric: '2nd /roles sync, nothing changed: member writes', value: String(secondWrites), target: '0', ok: secondWrites === 0 },
          { metric: '  dispatch → "Sync done"', value: `${round(second.ms / 1000, 1)} s` },
          { metric: '  reply', value: second.text.replace(/\|/g, '/') },
          { metric: `one main moves corporation (AFFILIATION_INTERVAL_S=${AFFILIATION_INTERVAL_S}): member writes`, value: String(moveWrites), target: '1', ok: moveWrites === 1 && moverLostRole },
          { metric: `  POST /characters/affiliation the bot sent ESI: before the change / in the ${waitedS} s after`, value: `${postsBefore} / ${postsAfter}`, target: `– / ≥ ${Math.ceil((IN_CORPORATION + ELSEWHERE) * 2 / 1000)}` },
          { metric: '  ESI changed → the write', value: moverWrite ? `${round(secondsToWrite, 1)} s` : 'no write', target: `≤ ${limit} s`, ok: secondsToWrite <= limit },
        ],
      },
    ];
  } finally {
    await bed.stop();
  }
}
