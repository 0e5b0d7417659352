import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configOrExit, failStart, loggerFor, shutdownOnSignals } from './entryPoint.ts';
import { ChildStartError, Launcher, totalShardCount } from './bot/shardLauncher.ts';
import { BOT_VERSION } from './version.ts';

/**
 * Entry point of `npm run start:sharded`: one bot process per group of
 * gateway shards (see Launcher). The children read the same configuration;
 * it is checked here first, so a mistake is one message, not a child that
 * dies at every start.
 */
async function main(): Promise<void> {
  const config = configOrExit();
  const logger = loggerFor(config).child({ launcher: true });
  logger.info({ version: BOT_VERSION, node: process.version }, 'starting the launcher');

  if (config.DISCORD_PUBLIC_KEY) {
    return failStart(logger, 'npm run start:sharded splits the gateway\'s shards; with DISCORD_PUBLIC_KEY (HTTP interactions) run several `npm start` behind a load balancer instead (see README, More than one process)');
  }
  if (!config.DATABASE_URL) {
    return failStart(logger, 'npm run start:sharded needs DATABASE_URL: the embedded database serves one process');
  }
  let shardCount: number;
  try {
    shardCount = await totalShardCount(config);
  } catch (error) {
    return failStart(logger, `Cannot ask Discord how many shards to run (set DISCORD_SHARD_COUNT, or check DISCORD_TOKEN and DISCORD_API_URL): ${(error as Error).message}`);
  }
  // The bot entry next to this one: dist/src/main.js when compiled.
  const entry = fileURLToPath(new URL(`./main${extname(fileURLToPath(import.meta.url))}`, import.meta.url));
  const launcher = new Launcher({ config, logger, entry, execArgv: process.execArgv }, shardCount);

  const shutdown = shutdownOnSignals(logger, () => launcher.stop());

  try {
    await launcher.start();
  } catch (error) {
    // Stopped by a signal while starting: not a failure.
    if (shutdown.begun) return;
    await launcher.stop();
    await failStart(logger, error instanceof ChildStartError ? error.message : `Start failed: ${(error as Error).message}`, error instanceof ChildStartError ? undefined : error);
  }
}

await main();
