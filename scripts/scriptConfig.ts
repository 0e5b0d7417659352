// The configuration of a maintenance script: .env (if present) and the environment, as the bot reads them;
// a problem is printed as the bot prints it, and the script exits 1.
import { existsSync } from 'node:fs';
import { ConfigError, loadConfig, type Config } from '../src/config.ts';

export function loadScriptConfig(): Config {
  if (existsSync('.env')) process.loadEnvFile('.env');
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
