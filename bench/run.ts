// npm run bench [-- [--embedded] scenario ...]: runs the real bot against the test bed's fakes and prints a table.
// --embedded (or BENCH_EMBEDDED=1): the bot on its embedded database (no DATABASE_URL), with that mode's targets.
import { cpus } from 'node:os';
import setupTestDatabases from '../test/support/globalSetup.ts';
import { benchMode, type ScenarioResult } from './support/context.ts';
import { acknowledgement } from './scenarios/acknowledgement.ts';
import { auditMemory } from './scenarios/auditMemory.ts';
import { cache } from './scenarios/cache.ts';
import { httpProcesses } from './scenarios/httpProcesses.ts';
import { refreshStorm } from './scenarios/refreshStorm.ts';
import { roleSync } from './scenarios/roleSync.ts';
import { startup } from './scenarios/startup.ts';
import { warmWallet } from './scenarios/warmWallet.ts';

const SCENARIOS: Record<string, () => Promise<ScenarioResult[]>> = {
  warm: warmWallet,
  ack: acknowledgement,
  storm: refreshStorm,
  cache,
  startup,
  audit: auditMemory,
  roles: roleSync,
  http: httpProcesses,
};

const args = process.argv.slice(2);
benchMode.embedded = args.includes('--embedded') || process.env.BENCH_EMBEDDED === '1';
const names = args.filter((arg) => arg !== '--embedded');
const chosen = names.length ? names : Object.keys(SCENARIOS);
const unknown = chosen.filter((name) => !SCENARIOS[name]);
if (unknown.length) {
  console.error(`unknown scenario(s): ${unknown.join(', ')}; known: ${Object.keys(SCENARIOS).join(', ')}`);
  process.exit(1);
}

const teardown = await setupTestDatabases();
const results: ScenarioResult[] = [];
try {
  for (const name of chosen) {
    process.stderr.write(`running ${name}…\n`);
    results.push(...(await SCENARIOS[name]!()));
  }
} finally {
  await teardown();
}

const database = benchMode.embedded ? 'embedded database (no DATABASE_URL)' : 'PostgreSQL';
const lines = [`Node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), ${database}, ${new Date().toISOString().slice(0, 10)}`, ''];
for (const result of results) {
  lines.push(`### ${result.name}`, '');
  if (result.skipped) lines.push(`Skipped: ${result.skipped}`, '');
  if (result.rows.length === 0) continue;
  lines.push('| metric | value | target | |', '|---|---|---|---|');
  for (const row of result.rows) lines.push(`| ${row.metric} | ${row.value} | ${row.target ?? ''} | ${row.ok === undefined ? '' : row.ok ? 'met' : 'MISSED'} |`);
  lines.push('');
}
console.log(lines.join('\n'));
process.exit(0);
