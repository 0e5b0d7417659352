import pg from 'pg';
import { ADMIN_DATABASE_URL } from '../../test/support/postgres.ts';
import { arrangeDatabase, benchBed, benchMode, CORPORATION, ESI_LATENCY_MS, finalReplyMs, replyText, type ScenarioResult } from '../support/context.ts';
import { PgStatementCounter, type CapturedStatement } from '../../test/support/pgStatementCounter.ts';
import { seedLinkedUsers } from '../support/seed.ts';
import { percentile, round } from '../support/stats.ts';

const SAMPLES = 100;
const WARMUP = 20;

/**
 * 1. Warm /wallet: token valid, ESI cache cold (each sample is another user),
 *    fake ESI answering after 50 ms. 5. The database work of each command,
 *    counted on the wire, and every statement EXPLAINed on a database of
 *    10,000 characters.
 */
export async function warmWallet(): Promise<ScenarioResult[]> {
  const admin = new URL(ADMIN_DATABASE_URL);
  // The statement counter is a proxy in front of a real PostgreSQL server: the embedded database has no server to proxy.
  const counter = benchMode.embedded ? undefined : await PgStatementCounter.start({ host: admin.hostname, port: Number(admin.port || 5432) });
  const { bed, box } = await benchBed({ startBot: false });
  try {
    const users = await arrangeDatabase(bed, async (db) => {
      // Realistic table sizes, so the planner's choices are those of a real corporation.
      await seedLinkedUsers(db, box, bed.eve, {
        users: 4_900, charactersPerUser: 2, firstUserId: 300000000000000000n, firstCharacterId: 95000000,
        corporationId: CORPORATION.id, accessTtlSeconds: 1_000, realTokens: false,
      });
      return seedLinkedUsers(db, box, bed.eve, {
        users: SAMPLES + WARMUP, charactersPerUser: 1, firstUserId: 310000000000000000n, firstCharacterId: 96000000,
        corporationId: CORPORATION.id, accessTtlSeconds: 1_000, realTokens: true, wallet: 1234.5,
      });
    });
    await bed.startBot(counter ? { DATABASE_URL: counter.proxied(bed.database.url) } : {});
    bed.eve.esi.latencyMs = ESI_LATENCY_MS;

    const latencies: number[] = [];
    const queryCounts: number[] = [];
    const statements: CapturedStatement[] = [];
    for (const [i, user] of users.entries()) {
      counter?.reset();
      const handle = await bed.discord.sendCommand({ name: 'wallet', userId: String(user.userId) });
      const ms = await finalReplyMs(handle);
      if (!replyText(handle).includes('· 1.23k ISK')) throw new Error(`unexpected /wallet reply: ${replyText(handle)}`);
      if (i < WARMUP) continue;
      latencies.push(ms);
      if (!counter) continue;
      queryCounts.push(counter.statements.length);
      statements.push(...counter.statements);
    }
    if (process.env.BENCH_DEBUG) {
      for (const s of new Set(statements.map((x) => x.sql))) console.error('SQL:', s);
      (await import('node:fs')).writeFileSync('/tmp/warm-bot.log', bed.bot!.stdout);
    }
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    const warm: ScenarioResult = {
      name: '1. Warm /wallet (token valid, ESI cache cold, ESI latency 50 ms)',
      rows: [
        { metric: 'p50 dispatch → final reply', value: `${round(p50, 1)} ms (ratio ${round(p50 / ESI_LATENCY_MS)})`, target: 'ratio ≤ 1.2', ok: p50 / ESI_LATENCY_MS <= 1.2 },
        { metric: 'p99 dispatch → final reply', value: `${round(p99, 1)} ms (ratio ${round(p99 / ESI_LATENCY_MS)})`, target: 'ratio ≤ 1.5', ok: p99 / ESI_LATENCY_MS <= 1.5 },
      ],
    };
    if (!counter) {
      const skipped = 'the statement counter is a proxy in front of a real PostgreSQL server, and the embedded database is served inside the bot.';
      return [warm, { name: '5. Database work per warm /wallet', skipped, rows: [] }];
    }
    const scans = await sequentialScans(bed.database.url, statements);
    return [
      warm,
      {
        name: '5. Database work per warm /wallet (10,000 characters in the database)',
        rows: [
          { metric: 'statements per command (max over samples)', value: String(Math.max(...queryCounts)), target: '≤ 3', ok: Math.max(...queryCounts) <= 3 },
          { metric: 'distinct statements', value: String(new Set(statements.map((s) => s.sql)).size) },
          { metric: 'statements whose plan scans a table', value: scans.length ? scans.join('; ') : '0', target: '0', ok: scans.length === 0 },
        ],
      },
    ];
  } finally {
    await bed.stop();
    await counter?.close();
  }
}

/** EXPLAINs each distinct statement with the parameters it was sent with; returns those with a Seq Scan. */
async function sequentialScans(databaseUrl: string, statements: CapturedStatement[]): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const found: string[] = [];
  try {
    const seen = new Set<string>();
    for (const { sql, params } of statements) {
      if (seen.has(sql) || !/^\s*(SELECT|UPDATE|DELETE|WITH)/i.test(sql) || params.some((p) => p === undefined)) continue;
      seen.add(sql);
      await client.query(`PREPARE bench_statement AS ${sql}`);
      try {
        const literals = params.map((p) => (p === null ? 'NULL' : `'${String(p).replace(/'/g, "''")}'`));
        const { rows } = await client.query(`EXPLAIN (FORMAT JSON) EXECUTE bench_statement${literals.length ? `(${literals.join(', ')})` : ''}`);
        const plan = JSON.stringify(rows[0]['QUERY PLAN']);
        const tables = [...plan.matchAll(/"Node Type":"Seq Scan"[^}]*?"Relation Name":"([^"]+)"/g)].map((m) => m[1]);
        if (tables.length) found.push(`${sql.slice(0, 80)}… scans ${tables.join(', ')}`);
      } finally {
        await client.query('DEALLOCATE bench_statement');
      }
    }
    return found;
  } finally {
    await client.end();
  }
}
