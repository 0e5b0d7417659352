// npm run build: compiles src/, commands/ and the maintenance scripts to dist/ with tsc
// (tsconfig.build.json): the same tree one level down, each .ts a .js, imports rewritten to .js.
//
// `--if-stale` (before npm start and the other npm scripts that run dist/, and once per test run)
// builds only when a source changed since the last build: the files under src/, commands/ and
// scripts/ and the tsconfigs, by path, size and mtime, are compared with what the last good build
// recorded, so an edit, a new file, a deleted file or a checkout all count. Up to date, it takes
// milliseconds and needs no TypeScript; stale, an incremental tsc takes seconds.
//
// Plain JavaScript on purpose: it runs before anything is compiled, without tsx.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');
const SOURCE_DIRS = ['src', 'commands', 'scripts'];
const CONFIG_FILES = ['tsconfig.json', 'tsconfig.build.json'];
/** What the last successful build was made from (see sourcesFingerprint). */
const STAMP = join(DIST, '.sources');

/** Every file under `directory`, recursively, as paths relative to the project. */
function filesUnder(directory) {
  const found = [];
  for (const entry of readdirSync(join(ROOT, directory), { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) found.push(...filesUnder(path));
    else found.push(path);
  }
  return found;
}

/** One line per input file: path, size and mtime. Any change to the inputs changes it. */
function sourcesFingerprint() {
  const files = [...SOURCE_DIRS.flatMap(filesUnder), ...CONFIG_FILES].sort();
  return files
    .map((file) => {
      const { size, mtimeMs } = statSync(join(ROOT, file));
      return `${file} ${size} ${mtimeMs}\n`;
    })
    .join('');
}

/** tsc does not delete what it emitted for a source that is gone: a deleted command must not live on in dist/. */
function pruneOrphans() {
  let pruned = 0;
  for (const directory of SOURCE_DIRS) {
    if (!existsSync(join(DIST, directory))) continue;
    for (const file of filesUnder(relative(ROOT, join(DIST, directory)))) {
      const emitted = /\.js(\.map)?$/.exec(file);
      if (!emitted) continue;
      const source = join(ROOT, relative('dist', file.slice(0, emitted.index)) + '.ts');
      if (!existsSync(source)) {
        rmSync(join(ROOT, file));
        pruned += 1;
      }
    }
  }
  return pruned;
}

const ifStale = process.argv.includes('--if-stale');
const fingerprint = sourcesFingerprint();
if (ifStale && existsSync(STAMP) && readFileSync(STAMP, 'utf8') === fingerprint) process.exit(0);

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  console.error('dist/ is missing or older than the sources, and TypeScript is not installed: run `npm install` (or build dist/ where it is installed).');
  process.exit(1);
}

const started = Date.now();
if (ifStale) console.error('dist/ is missing or older than the sources: building it (npm run build)');
const result = spawnSync(process.execPath, [tsc, '--project', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, stdio: 'inherit' });
if (result.status !== 0) {
  console.error(`build failed: tsc ${result.signal ? `was killed (${result.signal})` : `exited with ${result.status}`}; dist/ was left as it was`);
  process.exit(1);
}
const pruned = pruneOrphans();
writeFileSync(STAMP, fingerprint);
console.error(`built dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s${pruned ? ` (removed ${pruned} files whose source is gone)` : ''}`);
