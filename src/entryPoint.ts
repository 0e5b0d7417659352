import { existsSync } from 'node:fs';
import { ConfigError, loadConfig, secretValues, type Config } from './config.ts';
import { createLogger, flushLogger, scrubSecrets, type Logger } from './log.ts';

/**
 * The configuration of an entry point (`npm start`, `npm run start:sharded`),
 * from the environment and `.env` in the working directory. Invalid: one
 * clear message listing every problem, and exit 1; no stack trace.
 */
export function configOrExit(): Config {
  if (existsSync('.env')) process.loadEnvFile('.env');
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

export function loggerFor(config: Config): Logger {
  return createLogger({ level: config.LOG_LEVEL, format: config.LOG_FORMAT, secrets: secretValues(config) });
}

/** A start that cannot go on: the reason in the log and as one line on stderr, then exit 1. */
export async function failStart(logger: Logger, message: string, error?: unknown): Promise<never> {
  logger.fatal({ err: error }, message);
  await flushLogger(logger);
  process.stderr.write(`${scrubSecrets(message)}\n`);
  process.exit(1);
}

export interface Shutdown {
  /** stop (once, whatever asks first), then exit 0 */
  (reason: NodeJS.Signals | string): Promise<void>;
  /** whether a stop has begun */
  readonly begun: boolean;
}

/** SIGINT and SIGTERM stop the process cleanly: `stop` runs once, then the log is flushed and the process exits 0. */
export function shutdownOnSignals(logger: Logger, stop: () => Promise<void>): Shutdown {
  let begun = false;
  const shutdown = async (reason: string) => {
    if (begun) return;
    begun = true;
    logger.info({ signal: reason }, 'shutting down');
    await stop();
    logger.info('stopped');
    await flushLogger(logger);
    process.exit(0);
  };
  process.on('SIGINT', (signal) => void shutdown(signal));
  process.on('SIGTERM', (signal) => void shutdown(signal));
  return Object.defineProperty(shutdown, 'begun', { get: () => begun }) as Shutdown;
}
