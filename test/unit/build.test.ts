import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/projectRoot.ts';
import { commandDefinitions, definitionsHash, loadCommands } from '../../src/bot/registry.ts';
import { npmScriptArguments, ROOT } from '../support/botProcess.ts';

// Issue 14: a build, not a transpiler at run time. test/support/globalSetup.ts builds dist/ before the run.
describe('the build in dist/', () => {
  it('is what npm start and the maintenance scripts run: compiled JavaScript, no TypeScript loader', () => {
    for (const script of ['start', 'db:migrate', 'deploy-commands', 'db:move', 'keys:rotate']) {
      const args = npmScriptArguments(script);
      expect(args.join(' '), script).not.toMatch(/tsx|\.ts\b/);
      expect(args.at(-1), script).toMatch(/\/dist\/(src|scripts)\/[\w-]+\.js$/);
    }
  });

  it('given the current sources, then the compiled registry loads the same slash commands from dist/commands/', async () => {
    const compiled = (await import(pathToFileURL(join(ROOT, 'dist/src/bot/registry.js')).href)) as typeof import('../../src/bot/registry.ts');
    const fromDist = await compiled.loadCommands();
    const fromSource = await loadCommands();
    expect([...fromDist.keys()]).toEqual([...fromSource.keys()]);
    expect(fromDist.size).toBeGreaterThan(0);
    expect(compiled.definitionsHash(compiled.commandDefinitions(fromDist))).toBe(definitionsHash(commandDefinitions(fromSource)));
  });

  it('finds the project root (package.json, prisma/) from source and from dist/ alike', async () => {
    const compiled = (await import(pathToFileURL(join(ROOT, 'dist/src/projectRoot.js')).href)) as typeof import('../../src/projectRoot.ts');
    expect(join(PROJECT_ROOT, '/')).toBe(ROOT);
    expect(compiled.PROJECT_ROOT).toBe(PROJECT_ROOT);
  });
});
