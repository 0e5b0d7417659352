/**
 * Shared setup of the token service tests: a fake EVE and Discord, a test
 * database, a key, and services built the way src/app.ts builds them, whose
 * logs are kept in memory. The hooks reset what each test may change.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { RestNotifier } from '../../src/bot/notifier.ts';
import { createDatabase, type Database } from '../../src/db/client.ts';
import { SecretBox } from '../../src/db/secretBox.ts';
import { TokenVerifier } from '../../src/eve/jwt.ts';
import { SsoClient } from '../../src/eve/sso.ts';
import { sealGrantTokens } from '../../src/links/grantSecrets.ts';
import { createLogger } from '../../src/log.ts';
import { TokenService } from '../../src/tokens/tokenService.ts';
import { FakeDiscord } from '../fakes/discord/index.ts';
import { FakeEve } from '../fakes/eve/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';

export interface TokenTestBed {
  eve: FakeEve;
  discord: FakeDiscord;
  testDb: TestDatabase;
  db: Database;
  box: SecretBox;
  /** what the services logged during the current test */
  logLines: string[];
  /** a TokenService like the bot's (short retries), on `database` (default: the bed's pool of 10) */
  service(database?: Database): TokenService;
  /** a linked character of `user` whose access token expires in `ttlSeconds` (negative: expired) */
  linked(ttlSeconds: number, scopes: string[], grant?: { rotatedAt?: Date }): Promise<{ id: number; characterId: bigint; tokens: { accessToken: string; refreshToken: string } }>;
  /** the refresh requests the fake SSO received for this character (injected failures included) */
  refreshes(id: number): FakeEve['tokenRequests'];
  /** runs after the current test (e.g. closing an extra database pool) */
  defer(cleanup: () => Promise<unknown>): void;
}

/** Registers the vitest hooks and returns the bed, filled in by beforeAll. */
export function useTokenTestBed(options: { user: bigint; firstCharacterId: number; ssoTimeoutMs?: number }): TokenTestBed {
  const clientId = randomBytes(16).toString('hex');
  const clientSecret = randomBytes(16).toString('hex');
  const cleanups: (() => Promise<unknown>)[] = [];
  let nextCharacter = options.firstCharacterId;
  const bed = { logLines: [] as string[] } as TokenTestBed;

  bed.service = (database = bed.db) => {
    const logger = createLogger({ level: 'debug', destination: new Writable({ write: (chunk, _e, cb) => (bed.logLines.push(String(chunk)), cb()) }) });
    const sso = new SsoClient({ ssoUrl: bed.eve.ssoUrl, clientId, clientSecret, userAgent: 'tests', timeoutMs: options.ssoTimeoutMs ?? 2_000 });
    cleanups.push(() => sso.close());
    const verifier = new TokenVerifier({ ssoUrl: bed.eve.ssoUrl, clientId, jwksUri: async () => (await sso.metadata()).jwks_uri });
    const notifier = new RestNotifier(bed.discord.botToken, bed.discord.apiUrl, logger);
    return new TokenService({ database, box: bed.box, sso, verifier, notifier, logger, retryBaseMs: 20 });
  };

  bed.linked = async (ttlSeconds, scopes, grant = {}) => {
    const { eve, db, box } = bed;
    const id = (nextCharacter += 1);
    eve.addCharacter({ id, name: `Pilot ${id}`, corporationId: 98000001 });
    const tokens = eve.issueTokens(id, scopes);
    const characterId = BigInt(id);
    const sealed = sealGrantTokens(box, characterId, tokens);
    await db.discordUser.upsert({ where: { id: options.user }, create: { id: options.user }, update: {} });
    await db.character.create({ data: { id: characterId, name: `Pilot ${id}`, ownerHash: eve.ownerHash(id), discordUserId: options.user } });
    await db.grant.create({
      data: {
        characterId,
        keyId: box.keyId,
        refreshToken: sealed.refreshToken,
        accessToken: sealed.accessToken,
        accessTokenExpiresAt: new Date(Date.now() + ttlSeconds * 1000),
        scopes,
        ...grant,
      },
    });
    return { id, characterId, tokens };
  };

  bed.defer = (cleanup) => void cleanups.push(cleanup);
  bed.refreshes = (id) => bed.eve.tokenRequests.filter((r) => r.grantType === 'refresh_token' && r.characterId === id);

  beforeAll(async () => {
    [bed.eve, bed.discord, bed.testDb] = await Promise.all([FakeEve.start({ clientId, clientSecret }), FakeDiscord.start(), createTestDatabase()]);
    bed.db = createDatabase(bed.testDb.url, { maxConnections: 10 });
    bed.box = new SecretBox(randomBytes(32).toString('base64'));
  });
  beforeEach(() => {
    bed.logLines = [];
    bed.eve.resetCounters();
  });
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
    bed.eve.resetSsoControls();
  });
  afterAll(async () => {
    await bed.db?.$disconnect();
    await Promise.allSettled([bed.eve?.close(), bed.discord?.close()]);
    await bed.testDb?.drop();
  });
  return bed;
}
