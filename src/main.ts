import { startApp, StartupError, type App } from './app.ts';
import { configOrExit, failStart, loggerFor, shutdownOnSignals } from './entryPoint.ts';
import { BOT_VERSION } from './version.ts';

/**
 * Entry point of `npm start`. Problems a user can fix (configuration,
 * database, Discord login) end the start with one clear line and exit 1;
 * no stack trace.
 */
async function main(): Promise<void> {
  const config = configOrExit();
  const logger = loggerFor(config);
  logger.info({ version: BOT_VERSION, node: process.version }, 'starting');

  let app: App;
  try {
    app = await startApp(config, logger);
  } catch (error) {
    return failStart(logger, error instanceof StartupError ? error.message : `Start failed: ${(error as Error).message}`, error instanceof StartupError ? undefined : error);
  }

  const shutdown = shutdownOnSignals(logger, () => app.stop());
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));
  if (process.send) {
    // Started by npm run start:sharded, over an IPC channel. If the launcher is gone, this process stops too:
    // a launcher started again starts a child for these shards, and two sessions of one shard both get its events.
    if (!process.connected) void shutdown('launcher gone');
    process.once('disconnect', () => void shutdown('launcher gone'));
    // discord.js reports the shard's state to the launcher; once the channel is closed that is moot, not a crash.
    process.on('error', (error) => logger.debug({ err: error }, 'message to the launcher not sent'));
  }
}

await main();
