import { createDatabase, type Database } from '../../src/db/client.ts';
import { startEmbeddedDatabase } from '../../src/db/embedded.ts';
import { applyPendingMigrations } from '../../src/db/migrations.ts';
import { SecretBox } from '../../src/db/secretBox.ts';
import type { InteractionHandle } from '../../test/fakes/discord/index.ts';
import { TestBed, type TestBedOptions } from '../../test/support/testBed.ts';
import { residentMemoryMb } from './memory.ts';
import { round } from './stats.ts';

export const ESI_LATENCY_MS = 50;
export const CORPORATION = { id: 98000001, name: 'Bench Industries', ticker: 'BENCH' };

/**
 * Which database the bot runs on: a real PostgreSQL (default), or the embedded
 * one (`npm run bench -- --embedded`, or BENCH_EMBEDDED=1): no DATABASE_URL, a
 * DATA_DIR of its own per scenario, and the embedded mode's targets.
 */
export const benchMode = { embedded: false };

export async function benchBed(options: TestBedOptions = {}): Promise<{ bed: TestBed; box: SecretBox }> {
  // Profile the bot with EVEBOT_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" (see test/support/botProcess.ts).
  const bed = await TestBed.start({ ...options, embedded: benchMode.embedded, env: { LOG_LEVEL: 'info', ...options.env } });
  bed.eve.addCorporation(CORPORATION);
  return { bed, box: new SecretBox(bed.env.TOKEN_ENCRYPTION_KEY!) };
}

/**
 * Runs `arrange` on the database the bot will use, before it starts: the test
 * bed's PostgreSQL database, or in embedded mode the bot's DATA_DIR, opened
 * (and migrated) here and closed again, since only one process may hold it.
 */
export async function arrangeDatabase<T>(bed: TestBed, arrange: (db: Database) => Promise<T>): Promise<T> {
  if (!bed.env.DATA_DIR) return arrange(bed.db);
  if (bed.bot?.running) throw new Error('the embedded database can be arranged only while the bot is stopped');
  const embedded = await startEmbeddedDatabase(bed.env.DATA_DIR);
  try {
    await applyPendingMigrations(embedded.url);
    const db = createDatabase(embedded.url, { maxConnections: 1 });
    try {
      return await arrange(db);
    } finally {
      await db.$disconnect();
    }
  } finally {
    await embedded.close();
  }
}

/** Milliseconds from the interaction's dispatch to the response that showed the final answer. */
export async function finalReplyMs(handle: InteractionHandle, timeoutMs = 30_000): Promise<number> {
  await handle.waitForReply((r) => !r.loading, timeoutMs);
  return handle.responses.at(-1)!.at - handle.dispatchedAt;
}

export function replyText(handle: InteractionHandle): string {
  const reply = handle.currentReply();
  return `${reply?.content ?? ''}${JSON.stringify(reply?.embeds ?? [])}`;
}

/** Issue 15's ceiling for the whole bot's resident memory after a scenario, in embedded mode. */
export const EMBEDDED_MEMORY_AFTER_SCENARIOS_MB = 250;

/** The whole bot's resident memory once a scenario is over (embedded mode: against issue 15's ceiling). */
export async function memoryAfterScenarioRow(bed: TestBed): Promise<ScenarioResult['rows'][number]> {
  await sleep(2_000); // replies sent, the bot idle again
  const mb = residentMemoryMb(bed.bot!.pid!);
  const metric = 'resident memory of the bot (all its processes) after the scenario';
  if (!benchMode.embedded) return { metric, value: `${round(mb, 0)} MB` };
  return { metric, value: `${round(mb, 0)} MB`, target: `≤ ${EMBEDDED_MEMORY_AFTER_SCENARIOS_MB} MB`, ok: mb <= EMBEDDED_MEMORY_AFTER_SCENARIOS_MB };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface ScenarioResult {
  name: string;
  /** why the scenario (or this part of it) did not run in this mode */
  skipped?: string;
  rows: { metric: string; value: string; target?: string; ok?: boolean }[];
}
