import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project's directory: the nearest one above this module that holds package.json.
 * This module is src/projectRoot.ts from source and dist/src/projectRoot.js from the build
 * (dist holds no package.json), so files read at run time by path (package.json, prisma/)
 * are found from here rather than at a fixed depth relative to the module.
 */
export const PROJECT_ROOT = findProjectRoot(dirname(fileURLToPath(import.meta.url)));

/** A path inside the project, e.g. projectPath('prisma', 'migrations'). */
export function projectPath(...segments: string[]): string {
  return join(PROJECT_ROOT, ...segments);
}

function findProjectRoot(from: string): string {
  for (let directory = from; ; directory = dirname(directory)) {
    if (existsSync(join(directory, 'package.json'))) return directory;
    if (dirname(directory) === directory) throw new Error(`no package.json in ${from} or above it`);
  }
}
