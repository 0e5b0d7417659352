// npm run deploy-commands: registers the slash commands now, whatever the stored hash says.
import { existsSync } from 'node:fs';
import { REST, Routes } from 'discord.js';
import { registerCommands } from '../src/bot/registration.ts';
import { commandDefinitions, loadCommands } from '../src/bot/registry.ts';
import { ConfigError, loadConfig } from '../src/config.ts';
import { createDatabase } from '../src/db/client.ts';
import { applyPendingMigrations } from '../src/db/migrations.ts';
import { openDatabaseTarget } from '../src/db/target.ts';
import { createLogger, flushLogger } from '../src/log.ts';

if (existsSync('.env')) process.loadEnvFile('.env');
let config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
const logger = createLogger({ level: config.LOG_LEVEL, secrets: [config.DISCORD_TOKEN, config.EVE_CLIENT_SECRET, config.TOKEN_ENCRYPTION_KEY] });
const target = await openDatabaseTarget(config);
const database = createDatabase(target.url, { maxConnections: 1 });
try {
  await applyPendingMigrations(target.url);
  const rest = new REST({ api: config.DISCORD_API_URL }).setToken(config.DISCORD_TOKEN);
  const application = (await rest.get(Routes.currentApplication())) as { id: string };
  const commands = await loadCommands();
  await registerCommands({
    rest,
    applicationId: application.id,
    guildId: config.DISCORD_GUILD_ID,
    definitions: commandDefinitions(commands),
    database,
    logger,
    force: true,
  });
  process.stdout.write(`Registered ${commands.size} commands ${config.DISCORD_GUILD_ID ? `in guild ${config.DISCORD_GUILD_ID}` : 'globally'}.\n`);
} catch (error) {
  process.stderr.write(`Could not register the commands: ${(error as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await database.$disconnect();
  await target.close();
  await flushLogger(logger);
}
