import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Command } from './command.ts';

// The build (dist/) mirrors the source tree, so commands/ sits at the same place relative to this
// module either way; its modules carry this module's extension: .ts from source, .js from dist.
const COMMANDS_DIR = fileURLToPath(new URL('../../commands/', import.meta.url));
const MODULE_EXTENSION = extname(fileURLToPath(import.meta.url));

/** Loads every module of commands/ (one default-exported Command each), sorted by name. */
export async function loadCommands(directory = COMMANDS_DIR): Promise<Map<string, Command>> {
  // `_format.ts` and the like are helpers, `x.test.ts` is no command, `x.js.map` no module.
  const files = (await readdir(directory))
    .filter((f) => extname(f) === MODULE_EXTENSION && /^[a-z][\w-]*$/.test(basename(f, MODULE_EXTENSION)))
    .sort();
  const commands = new Map<string, Command>();
  for (const file of files) {
    const module = (await import(pathToFileURL(`${directory}/${file}`).href)) as { default?: Command };
    const command = module.default;
    if (!command?.data?.name || typeof command.execute !== 'function') {
      throw new Error(`commands/${file} must default-export a command (data, help, execute)`);
    }
    if (commands.has(command.data.name)) throw new Error(`two commands are named /${command.data.name}`);
    commands.set(command.data.name, command);
  }
  return commands;
}

export function commandDefinitions(commands: Map<string, Command>) {
  return [...commands.values()].map((command) => command.data.toJSON());
}

/** A stable hash of what Discord would be sent: registration happens only when it changes. */
export function definitionsHash(definitions: unknown[]): string {
  return createHash('sha256').update(stableJson(definitions)).digest('hex');
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
