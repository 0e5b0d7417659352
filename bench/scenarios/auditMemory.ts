import { arrangeDatabase, benchBed, benchMode, CORPORATION, EMBEDDED_MEMORY_AFTER_SCENARIOS_MB, finalReplyMs, sleep, type ScenarioResult } from '../support/context.ts';
import { peakResidentMemoryMb, residentMemoryMb } from '../support/memory.ts';
import { seedLinkedUsers } from '../support/seed.ts';
import { round } from '../support/stats.ts';

const GUILD = '1190000000000000100';
const ADMIN = '200000000000000100';
const MEMBERS = 5_000;

/** 6b. Memory after an /audit over 10,000 characters of 5,000 members (and how long that audit took). */
export async function auditMemory(): Promise<ScenarioResult[]> {
  const { bed, box } = await benchBed({ startBot: false, discord: { guilds: [{ id: GUILD, name: 'Bench Guild' }] } });
  try {
    const members = await arrangeDatabase(bed, async (db) => {
      // One member holds a real login with the membership scope: the audit reads the corporation's member list with it.
      const [holder] = await seedLinkedUsers(db, box, bed.eve, {
        users: 1, charactersPerUser: 2, firstUserId: 360000000000000000n, firstCharacterId: 99500000,
        corporationId: CORPORATION.id, accessTtlSeconds: 1_000, realTokens: true,
      });
      const others = await seedLinkedUsers(db, box, bed.eve, {
        users: MEMBERS - 1, charactersPerUser: 2, firstUserId: 360000000000000001n, firstCharacterId: 99600000,
        corporationId: CORPORATION.id, accessTtlSeconds: 1_000, realTokens: false, knownToEsi: true,
      });
      const all = [holder!, ...others];
      await db.guildMember.createMany({ data: [...all.map((m) => ({ guildId: BigInt(GUILD), discordUserId: m.userId, name: `member ${m.userId}` })), { guildId: BigInt(GUILD), discordUserId: BigInt(ADMIN), name: 'admin' }] });
      await db.guildSettings.create({ data: { guildId: BigInt(GUILD), trackedCorporationIds: [BigInt(CORPORATION.id)] } });
      return all;
    });
    const characterCount = members.reduce((n, m) => n + m.characterIds.length, 0);
    bed.eve.addCorporation({ ...CORPORATION, memberIds: [...members.flatMap((m) => m.characterIds), ...Array.from({ length: 200 }, (_, j) => 99900000 + j)] });
    for (let j = 0; j < 200; j += 1) bed.eve.addCharacter({ id: 99900000 + j, name: `Unlinked ${j}`, corporationId: CORPORATION.id });

    await bed.startBot();
    await sleep(2_000);
    const before = residentMemoryMb(bed.bot!.pid!);
    const handle = await bed.discord.sendCommand({ name: 'audit', userId: ADMIN, guildId: GUILD, permissions: '32', options: [{ name: 'summary', type: 1 }] });
    const ms = await finalReplyMs(handle, 120_000);
    const csv = handle.currentReply()?.files?.[0];
    await sleep(2_000);
    const after = residentMemoryMb(bed.bot!.pid!);
    const peak = peakResidentMemoryMb(bed.bot!.pid!);
    const ceiling = benchMode.embedded ? EMBEDDED_MEMORY_AFTER_SCENARIOS_MB : 200;
    return [
      {
        name: `6b. Memory and time of /audit summary over ${characterCount.toLocaleString('en-US')} characters of ${MEMBERS.toLocaleString('en-US')} members`,
        rows: [
          { metric: 'resident memory before the audit', value: `${round(before, 0)} MB` },
          { metric: 'resident memory after the audit', value: `${round(after, 0)} MB`, target: `≤ ${ceiling} MB`, ok: after <= ceiling },
          { metric: 'peak resident memory (VmHWM)', value: `${round(peak, 0)} MB` },
          { metric: 'dispatch → final reply', value: `${round(ms / 1000, 2)} s`, target: 'a few seconds', ok: ms < 5_000 },
          { metric: 'CSV attachment', value: csv ? `${round(csv.data.length / 1048576, 2)} MB` : 'missing', ok: Boolean(csv) },
        ],
      },
    ];
  } finally {
    await bed.stop();
  }
}
