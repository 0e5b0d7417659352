import { Routes, type REST } from 'discord.js';
import type { Database } from '../db/client.ts';
import type { Logger } from '../log.ts';
import { registeredCommands, type RegisteredCommand } from './commandMentions.ts';
import { definitionsHash } from './registry.ts';

export interface RegistrationOptions {
  rest: REST;
  applicationId: string;
  /** register in one guild (development) instead of globally */
  guildId?: string;
  definitions: unknown[];
  database: Database;
  logger: Logger;
  /** register even when the stored hash matches (npm run deploy-commands) */
  force?: boolean;
}

export interface Registration {
  outcome: 'registered' | 'unchanged';
  /** the id Discord gave each command: for command mentions */
  commands: RegisteredCommand[];
}

/**
 * Bulk-overwrites the application's commands when their definitions changed
 * since the last registration. The hash (and the ids Discord answered) live
 * in the database, so a fleet of processes registers once per change, not
 * once per start.
 */
export async function registerCommands(options: RegistrationOptions): Promise<Registration> {
  const scope = options.guildId ? `guild:${options.guildId}` : 'global';
  const hash = definitionsHash([options.applicationId, options.definitions]);
  if (!options.force) {
    const last = await options.database.commandRegistration.findUnique({ where: { scope } });
    const commands = registeredCommands(last?.ids);
    // A row from before ids were kept registers again, once, to learn them.
    if (last?.hash === hash && commands.length > 0) {
      options.logger.debug({ scope }, 'commands unchanged; not registering');
      return { outcome: 'unchanged', commands };
    }
  }
  const route = options.guildId
    ? Routes.applicationGuildCommands(options.applicationId, options.guildId)
    : Routes.applicationCommands(options.applicationId);
  const commands = registeredCommands(await options.rest.put(route, { body: options.definitions }));
  const ids = commands.map((c) => ({ name: c.name, id: c.id, subcommands: c.subcommands ?? [] }));
  await options.database.commandRegistration.upsert({
    where: { scope },
    create: { scope, hash, ids },
    update: { hash, ids, registeredAt: new Date() },
  });
  options.logger.info({ scope, commands: options.definitions.length }, 'commands registered');
  return { outcome: 'registered', commands };
}
