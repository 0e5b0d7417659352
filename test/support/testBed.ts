import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, type Database } from '../../src/db/client.ts';
import { FakeDiscord } from '../fakes/discord/index.ts';
import type { FakeDiscordOptions } from '../fakes/discord/index.ts';
import { FakeEve } from '../fakes/eve/index.ts';
import { BotProcess, freePort, randomEncryptionKey } from './botProcess.ts';
import { createTestDatabase, type TestDatabase } from './postgres.ts';

export interface TestBedOptions {
  /** extra or overriding environment for the bot */
  env?: Record<string, string>;
  /** start the bot process (default true) */
  startBot?: boolean;
  discord?: FakeDiscordOptions;
  /** run the bot on the embedded database (no DATABASE_URL, DATA_DIR in a temp directory) */
  embedded?: boolean;
  /** 'http': the bot takes interactions on POST /interactions (DISCORD_PUBLIC_KEY), and the fake posts them there */
  interactions?: 'gateway' | 'http';
}

/**
 * Everything an end-to-end test needs: a fresh database, fake Discord and
 * fake EVE on loopback, and the real bot process configured against them.
 */
export class TestBed {
  bot?: BotProcess;

  private constructor(
    readonly discord: FakeDiscord,
    readonly eve: FakeEve,
    readonly database: TestDatabase,
    /** a Prisma client on the test database, for arrangements and assertions */
    readonly db: Database,
    readonly env: Record<string, string>,
    readonly httpUrl: string,
  ) {}

  static async start(options: TestBedOptions = {}): Promise<TestBed> {
    const port = await freePort();
    const httpUrl = `http://127.0.0.1:${port}`;
    const callbackUrl = `${httpUrl}/sso/callback`;
    const clientId = randomBytes(16).toString('hex');
    const clientSecret = randomBytes(20).toString('base64url');
    const [discord, eve, database] = await Promise.all([
      FakeDiscord.start(options.discord),
      FakeEve.start({ clientId, clientSecret, callbackUrl }),
      createTestDatabase(),
    ]);
    const env = {
      DISCORD_TOKEN: discord.botToken,
      DISCORD_API_URL: discord.apiUrl,
      ...eve.env(),
      EVE_CALLBACK_URL: callbackUrl,
      ESI_CONTACT: 'tests@example.org',
      ...(options.embedded ? { DATA_DIR: mkdtempSync(join(tmpdir(), 'evebot-data-')) } : { DATABASE_URL: database.url }),
      TOKEN_ENCRYPTION_KEY: randomEncryptionKey(),
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(port),
      LOG_LEVEL: 'debug',
      ...(options.interactions === 'http' ? { DISCORD_PUBLIC_KEY: discord.interactionsPublicKey } : {}),
      ...options.env,
    };
    const bed = new TestBed(discord, eve, database, createDatabase(database.url, { maxConnections: 3 }), env, httpUrl);
    if (options.startBot !== false) {
      // The caller never gets a bed that failed to start, so it could not stop it: stop it here.
      const started = async () => {
        await bed.startBot();
        // Like the Developer Portal: saved only once the endpoint answers a PING and refuses a bad signature.
        if (options.interactions === 'http') await discord.setInteractionsEndpoint(`${httpUrl}/interactions`);
      };
      await started().catch(async (error: unknown) => {
        await bed.stop().catch(() => undefined);
        throw error;
      });
    }
    return bed;
  }

  async startBot(env: Record<string, string> = {}): Promise<BotProcess> {
    this.bot = new BotProcess({ ...this.env, ...env });
    await this.bot.waitForReady();
    return this.bot;
  }

  /** Every log line the bot wrote, as text: for "no secret in the logs" assertions. */
  get logText(): string {
    return `${this.bot?.stdout ?? ''}${this.bot?.stderr ?? ''}`;
  }

  async stop(): Promise<void> {
    try {
      await this.bot?.stop();
      await this.db.$disconnect();
      await Promise.allSettled([this.discord.close(), this.eve.close()]);
      await this.database.drop();
    } finally {
      if (this.env.DATA_DIR) rmSync(this.env.DATA_DIR, { recursive: true, force: true });
    }
  }
}
