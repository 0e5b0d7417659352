// npm run deploy-commands: registers the slash commands now, whatever the stored hash says.
import { REST, Routes } from 'discord.js';
import { registerCommands } from '../src/bot/registration.ts';
import { commandDefinitions, loadCommands } from '../src/bot/registry.ts';
import { secretValues } from '../src/config.ts';
import { createDatabase } from '../src/db/client.ts';
import { applyPendingMigrations } from '../src/db/migrations.ts';
import { openDatabaseTarget } from '../src/db/target.ts';
import { createLogger, flushLogger } from '../src/log.ts';
import { loadScriptConfig } from './scriptConfig.ts';

const config = loadScriptConfig();
const logger = createLogger({ level: config.LOG_LEVEL, format: config.LOG_FORMAT, secrets: secretValues(config) });
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
