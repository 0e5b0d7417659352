// /audit at the size the issue names: 5,000 linked members with 10,000
// characters, seeded straight into the database (10,000 SSO flows would
// take minutes), against the real bot process and the fakes.
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/db/secretBox.ts';
import { sealGrantTokens } from '../../src/links/grantSecrets.ts';
import { DEFAULT_EVE_SCOPES } from '../../src/config.ts';
import type { ReplyView } from '../fakes/discord/index.ts';
import { csvRecords } from '../support/csv.ts';
import type { LogLine } from '../support/botProcess.ts';
import { PgStatementCounter, type CapturedStatement } from '../support/pgStatementCounter.ts';
import { TestBed } from '../support/testBed.ts';

const BIG = '1180000000000000100';
const SMALL = '1180000000000000900';
const ADMIN = '200000000000000100';
const CORP = { id: 98200001, name: 'Scale Industries', ticker: 'SCALE', allianceId: 99200001 };
const ALLIANCE = { id: 99200001, name: 'Scale Alliance', ticker: 'SCA' };

const MEMBERS = 5000;
const SMALL_MEMBERS = 50;
const UNLINKED = 200;
const userId = (i: number) => 300000000000000000n + BigInt(i);
const characterId = (i: number, n: 0 | 1) => 95000000 + 2 * i + n;
const unlinkedId = (j: number) => 96000000 + j;

/**
 * createMany in slices: one statement per slice stays under Postgres's 65535
 * parameters, so Prisma never splits it into statements run at once on one connection.
 */
async function inSlices<T>(rows: T[], insert: (slice: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += 2000) await insert(rows.slice(i, i + 2000));
}

async function seed(bed: TestBed): Promise<void> {
  const { db, eve } = bed;
  eve.addAlliance(ALLIANCE);
  eve.addCorporation(CORP);
  const box = new SecretBox(bed.env.TOKEN_ENCRYPTION_KEY!);
  const scopes = [...DEFAULT_EVE_SCOPES];
  const dayAgo = new Date(Date.now() - 86_400_000);
  const inAnHour = new Date(Date.now() + 3_600_000);

  const characters = Array.from({ length: MEMBERS }, (_, i) => [0, 1].map((n) => ({ i, id: characterId(i, n as 0 | 1) }))).flat();
  for (const c of characters) eve.addCharacter({ id: c.id, name: `Pilot ${c.id}`, corporationId: CORP.id });
  for (let j = 0; j < UNLINKED; j += 1) eve.addCharacter({ id: unlinkedId(j), name: `Unlinked ${unlinkedId(j)}`, corporationId: CORP.id });

  await db.discordUser.createMany({ data: Array.from({ length: MEMBERS }, (_, i) => ({ id: userId(i) })) });
  await inSlices(
    characters.map((c) => ({ id: BigInt(c.id), name: `Pilot ${c.id}`, ownerHash: 'seeded', corporationId: BigInt(CORP.id), allianceId: BigInt(ALLIANCE.id), discordUserId: userId(c.i), linkedAt: dayAgo })),
    (data) => db.character.createMany({ data }),
  );
  await db.$executeRaw`UPDATE "discord_user" u SET "main_character_id" = (SELECT min(c."id") FROM "character" c WHERE c."discord_user_id" = u."id")`;

  // The first character's login is real (the fake ESI accepts it): it reads the member list.
  const holder = characters[0]!.id;
  const real = eve.issueTokens(holder, scopes);
  await inSlices(
    characters.map((c, k) => {
      const tokens = c.id === holder ? real : { accessToken: `seeded-access-${c.id}`, refreshToken: `seeded-refresh-${c.id}` };
      const sealed = sealGrantTokens(box, BigInt(c.id), tokens);
      return {
        characterId: BigInt(c.id),
        keyId: box.keyId,
        refreshToken: sealed.refreshToken,
        accessToken: sealed.accessToken,
        accessTokenExpiresAt: inAnHour,
        // Every 50th login is dead, every 25th other one lacks a scope.
        scopes: k % 25 === 0 && k % 50 !== 0 ? scopes.slice(1) : scopes,
        status: k % 50 === 1 ? ('invalid' as const) : ('ok' as const),
        ...(k % 50 === 1 ? { invalidSince: dayAgo, invalidReason: 'invalid_grant' } : {}),
        lastRefreshedAt: c.id === holder ? new Date() : dayAgo,
      };
    }),
    (data) => db.grant.createMany({ data }),
  );
  await inSlices(
    [
      ...Array.from({ length: MEMBERS }, (_, i) => ({ guildId: BigInt(BIG), discordUserId: userId(i), name: `pilot${i}` })),
      ...Array.from({ length: SMALL_MEMBERS }, (_, i) => ({ guildId: BigInt(SMALL), discordUserId: userId(i), name: `pilot${i}` })),
      // The admin who runs the audits, seen in both (one member more, without characters).
      ...[BIG, SMALL].map((guildId) => ({ guildId: BigInt(guildId), discordUserId: BigInt(ADMIN), name: 'admin' })),
    ],
    (data) => db.guildMember.createMany({ data }),
  );
  await db.guildSettings.createMany({
    data: [BIG, SMALL].map((guildId) => ({ guildId: BigInt(guildId), trackedCorporationIds: [BigInt(CORP.id)] })),
  });
}

describe('/audit with 5,000 linked members and 10,000 characters', () => {
  let bed: TestBed;
  let sql: PgStatementCounter;

  beforeAll(async () => {
    bed = await TestBed.start({ startBot: false, discord: { guilds: [{ id: BIG, name: 'Big Guild' }, { id: SMALL, name: 'Small Guild' }] } });
    await seed(bed);
    // The bot reaches Postgres through a counter: every statement it runs is seen.
    const url = new URL(bed.env.DATABASE_URL!);
    sql = await PgStatementCounter.start({ host: url.hostname, port: Number(url.port || 5432) });
    await bed.startBot({ DATABASE_URL: sql.proxied(bed.env.DATABASE_URL!) });
    // The officer has used the bot in both guilds before: the audits below measure the audit, not a
    // first sighting (whose write and role-sync check run beside the command, every 2 s and 30 s).
    for (const guildId of [BIG, SMALL]) await (await bed.discord.sendCommand({ name: 'help', userId: ADMIN, guildId })).waitForReply();
    await new Promise((resolve) => setTimeout(resolve, 2_500));
  }, 120_000);

  afterAll(async () => {
    await bed?.stop();
    await sql?.close();
  });

  async function summary(guildId: string): Promise<{ reply: ReplyView; log: LogLine; affiliationRequests: number; answeredMs: number; statements: CapturedStatement[] }> {
    const affiliationBefore = bed.eve.esiRequests.filter((r) => r.route === 'affiliation').length;
    const statementsBefore = sql.statements.length;
    const started = performance.now();
    const interaction = await bed.discord.sendCommand({ name: 'audit', userId: ADMIN, guildId, permissions: '32', options: [{ name: 'summary', type: 1 }] });
    const reply = await interaction.waitForReply((r) => !r.loading, 60_000);
    const answeredMs = Math.round(performance.now() - started);
    const log = await bed.bot!.waitForLog((l) => l.msg === 'audit report' && l.guildId === guildId);
    const affiliationRequests = bed.eve.esiRequests.filter((r) => r.route === 'affiliation').length - affiliationBefore;
    // Housekeeping jobs (expired logins and confirmations, every 30 s) share the bot's connection pool and may run
    // during either audit: what they send is not the audit's.
    const housekeeping = /\b(pending_login|link_confirmation|completed_login)\b/;
    return { reply, log, affiliationRequests, answeredMs, statements: sql.statements.slice(statementsBefore).filter((s) => !housekeeping.test(s.sql)) };
  }

  it('then the audit answers for both guilds with the same number of database queries, and batched ESI calls', async () => {
    // The big one first, so it pays for every cold cache (member list, names).
    const big = await summary(BIG);
    const small = await summary(SMALL);
    console.log(
      `audit of ${SMALL_MEMBERS} members: ${small.log.ms} ms in the service, ${small.answeredMs} ms to the reply, ${small.log.queries} queries; ` +
        `of ${MEMBERS} members / ${2 * MEMBERS} characters: ${big.log.ms} ms in the service, ${big.answeredMs} ms to the reply, ${big.log.queries} queries; ` +
        `SQL statements on the wire: ${small.statements.length} and ${big.statements.length}`,
    );

    // The admin is a member too: one more, without characters.
    // In the small guild, the corporation's members linked by people of the big guild only are not linked here.
    expect(small.log).toMatchObject({ members: SMALL_MEMBERS + 1, characters: 2 * SMALL_MEMBERS, missing: 2 * MEMBERS + UNLINKED - 2 * SMALL_MEMBERS });
    expect(big.log).toMatchObject({ members: MEMBERS + 1, characters: 2 * MEMBERS, missing: UNLINKED });
    expect(big.log.queries).toBe(small.log.queries);
    // And what reached Postgres, ORM internals included: the same statements, whatever the member count.
    expect(big.statements.length).toBe(small.statements.length);
    // POST /characters/affiliation takes 1000 ids a request.
    expect(small.affiliationRequests).toBe(1);
    expect(big.affiliationRequests).toBe((2 * MEMBERS) / 1000);

    // The embed stays inside Discord's limits; the rest is in the CSV.
    expect(big.reply.embeds).toHaveLength(1);
    const embed = big.reply.embeds[0];
    const size = (embed.title?.length ?? 0) + (embed.description?.length ?? 0) + (embed.footer?.text?.length ?? 0) +
      (embed.fields ?? []).reduce((sum: number, f: { name: string; value: string }) => sum + f.name.length + f.value.length, 0);
    expect(size).toBeLessThanOrEqual(6000);
    expect(embed.fields.length).toBeLessThanOrEqual(25);
    expect(embed.description).toContain('**5,000** of 5,001 members linked 10,000 pilots (5,000 mains, 5,000 alts).');
    expect(JSON.stringify(embed.fields)).toContain('more (see the CSV)');

    const csv = big.reply.files[0]!.data;
    console.log(`CSV of ${MEMBERS} members: ${csv.length} bytes`);
    const rows = csvRecords(csv.toString('utf8'));
    expect(rows.filter((r) => r.row_type === 'character')).toHaveLength(2 * MEMBERS);
    expect(rows.filter((r) => r.row_type === 'missing_member')).toHaveLength(UNLINKED);
    expect(rows.filter((r) => r.token_status === 'dead')).toHaveLength((2 * MEMBERS) / 50);
  }, 180_000);
});
