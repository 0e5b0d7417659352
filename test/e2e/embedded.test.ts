import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { seedLinkedUsers } from '../../bench/support/seed.ts';
import { createDatabase } from '../../src/db/client.ts';
import { startEmbeddedDatabase } from '../../src/db/embedded.ts';
import { applyPendingMigrations } from '../../src/db/migrations.ts';
import { SecretBox } from '../../src/db/secretBox.ts';
import { BotProcess, npmScriptArguments } from '../support/botProcess.ts';
import { CORP, linkCharacter } from '../support/linking.ts';
import { TestBed } from '../support/testBed.ts';

const USER = '200000000000000041';
const PILOT = { id: 94000001, name: 'Emma Embedded', wallet: 7654321.5 };

/** Every row of every table (as text, sorted), to compare two databases. */
async function snapshot(url: string): Promise<Record<string, string[]>> {
  const client = new pg.Client({ connectionString: url, types: { getTypeParser: () => (v: string) => v } });
  await client.connect();
  try {
    const { rows: tables } = await client.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations'`,
    );
    const out: Record<string, string[]> = {};
    for (const { table_name } of tables) {
      const { rows } = await client.query(`SELECT * FROM "${table_name}"`);
      out[table_name] = rows.map((r) => JSON.stringify(r)).sort();
    }
    return out;
  } finally {
    await client.end();
  }
}

function runMove(env: Record<string, string>, destination: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...npmScriptArguments('db:move'), destination], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('given no DATABASE_URL: the embedded database', () => {
  let bed: TestBed;
  beforeAll(async () => {
    bed = await TestBed.start({ embedded: true });
    bed.eve.addCorporation({ id: CORP.id, name: CORP.name, ticker: CORP.ticker });
    bed.eve.addCharacter({ ...PILOT, corporationId: CORP.id });
  }, 120_000);
  afterAll(async () => {
    await bed?.stop();
  });

  it('then the bot says so in one line, and link → /wallet works on it', async () => {
    expect(bed.bot!.logs.filter((l) => /DATABASE_URL is not set: using the embedded database/.test(String(l.msg)))).toHaveLength(1);
    const { page } = await linkCharacter(bed, USER, PILOT.id);
    expect(page.status).toBe(200);
    const wallet = await bed.discord.sendCommand({ name: 'wallet', userId: USER });
    expect(JSON.stringify((await wallet.waitForReply((r) => !r.loading, 20_000)).embeds)).toContain('**Emma Embedded** · 7.65m ISK');
  });

  it('then a second bot process on the same DATA_DIR fails at once naming the first, and the first keeps working', async () => {
    const second = new BotProcess({ ...bed.env, HTTP_PORT: '0' });
    expect(await second.exited).toBe(1);
    expect(second.stderr).toContain(`Another bot process (pid ${bed.bot!.pid}, main.js) is using the embedded database in ${bed.env.DATA_DIR}`);
    expect(bed.bot!.running).toBe(true);
    const list = await bed.discord.sendCommand({ name: 'characters', userId: USER });
    expect(JSON.stringify((await list.waitForReply()).embeds)).toContain('Emma Embedded');
  });

  it('then the maintenance scripts take the same lock: db:move is refused while the bot runs', async () => {
    const moved = await runMove({ DATA_DIR: bed.env.DATA_DIR! }, bed.database.url);
    expect(moved.code).toBe(1);
    expect(moved.stderr).toContain(`Could not move the database: Another bot process (pid ${bed.bot!.pid}, main.js) is using`);
    expect(bed.bot!.running).toBe(true);
  });

  it('then the data survives a restart', async () => {
    expect(await bed.bot!.stop()).toBe(0);
    await bed.startBot();
    const list = await bed.discord.sendCommand({ name: 'characters', userId: USER });
    expect(JSON.stringify((await list.waitForReply()).embeds)).toContain('Emma Embedded');
  });

  it('then a bot killed with SIGKILL starts again at once, with its data', async () => {
    expect(await bed.bot!.stop('SIGKILL')).toBeNull();
    await bed.startBot();
    const list = await bed.discord.sendCommand({ name: 'characters', userId: USER });
    expect(JSON.stringify((await list.waitForReply()).embeds)).toContain('Emma Embedded');
  });

  it('then a bot.pid left by an older version naming a live unrelated process does not block the start', async () => {
    expect(await bed.bot!.stop('SIGKILL')).toBeNull();
    const pidFile = join(bed.env.DATA_DIR!, 'bot.pid');
    writeFileSync(pidFile, String(process.pid)); // alive, and not a bot
    await bed.startBot();
    expect(existsSync(pidFile)).toBe(false);
  });

  it('then db:move copies every row into a real PostgreSQL, and the bot runs on it', async () => {
    expect(await bed.bot!.stop()).toBe(0);
    const embedded = await startEmbeddedDatabase(bed.env.DATA_DIR!);
    const before = await snapshot(embedded.url).finally(() => embedded.close());
    expect(before.character).toHaveLength(1);
    expect(before.grant).toHaveLength(1);
    expect(before.audit_event!.length).toBeGreaterThan(0);

    const moved = await runMove({ DATA_DIR: bed.env.DATA_DIR! }, bed.database.url);
    expect(moved.stderr).toBe('');
    expect(moved.code).toBe(0);
    expect(moved.stdout).toMatch(/character: 1 rows/);
    expect(await snapshot(bed.database.url)).toEqual(before);

    // Moving again into a database that has data is refused, and changes nothing.
    const again = await runMove({ DATA_DIR: bed.env.DATA_DIR! }, bed.database.url);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already holds rows/);
    expect(await snapshot(bed.database.url)).toEqual(before);

    // New rows get new ids after the copied ones.
    await bed.startBot({ DATABASE_URL: bed.database.url });
    const wallet = await bed.discord.sendCommand({ name: 'wallet', userId: USER });
    expect(JSON.stringify((await wallet.waitForReply((r) => !r.loading, 20_000)).embeds)).toContain('7.65m ISK');
    const { page } = await linkCharacter(bed, USER, PILOT.id);
    expect(page.status).toBe(200);
    expect(await bed.db.auditEvent.count()).toBe(before.audit_event!.length + 1);
  });
});

describe('the embedded database server', () => {
  it('then it runs with buffers sized for a small database (start parameters), and leaves postgresql.conf as initdb wrote it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'evebot-embedded-settings-'));
    try {
      const embedded = await startEmbeddedDatabase(dataDir);
      try {
        const client = new pg.Client({ connectionString: embedded.url });
        await client.connect();
        const setting = async (name: string) => (await client.query<{ setting: string }>(`SELECT current_setting($1) AS setting`, [name])).rows[0]!.setting;
        try {
          expect(await setting('shared_buffers')).toBe('16MB');
          expect(await setting('work_mem')).toBe('1MB');
        } finally {
          await client.end();
        }
      } finally {
        await embedded.close();
      }
      expect(readFileSync(join(dataDir, 'pgdata', 'postgresql.conf'), 'utf8')).not.toContain('shared_buffers = 16MB');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('given a data directory made by the embedded mode of the version before (PGlite with its default settings)', () => {
  let bed: TestBed;
  const dataDir = mkdtempSync(join(tmpdir(), 'evebot-legacy-data-'));
  const socketDir = mkdtempSync(join(tmpdir(), 'evebot-legacy-socket-'));
  const LEGACY_USER = 350000000000000777n;
  const LEGACY_PILOT = 96000001;

  beforeAll(async () => {
    bed = await TestBed.start({ embedded: true, startBot: false, env: { DATA_DIR: dataDir } });
    bed.eve.addCorporation({ id: CORP.id, name: CORP.name, ticker: CORP.ticker });
    // The old version's server, in its own process: it creates the directory, the migrations and one linked pilot go in.
    const legacy = spawn(process.execPath, [join(import.meta.dirname, '../support/legacyEmbeddedServer.mjs'), dataDir, socketDir], { stdio: ['pipe', 'pipe', 'inherit'] });
    await once(legacy.stdout!, 'data');
    const url = `postgresql://postgres@localhost/postgres?host=${encodeURIComponent(socketDir)}`;
    await applyPendingMigrations(url);
    const db = createDatabase(url, { maxConnections: 1 });
    try {
      await seedLinkedUsers(db, new SecretBox(bed.env.TOKEN_ENCRYPTION_KEY!), bed.eve, {
        users: 1, charactersPerUser: 1, firstUserId: LEGACY_USER, firstCharacterId: LEGACY_PILOT,
        corporationId: CORP.id, accessTtlSeconds: -60, realTokens: true, wallet: 4_321_000,
      });
    } finally {
      await db.$disconnect();
    }
    legacy.stdin!.end();
    expect(await once(legacy, 'exit')).toEqual([0, null]);
  }, 120_000);
  afterAll(async () => {
    await bed?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(socketDir, { recursive: true, force: true });
  });

  it('then today\'s embedded mode opens it in place: the pilot is still linked and the stored refresh token still works', async () => {
    const files = readdirSync(join(dataDir, 'pgdata')).sort();
    await bed.startBot();
    expect(bed.bot!.logs.some((l) => /DATABASE_URL is not set: using the embedded database/.test(String(l.msg)))).toBe(true);
    // The access token stored by the old version has expired: /wallet refreshes it with the old refresh token.
    const wallet = await bed.discord.sendCommand({ name: 'wallet', userId: String(LEGACY_USER) });
    expect(JSON.stringify((await wallet.waitForReply((r) => !r.loading, 20_000)).embeds)).toContain('4.32m ISK');
    expect(bed.eve.tokenRequests.filter((r) => r.grantType === 'refresh_token')).toHaveLength(1);
    expect(await bed.bot!.stop()).toBe(0);
    // Opened, not converted: the same directory layout, no backup made.
    expect(readdirSync(join(dataDir, 'pgdata')).sort()).toEqual(files);
    expect(readdirSync(dataDir).filter((name) => /backup|old/i.test(name))).toEqual([]);
  });
});
