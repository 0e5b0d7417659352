import type { AddressInfo } from 'node:net';
import { Routes, type APIApplication, type APIUser, type Client, type Interaction, type REST } from 'discord.js';
import { AuditService } from './audit/auditService.ts';
import { GuildMemberRecorder } from './audit/guildMembers.ts';
import { connectDiscord, isGatewayReady } from './bot/client.ts';
import { CommandMentions } from './bot/commandMentions.ts';
import { renderBalanceChart } from './wallet/balanceChart.ts';
import { observeRest } from './bot/restMetrics.ts';
import { countLogins } from './tokens/grantStore.ts';
import { Metrics, routeTemplate } from './metrics/metrics.ts';
import { Dispatcher } from './bot/dispatcher.ts';
import { GatewayLeader } from './bot/gatewayLeader.ts';
import { createRestOnlyClient, HttpInteractions } from './bot/httpInteractions.ts';
import { InteractionSignature } from './bot/interactionSignature.ts';
import { interactionsPrecheck, interactionsRoute, INTERACTIONS_PATH, MAX_INTERACTION_BYTES } from './http/interactionsRoute.ts';
import { createInteractionRest } from './bot/interactionRest.ts';
import { registerCommands } from './bot/registration.ts';
import { commandDefinitions, loadCommands } from './bot/registry.ts';
import type { Config } from './config.ts';
import { createDatabase, type Database } from './db/client.ts';
import { applyPendingMigrations } from './db/migrations.ts';
import { RestNotifier } from './bot/notifier.ts';
import { openDatabaseTarget, type DatabaseTarget } from './db/target.ts';
import { SecretBox } from './db/secretBox.ts';
import { HandledInteractions } from './db/handledInteractions.ts';
import { EsiClient, NameResolver } from './esi/index.ts';
import { EsiDirectory } from './esi/directory.ts';
import { TokenVerifier } from './eve/jwt.ts';
import { SsoMisconfiguredError } from './eve/errors.ts';
import { SsoClient } from './eve/sso.ts';
import { healthRoute, metricsRoute, readinessRoute } from './http/health.ts';
import { homeRoute } from './http/home.ts';
import { DEFAULT_BOT_NAME, type Site } from './http/pages.ts';
import { ssoCallbackRoute, ssoConfirmRoute, ssoStartRoute } from './http/ssoRoutes.ts';
import { CompletedLogins } from './links/completedLogins.ts';
import { CharacterService } from './links/characterService.ts';
import { LinkService, SHORT_LINK_PATH } from './links/linkService.ts';
import { LinkConfirmations } from './links/linkConfirmations.ts';
import { PendingLogins } from './links/pendingLogins.ts';
import { createJobQueue, type JobQueue } from './jobs/queue.ts';
import { RestDiscordGuilds } from './bot/discordGuilds.ts';
import { RoleAdmin } from './roles/roleAdmin.ts';
import { RoleJobs } from './roles/roleJobs.ts';
import { RoleSync } from './roles/roleSync.ts';
import { SkillsService } from './skills/skillsService.ts';
import { TokenService } from './tokens/tokenService.ts';
import { WalletService } from './wallet/walletService.ts';
import { BOT_VERSION, PROJECT_URL, userAgent } from './version.ts';
import { HttpServer } from './http/server.ts';
import type { Logger } from './log.ts';
import type { Services } from './services.ts';

export interface App {
  /** where the HTTP server listens; none with HTTP_SERVER=false */
  readonly httpAddress: AddressInfo | undefined;
  /** stop taking work, finish what is in flight (bounded), close everything in reverse order */
  stop(): Promise<void>;
}

export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
  }
}

/** The composition root: builds every part from the config, and closes them in reverse order. */
export async function startApp(config: Config, logger: Logger): Promise<App> {
  let database: Database | undefined;
  let dispatcher: Dispatcher | undefined;
  let http: HttpServer | undefined;
  let metricsHttp: HttpServer | undefined;
  let client: Client | undefined;
  let restClient: Client | undefined;
  let leader: GatewayLeader | undefined;
  // Who the bot is on Discord: from the gateway's READY, or over REST with HTTP interactions.
  let botUser: { id: string; username: string; tag: string } | undefined;
  let sso: SsoClient | undefined;
  let esi: EsiClient | undefined;
  let target: DatabaseTarget | undefined;
  let recorder: GuildMemberRecorder | undefined;
  let jobs: JobQueue | undefined;

  // In-flight commands still need the client and the database to answer, so
  // they are drained first; then the entry points close, then what they use.
  const closeAll = async () => {
    const steps: [string, (() => Promise<unknown>) | undefined][] = [
      ['finish in-flight commands', dispatcher && (() => dispatcher!.drain(10_000))],
      ['close http server', http && (() => http!.close())],
      ['close metrics server', metricsHttp && (() => metricsHttp!.close())],
      ['stop background jobs', jobs && (() => jobs!.stop())],
      ['disconnect from discord', () => Promise.all([leader?.stop(), client?.destroy(), restClient?.destroy()])],
      ['write pending guild sightings', recorder && (() => recorder!.close())],
      ['close EVE clients', () => Promise.all([sso?.close(), esi?.close()])],
      ['close database', database && (() => database!.$disconnect())],
      ['stop embedded database', target && (() => target!.close())],
    ];
    for (const [what, step] of steps) {
      if (!step) continue;
      await step().catch((error: unknown) => logger.warn({ err: error, step: what }, 'error while closing'));
    }
  };

  try {
    target = await openDatabaseTarget(config).catch((error: unknown) => {
      throw new StartupError(`Cannot start the embedded database in ${config.DATA_DIR}: ${(error as Error).message}`, { cause: error });
    });
    const databaseUrl = target.url;
    if (target.embedded) {
      logger.warn(
        { dataDir: target.embedded.dataDir },
        'DATABASE_URL is not set: using the embedded database in DATA_DIR. Fine for trying the bot; use a real PostgreSQL in production (see README)',
      );
    }
    await migrate(databaseUrl, logger);
    database = createDatabase(databaseUrl, { maxConnections: target.maxConnections });
    await checkDatabase(database, databaseUrl);

    const box = new SecretBox(config.TOKEN_ENCRYPTION_KEY, config.TOKEN_ENCRYPTION_OLD_KEYS);
    const agent = userAgent(config.ESI_CONTACT);
    sso = new SsoClient({ ssoUrl: config.EVE_SSO_URL, clientId: config.EVE_CLIENT_ID, clientSecret: config.EVE_CLIENT_SECRET, userAgent: agent });
    const ssoClient = sso;
    await checkSso(ssoClient, logger);
    const verifier = new TokenVerifier({
      ssoUrl: config.EVE_SSO_URL,
      clientId: config.EVE_CLIENT_ID,
      jwksUri: async () => (await ssoClient.metadata()).jwks_uri,
    });
    const metrics = new Metrics();
    // Filled with the commands' ids once they are registered.
    const mentions = new CommandMentions();
    const notifier = new RestNotifier(config.DISCORD_TOKEN, config.DISCORD_API_URL, logger, mentions);
    for (const rest of notifier.restInstances) observeRest(rest, metrics);
    // Background work (role sync, sweeps, expiries) runs on the job queue; handlers are defined before it starts.
    jobs = await createJobQueue({ databaseUrl, embedded: target.embedded !== undefined, logger, database, onJob: (task, outcome) => metrics.jobs.inc({ task, outcome }) });
    const queue = jobs;
    // Role sync is built after the services that report changes to it (it needs what they need): they reach it here.
    const later: { roleSync?: RoleSync; roleJobs?: RoleJobs; applicationId?: string } = {};
    const charactersChanged = (userId: bigint) =>
      void later.roleJobs?.userChanged(userId).catch((error: unknown) => logger.warn({ err: error }, 'could not schedule a role sync'));
    const tokens = new TokenService({
      database,
      box,
      sso: ssoClient,
      verifier,
      notifier,
      logger,
      onCharactersChanged: charactersChanged,
      deadLoginNotice: async (userId) => later.roleSync?.deadLoginNotice(userId),
      onRefresh: (outcome) => metrics.refreshes.inc({ outcome }),
    });
    esi = new EsiClient({
      baseUrl: config.ESI_URL,
      userAgent: agent,
      logger,
      // ESI refused a token: the token service knows whether a scope is missing or the login died.
      onAuthFailure: (characterId, _status, scope) => tokens.explainRefusal(characterId, scope),
      observer: {
        request: (path, status) => metrics.esiRequests.inc({ route: routeTemplate(path), status: String(status) }),
        cache: (result) => metrics.esiCache.inc({ result }),
      },
    });
    const directory = new EsiDirectory(esi);
    const linkTimeoutMs = config.LINK_TIMEOUT_SECONDS * 1000;
    const links = new LinkService({
      database,
      box,
      pendingLogins: new PendingLogins(database, box, linkTimeoutMs),
      confirmations: new LinkConfirmations(database, box, (_id, error) => logger.error({ err: error }, 'a link confirmation does not decrypt (another TOKEN_ENCRYPTION_KEY?): dropped')),
      completedLogins: new CompletedLogins(database),
      confirmTtlMs: linkTimeoutMs,
      sso: ssoClient,
      verifier,
      directory,
      notifier,
      logger,
      callbackUrl: config.EVE_CALLBACK_URL,
      scopes: config.EVE_SCOPES,
      onCharactersChanged: charactersChanged,
    });
    const characters = new CharacterService({ database, box, sso: ssoClient, logger, requiredScopes: config.EVE_SCOPES, onCharactersChanged: charactersChanged });

    const commands = await loadCommands();
    const wallet = new WalletService({ tokens, esi, chart: (points, now) => renderBalanceChart(points, { now }) });
    const names = new NameResolver(esi, { logger });
    const skills = new SkillsService({ database, tokens, esi, names });
    recorder = new GuildMemberRecorder(database, logger);
    const audit = new AuditService({
      recorder,
      database,
      esi,
      tokens,
      names,
      directory,
      logger,
      requiredScopes: config.EVE_SCOPES,
      membersIntent: config.DISCORD_MEMBERS_INTENT,
      sightingTtlMs: config.AUDIT_SIGHTING_DAYS * 24 * 60 * 60 * 1000,
    });
    const discordGuilds = new RestDiscordGuilds(notifier.rest, () => botUser?.id ?? botUserIdOf(config.DISCORD_TOKEN));
    const sightingTtlMs = config.AUDIT_SIGHTING_DAYS * 24 * 60 * 60 * 1000;
    const roleSync = new RoleSync({
      database,
      guilds: discordGuilds,
      directory,
      logger,
      membersIntent: config.DISCORD_MEMBERS_INTENT,
      sightingTtlMs,
      requestGuildSync: (guildId) => later.roleJobs!.guild(guildId),
    });
    const roleJobs = new RoleJobs({
      queue,
      roleSync,
      database,
      esi,
      logger,
      affiliationIntervalMs: config.AFFILIATION_INTERVAL_S * 1000,
      reconcileIntervalMs: config.ROLE_SYNC_INTERVAL_S * 1000,
    });
    later.roleSync = roleSync;
    later.roleJobs = roleJobs;
    const roleAdmin = new RoleAdmin({ database, names, directory, logger });
    // Housekeeping: sightings past their lifetime; unanswered link confirmations (tokens revoked, reply edited).
    queue.define('audit:expire-sightings', () => audit.expireSightings().then(() => undefined));
    queue.define('links:expire-stale', () => links.expireStale().then(() => undefined));
    await queue.every('audit:expire-sightings', 60 * 60 * 1000);
    await queue.every('links:expire-stale', Math.min(30_000, Math.max(1_000, linkTimeoutMs / 4)));
    // Servers that removed the bot while no process held the gateway (it was down, or DISCORD_GATEWAY=off):
    // checked at start and hourly; forgotten on a second check (see AuditService.forgetGuildsLeft).
    queue.define('guilds:forget-left', async () => {
      if (later.applicationId === undefined) throw new Error('the application id is not known yet');
      await audit.forgetGuildsLeft(discordGuilds, BigInt(later.applicationId));
    });
    await queue.every('guilds:forget-left', 60 * 60 * 1000);
    await roleJobs.schedule();
    const services: Services = { database, logger, links, characters, directory, tokens, wallet, skills, audit, roleAdmin, roleSync, guilds: discordGuilds };
    dispatcher = new Dispatcher({
      commands,
      context: { services, commands: [...commands.values()], mentions },
      logger,
      webhookRest: observeRest(createInteractionRest(config.DISCORD_API_URL), metrics),
      observer: {
        answered: (command, outcome, seconds) => {
          metrics.commands.inc({ command, outcome });
          metrics.commandSeconds.observe({ command }, seconds);
        },
        acknowledged: (lagSeconds) => metrics.ackLag.observe(lagSeconds),
      },
      onGuildUser: async (guildId, userId, username) => {
        // Seen for the first time in a while (e.g. new, without the members intent): their roles are checked.
        if (recorder!.record(BigInt(guildId), BigInt(userId), username)) await roleJobs.memberSeen(BigInt(guildId), BigInt(userId));
      },
    });

    const db = database;
    metrics.readFrom({
      logins: () => countLogins(db),
      queueDepth: () => queue.depth(),
      esiLimits: () => esi!.limits(),
    });
    let httpAddress: AddressInfo | undefined;
    // HTTP_SERVER=false: another process of the bot serves the SSO callback (any process can: the links are in the database).
    if (config.HTTP_SERVER) {
      http = new HttpServer(logger);
      // The pages name the bot as Discord knows it, once connected (they are served before).
      const site: Site = { botName: () => botUser?.username ?? DEFAULT_BOT_NAME, projectUrl: PROJECT_URL };
      // First: a callback URL at / replaces it.
      http.get('/', homeRoute(site), { head: true });
      http.get('/healthz', healthRoute(), { head: true });
      // With HTTP interactions commands need no gateway: it only carries events, on one process.
      const httpInteractions = config.DISCORD_PUBLIC_KEY !== undefined;
      http.get('/readyz', readinessRoute({ database: db, gatewayReady: () => httpInteractions || isGatewayReady(client) }), { head: true });
      if (config.METRICS_PORT === undefined) http.get('/metrics', metricsRoute(() => metrics.text()));
      const callbackPath = new URL(config.EVE_CALLBACK_URL).pathname;
      http.get(callbackPath, ssoCallbackRoute(links, logger, site));
      http.post(callbackPath, ssoConfirmRoute(links, logger, site));
      http.get(SHORT_LINK_PATH, ssoStartRoute(links, logger, site));
      if (config.DISCORD_PUBLIC_KEY) {
        restClient = createRestOnlyClient(config.DISCORD_TOKEN, config.DISCORD_API_URL);
        observeRest(restClient.rest, metrics);
        const handled = new HandledInteractions(database);
        const receiver = new HttpInteractions(restClient, dispatcher, (id) => handled.claim(id));
        queue.define('interactions:forget-handled', () => handled.forgetOld().then(() => undefined));
        await queue.every('interactions:forget-handled', 5 * 60 * 1000);
        const signature = new InteractionSignature(config.DISCORD_PUBLIC_KEY);
        http.postRaw(INTERACTIONS_PATH, interactionsRoute(signature, receiver, logger), MAX_INTERACTION_BYTES, interactionsPrecheck(signature));
      }
    }
    if (config.METRICS_PORT !== undefined) {
      metricsHttp = new HttpServer(logger);
      metricsHttp.get('/metrics', metricsRoute(() => metrics.text()));
      const metricsAddress = await metricsHttp.listen(config.HTTP_HOST, config.METRICS_PORT).catch((error: unknown) => {
        throw new StartupError(`Cannot listen on ${config.HTTP_HOST}:${config.METRICS_PORT} (METRICS_PORT): ${(error as Error).message}`);
      });
      logger.info({ host: metricsAddress.address, port: metricsAddress.port }, 'metrics server listening');
    }
    if (http) {
      httpAddress = await http.listen(config.HTTP_HOST, config.HTTP_PORT).catch((error: unknown) => {
        throw new StartupError(`Cannot listen on ${config.HTTP_HOST}:${config.HTTP_PORT}: ${(error as Error).message}`);
      });
      logger.info({ host: httpAddress.address, port: httpAddress.port }, 'http server listening');
    } else {
      logger.info({ metrics: config.METRICS_PORT !== undefined }, 'no http server (HTTP_SERVER=false): another process serves the SSO callback');
    }

    const gatewayOptions = {
      token: config.DISCORD_TOKEN,
      apiUrl: config.DISCORD_API_URL,
      logger,
      membersIntent: config.DISCORD_MEMBERS_INTENT,
      shards: config.DISCORD_SHARDS,
      shardCount: config.DISCORD_SHARD_COUNT,
      onInteraction: (interaction: Interaction) => void dispatcher!.handle(interaction),
      onGuildRemoved: (guildId: string) => void audit.botRemoved(BigInt(guildId)).catch((error: unknown) => logger.error({ err: error, guildId }, 'could not forget a guild')),
      onMemberLeft: (guildId: string, userId: string) =>
        void audit.memberLeft(BigInt(guildId), BigInt(userId)).catch((error: unknown) => logger.error({ err: error, guildId }, 'could not forget a member who left')),
      onMemberJoined: (guildId: string, userId: string) => void roleJobs.memberSeen(BigInt(guildId), BigInt(userId)).catch((error: unknown) => logger.warn({ err: error, guildId }, 'could not schedule a role sync')),
    };
    const connectGateway = async (signal?: AbortSignal) => {
      const connected = await connectDiscord({ ...gatewayOptions, ...(signal ? { signal } : {}) });
      observeRest(connected.rest, metrics);
      return connected;
    };
    let identity: { rest: REST; applicationId: string };
    if (restClient) {
      // HTTP interactions: the bot's identity over REST; the gateway, if any, is the elected leader's.
      const rest = restClient.rest;
      const [me, application] = await Promise.all([rest.get(Routes.user()), rest.get(Routes.currentApplication())]).catch((error: unknown) => {
        throw new StartupError(`Cannot log in to Discord: ${(error as Error).message}`, { cause: error });
      });
      botUser = { id: (me as APIUser).id, username: (me as APIUser).username, tag: (me as APIUser).username };
      identity = { rest, applicationId: (application as APIApplication).id };
      if (config.DISCORD_GATEWAY !== 'off') {
        const lead = async (signal?: AbortSignal) => {
          const connected = await connectGateway(signal);
          client = connected;
          return { ready: () => isGatewayReady(connected), stop: () => connected.destroy() };
        };
        if (target.embedded) {
          // One process per data directory: it is the leader.
          await lead();
        } else {
          leader = new GatewayLeader({ databaseUrl, applicationId: identity.applicationId, logger, lead });
          leader.start();
        }
      }
    } else {
      const ready = await connectGateway().catch((error: unknown) => {
        throw new StartupError(`Cannot log in to Discord: ${(error as Error).message}`, { cause: error });
      });
      client = ready;
      botUser = { id: ready.user.id, username: ready.user.username, tag: ready.user.tag };
      identity = { rest: ready.rest, applicationId: ready.application.id };
    }
    later.applicationId = identity.applicationId;
    await queue.start();
    // Removed from a server while down: found out now rather than at the next hourly check.
    await queue.add('guilds:forget-left', null, { key: 'guilds:forget-left' });

    const registration = await registerCommands({
      rest: identity.rest,
      applicationId: identity.applicationId,
      guildId: config.DISCORD_GUILD_ID,
      definitions: commandDefinitions(commands),
      database,
      logger,
    });
    mentions.update(registration.commands);
    collectStartupGarbage();
    const memory = Object.fromEntries(Object.entries(process.memoryUsage()).map(([k, v]) => [k, Math.round(v / 1048576)]));
    const transport = restClient
      ? { interactions: 'http', gateway: config.DISCORD_GATEWAY === 'off' ? 'off' : target.embedded ? 'this process' : 'one elected process' }
      : { interactions: 'gateway', guilds: client!.guilds.cache.size, shards: { ids: [...client!.ws.shards.keys()], count: client!.options.shardCount } };
    logger.info({ version: BOT_VERSION, user: botUser.tag, ...transport, commands: commands.size, memoryMb: memory }, 'bot ready');

    let stopping: Promise<void> | undefined;
    return { httpAddress, stop: () => (stopping ??= closeAll()) };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/**
 * Start-up leaves garbage behind (migration checks, command loading, the
 * gateway's first payloads) that V8 would otherwise keep resident until a
 * full collection happens to run. With `--expose-gc` (as `npm start` runs),
 * one full collection once ready gives it back: a few milliseconds, once.
 */
function collectStartupGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** The bot's user id, from the first part of its token (base64 of the id), until the gateway says. */
function botUserIdOf(token: string): string {
  return Buffer.from(token.split('.')[0] ?? '', 'base64').toString('utf8');
}

/**
 * Reads the SSO's metadata once at start: endpoints on another origin stop
 * the start (see SsoClient). An SSO that does not answer does not: it is
 * read again when a login needs it.
 */
async function checkSso(sso: SsoClient, logger: Logger): Promise<void> {
  try {
    await sso.metadata();
  } catch (error) {
    if (error instanceof SsoMisconfiguredError) throw new StartupError(error.message);
    logger.warn({ err: error }, 'EVE SSO metadata could not be read at start; logins will try again');
  }
}

async function migrate(databaseUrl: string, logger: Logger): Promise<void> {
  try {
    const { applied } = await applyPendingMigrations(databaseUrl);
    for (const name of applied) logger.info({ migration: name }, 'migration applied');
  } catch (error) {
    throw new StartupError(`Cannot prepare the database (${describeDatabase(databaseUrl)}): ${(error as Error).message}`, {
      cause: error,
    });
  }
}

async function checkDatabase(database: Database, databaseUrl: string): Promise<void> {
  try {
    await database.$queryRaw`SELECT 1`;
  } catch (error) {
    throw new StartupError(`Cannot reach the database (${describeDatabase(databaseUrl)}): ${(error as Error).message}`);
  }
}

/** host:port/name of a connection URL, without user or password. */
export function describeDatabase(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    return `${url.hostname}:${url.port || 5432}${url.pathname}`;
  } catch {
    return 'invalid DATABASE_URL';
  }
}
