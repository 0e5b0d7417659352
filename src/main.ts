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

  shutdownOnSignals(logger, () => app.stop());
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));
}

await main();
