import { Routes, type REST } from 'discord.js';
import type { Database } from '../db/client.ts';
import type { Logger } from '../log.ts';
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

/**
 * Bulk-overwrites the application's commands when their definitions changed
 * since the last registration. The hash lives in the database, so a fleet of
 * processes registers once per change, not once per start.
 */
export async function registerCommands(options: RegistrationOptions): Promise<'registered' | 'unchanged'> {
  const scope = options.guildId ? `guild:${options.guildId}` : 'global';
  const hash = definitionsHash([options.applicationId, options.definitions]);
  if (!options.force) {
    const last = await options.database.commandRegistration.findUnique({ where: { scope } });
    if (last?.hash === hash) {
      options.logger.debug({ scope }, 'commands unchanged; not registering');
      return 'unchanged';
    }
  }
  const route = options.guildId
    ? Routes.applicationGuildCommands(options.applicationId, options.guildId)
    : Routes.applicationCommands(options.applicationId);
  await options.rest.put(route, { body: options.definitions });
  await options.database.commandRegistration.upsert({
    where: { scope },
    create: { scope, hash },
    update: { hash, registeredAt: new Date() },
  });
  options.logger.info({ scope, commands: options.definitions.length }, 'commands registered');
  return 'registered';
}
