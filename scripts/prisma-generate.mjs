// Runs `prisma generate` without the native schema engine, which these
// machines cannot download: generate does not use it, but the CLI looks for
// it unless PRISMA_SCHEMA_ENGINE_BINARY names an existing file.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const cli = require.resolve('prisma/build/index.js');
const root = fileURLToPath(new URL('..', import.meta.url));
const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;
const result = spawnSync(process.execPath, [cli, 'generate'], { cwd: root, env, stdio: 'inherit' });
if (result.status === 0) releaseCompilerSource();
process.exit(result.status ?? 1);

/**
 * The generated client imports Prisma's query compiler as a 2.3 MB base64
 * string in an ES module, which stays loaded for the life of the process
 * (its source text and its export: about 4.6 MB of heap). Loaded through
 * require instead and dropped from the require cache once compiled, both can
 * be collected; the compiled WebAssembly module is all the client keeps.
 */
function releaseCompilerSource() {
  const file = join(root, 'src/db/generated/internal/class.ts');
  const source = readFileSync(file, 'utf8');
  const pattern = /const \{ wasm \} = await import\("(@prisma\/client\/runtime\/query_compiler_\w+_bg\.\w+\.wasm-base64)\.mjs"\)\n(\s*)return await decodeBase64AsWasm\(wasm\)/;
  const match = pattern.exec(source);
  if (!match) {
    if (!source.includes('releasedCompilerSource')) process.stderr.write('prisma-generate: the query compiler loader changed shape; left as generated\n');
    return;
  }
  const [whole, specifier, indent] = match;
  const replacement = [
    `// releasedCompilerSource (scripts/prisma-generate.mjs): loaded through require and dropped from its cache once compiled.`,
    `${indent}const { createRequire } = await import('node:module')`,
    `${indent}const require = createRequire(import.meta.url)`,
    `${indent}const path = require.resolve("${specifier}.js")`,
    `${indent}const compiled = await decodeBase64AsWasm(require(path).wasm)`,
    `${indent}delete require.cache[path]`,
    `${indent}return compiled`,
  ].join('\n');
  writeFileSync(file, source.replace(whole, replacement));
}
