import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { REST, Routes, ShardingManager, type RESTGetAPIGatewayBotResult, type Shard } from 'discord.js';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';

/** Discord lets a bot identify one shard per 5 s (max_concurrency 1): children start this far apart. */
const IDENTIFY_SPACING_MS = 5_500;
/** A child that dies is started again after this, doubled while it keeps dying young, up to MAX_RESTART_DELAY_MS. */
const FIRST_RESTART_DELAY_MS = 1_000;
const MAX_RESTART_DELAY_MS = 60_000;
/**
 * A child that ran this long before dying was healthy: the next restart waits FIRST_RESTART_DELAY_MS again.
 * Ten minutes, not one: a child that crashes every minute or so must not identify again every few seconds,
 * each identify spending one of Discord's 1,000 daily session starts.
 */
const HEALTHY_RUN_MS = 10 * 60_000;
/** A child not ready this long after it started (migrations, its shards' READY, one per 5 s) is stuck: the start fails. */
const START_TIMEOUT_MS = 5 * 60_000;
/** Children drain in-flight commands for up to 10 s on SIGTERM; after this they are killed. */
const STOP_TIMEOUT_MS = 30_000;

export interface LauncherOptions {
  config: Config;
  logger: Logger;
  /** the compiled bot entry each child runs (dist/src/main.js) */
  entry: string;
  /** node's flags for the children: the launcher's own, as `npm run start:sharded` gave them */
  execArgv: string[];
}

/** A child died before all were up, so the start failed; it said why on stderr. */
export class ChildStartError extends Error {
  constructor(readonly shards: number[], code: number | null, signal: NodeJS.Signals | null) {
    super(`The bot process for shards ${shards.join(',')} exited (${signal ?? `code ${String(code)}`}) before it was ready; its error is above. Stopping.`);
    this.name = 'ChildStartError';
  }
}

/**
 * `npm run start:sharded`: discord.js's ShardingManager starts one child
 * process per group of SHARDS_PER_PROCESS gateway shards, each running the
 * normal bot entry. Only the first child serves HTTP_PORT; the job queue
 * (in PostgreSQL) spreads background jobs over all of them.
 *
 * ShardingManager spawns one child per shard id, and tells it its shard in
 * SHARDS/SHARD_COUNT. To group shards, each of the manager's "shards" is a
 * group here (manager shard i = group i), and the child's environment is
 * rewritten before it spawns: DISCORD_SHARDS/DISCORD_SHARD_COUNT (what the
 * bot's config reads) and SHARDS/SHARD_COUNT (what discord.js reads) name the
 * group's real shard ids and the bot's real total.
 *
 * ShardingManager's own respawn starts a dead child again at once, forever; a
 * child that dies at start (database down) would then identify with Discord
 * in a loop and spend the bot's daily session starts. So respawn is off and a
 * dead child is started again here, after a delay that grows while it keeps
 * dying young.
 */
export class Launcher {
  readonly groups: number[][];
  readonly #manager: ShardingManager;
  readonly #logger: Logger;
  readonly #restartTimers = new Set<NodeJS.Timeout>();
  /** the children (by index) that have been ready once: from then on, one that dies is started again */
  readonly #upOnce = new Set<number>();
  #stopping = false;

  constructor(
    private readonly options: LauncherOptions,
    readonly shardCount: number,
  ) {
    const { config, logger } = options;
    this.#logger = logger;
    const shards = config.DISCORD_SHARDS === 'auto' ? [...Array(shardCount).keys()] : config.DISCORD_SHARDS;
    this.groups = shardGroups(shards, config.SHARDS_PER_PROCESS);
    this.#manager = new ShardingManager(options.entry, {
      totalShards: this.groups.length,
      shardList: [...this.groups.keys()],
      respawn: false,
      execArgv: options.execArgv,
      token: config.DISCORD_TOKEN,
    });
    this.#manager.on('shardCreate', (shard) => this.#prepare(shard));
  }

  /** Starts the children one after the other, each once all its shards are ready; rejects with ChildStartError if one dies first. */
  async start(): Promise<void> {
    this.#logger.info({ shardCount: this.shardCount, groups: this.groups }, 'starting one bot process per group of shards');
    for (const [index, group] of this.groups.entries()) {
      if (index > 0) await sleep(IDENTIFY_SPACING_MS);
      if (this.#stopping) return;
      const shard = this.#manager.createShard(index);
      const ready = whenReady(shard, group);
      await shard.spawn(-1);
      await ready;
      this.#upOnce.add(index);
    }
    this.#logger.info({ processes: this.groups.length }, 'every bot process has its shards connected');
  }

  /** SIGTERM to every child (they finish what is in flight), SIGKILL to any still running after STOP_TIMEOUT_MS. */
  async stop(): Promise<void> {
    this.#stopping = true;
    for (const timer of this.#restartTimers) clearTimeout(timer);
    const children = [...this.#manager.shards.values()].map((shard) => shard.process).filter((child) => child !== null);
    await Promise.all(children.map(stopChild));
  }

  #prepare(shard: Shard): void {
    const group = this.groups[shard.id]!;
    shard.env = { ...(shard.env as NodeJS.ProcessEnv), ...childEnvironment(this.options.config, group, shard.id, this.shardCount) };
    let spawnedAt = Date.now();
    let nextDelay = FIRST_RESTART_DELAY_MS;
    shard.on('spawn', (child) => {
      spawnedAt = Date.now();
      this.#logger.info({ process: shard.id, pid: (child as ChildProcess).pid, shards: group }, 'bot process started');
    });
    shard.on('death', (child) => {
      // Before it was ever ready, the start fails instead (see start()).
      if (this.#stopping || !this.#upOnce.has(shard.id)) return;
      if (Date.now() - spawnedAt >= HEALTHY_RUN_MS) nextDelay = FIRST_RESTART_DELAY_MS;
      const delay = nextDelay;
      nextDelay = Math.min(delay * 2, MAX_RESTART_DELAY_MS);
      const { exitCode: code, signalCode: signal } = child as ChildProcess;
      this.#logger.error({ process: shard.id, shards: group, code, signal, restartInMs: delay }, 'bot process exited; starting it again');
      const timer = setTimeout(() => {
        this.#restartTimers.delete(timer);
        if (!this.#stopping) shard.spawn(-1).catch((error: unknown) => this.#logger.error({ err: error, process: shard.id }, 'could not start the bot process again'));
      }, delay);
      this.#restartTimers.add(timer);
    });
  }
}

/** Shard ids in groups of `perProcess`, in order: [0,1,2,3,4] by 2 is [[0,1],[2,3],[4]]. */
export function shardGroups(shards: readonly number[], perProcess: number): number[][] {
  const groups: number[][] = [];
  for (let start = 0; start < shards.length; start += perProcess) groups.push(shards.slice(start, start + perProcess));
  return groups;
}

/**
 * What a child is told, on top of the launcher's environment: its shards
 * (for the bot's config and for discord.js), whether it serves HTTP_PORT
 * (the first child only), and its own METRICS_PORT (base + index, when set
 * and not 0), as every child counts only what it did.
 */
export function childEnvironment(config: Config, group: readonly number[], index: number, shardCount: number): Record<string, string> {
  const env: Record<string, string> = {
    DISCORD_SHARDS: group.join(','),
    DISCORD_SHARD_COUNT: String(shardCount),
    SHARDS: JSON.stringify(group),
    SHARD_COUNT: String(shardCount),
    HTTP_SERVER: String(config.HTTP_SERVER && index === 0),
  };
  if (config.METRICS_PORT) env.METRICS_PORT = String(config.METRICS_PORT + index);
  return env;
}

/**
 * The bot's total number of shards: DISCORD_SHARD_COUNT, else Discord's
 * recommendation. Asked through DISCORD_API_URL: discord.js's own
 * fetchRecommendedShardCount always asks discord.com.
 */
export async function totalShardCount(config: Config): Promise<number> {
  if (config.DISCORD_SHARD_COUNT !== undefined) return config.DISCORD_SHARD_COUNT;
  const rest = new REST({ api: config.DISCORD_API_URL }).setToken(config.DISCORD_TOKEN);
  const { shards } = (await rest.get(Routes.gatewayBot())) as RESTGetAPIGatewayBotResult;
  return shards;
}

/** Resolves once the child has sent `ready` for every shard of its group; rejects if it dies first. */
function whenReady(shard: Shard, group: readonly number[], timeoutMs = START_TIMEOUT_MS): Promise<void> {
  return new Promise((resolve, reject) => {
    let ready = 0;
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`The bot process for shards ${group.join(',')} was not ready within ${timeoutMs / 60_000} minutes; its log is above. Stopping.`));
    }, timeoutMs);
    const onReady = () => {
      ready += 1;
      if (ready < group.length) return;
      cleanup();
      resolve();
    };
    const onDeath = (child: unknown) => {
      cleanup();
      const { exitCode, signalCode } = child as ChildProcess;
      reject(new ChildStartError([...group], exitCode, signalCode));
    };
    const cleanup = () => {
      clearTimeout(timer);
      shard.off('ready', onReady);
      shard.off('death', onDeath);
    };
    shard.on('ready', onReady);
    shard.on('death', onDeath);
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
