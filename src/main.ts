import { existsSync } from 'node:fs';
import { startApp, StartupError, type App } from './app.ts';
import { ConfigError, loadConfig, secretValues } from './config.ts';
import { createLogger, flushLogger, scrubSecrets } from './log.ts';
import { BOT_VERSION } from './version.ts';

/**
 * Entry point of `npm start`. Problems a user can fix (configuration,
 * database, Discord login) end the start with one clear line and exit 1;
 * no stack trace.
 */
async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');

  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }

  const logger = createLogger({
    level: config.LOG_LEVEL,
    format: config.LOG_FORMAT,
    secrets: secretValues(config),
  });
  logger.info({ version: BOT_VERSION, node: process.version }, 'starting');

  let app: App;
  try {
    app = await startApp(config, logger);
  } catch (error) {
    const message = error instanceof StartupError ? error.message : `Start failed: ${(error as Error).message}`;
    logger.fatal({ err: error instanceof StartupError ? undefined : error }, message);
    await flushLogger(logger);
    process.stderr.write(`${scrubSecrets(message)}\n`);
    process.exit(1);
  }

  let signalled = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (signalled) return;
    signalled = true;
    logger.info({ signal }, 'shutting down');
    await app.stop();
    logger.info('stopped');
    await flushLogger(logger);
    process.exit(0);
  };
  process.on('SIGINT', (signal) => void shutdown(signal));
  process.on('SIGTERM', (signal) => void shutdown(signal));
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));
}

await main();
