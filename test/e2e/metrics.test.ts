import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, ROOT } from '../support/botProcess.ts';
import { bedWithLinkedPilots } from '../support/linking.ts';
import { parsePrometheusText, sampleValue as sample } from '../support/prometheusText.ts';
import { TestBed } from '../support/testBed.ts';


const USER = '200000000000000041';
const PILOT = { id: 92200001, name: 'Metric Pilot', wallet: 5_000 };

describe('GET /metrics and /readyz', () => {
  let bed: TestBed;
  beforeAll(async () => {
    bed = await bedWithLinkedPilots(USER, [PILOT]);
  });
  afterAll(async () => {
    await bed?.stop();
  });

  const scrape = async (base = bed.httpUrl) => {
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    // Strictly, as Prometheus reads it: a malformed line, label or histogram throws.
    return parsePrometheusText(await response.text());
  };
  const wallet = async () => {
    const interaction = await bed.discord.sendCommand({ name: 'wallet', userId: USER });
    await interaction.waitForReply((r) => !r.loading, 20_000);
  };

  it('then a scrape parses, with process metrics and every family the README lists', async () => {
    const families = await scrape();
    // Every evebot_* name in the README's table of metrics (its "Metric" column), so a metric added there is checked here.
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('| Metric | What it says |')).split('\n\n')[0]!;
    const listed = [...new Set([...table.matchAll(/^\| ([^|]+) \|/gm)].flatMap((row) => [...row[1]!.matchAll(/`(evebot_\w+)/g)].map((m) => m[1]!)))];
    expect(listed).toEqual(expect.arrayContaining(['evebot_esi_error_limit_remaining', 'evebot_esi_rate_limit_remaining', 'evebot_discord_rate_limited_total', 'evebot_build_info']));
    // process_* and nodejs_*: prom-client's default metrics, one of each.
    for (const name of ['process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', ...listed]) {
      expect(families.has(name), name).toBe(true);
    }
    // And the other way: the README lists every evebot_* family served.
    for (const name of families.keys()) if (name.startsWith('evebot_')) expect(listed, `${name} (README, Monitoring)`).toContain(name);
    expect(families.get('evebot_command_duration_seconds')?.type).toBe('histogram');
    // The Grafana dashboard under docs/ graphs only metrics the bot serves.
    const dashboard = readFileSync(join(ROOT, 'docs/grafana-dashboard.json'), 'utf8');
    const used = new Set([...dashboard.matchAll(/\b((?:evebot|process|nodejs)_\w+)/g)].map((m) => m[1]!.replace(/_bucket$/, '')));
    expect(used.size).toBeGreaterThan(10);
    for (const name of used) expect(families.has(name), `${name} (docs/grafana-dashboard.json)`).toBe(true);
    expect(sample(families, 'evebot_logins', { state: 'alive' })).toBe(1);
    expect(sample(families, 'evebot_logins', { state: 'dead' })).toBe(0);
  });

  it("then the version is package.json's everywhere: evebot_build_info, the User-Agent sent to the SSO and to ESI, and the start's log lines", async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const families = await scrape();
    const [info, ...more] = families.get('evebot_build_info')?.samples ?? [];
    expect(more).toHaveLength(0);
    expect(info?.labels).toEqual({ version, node: expect.stringMatching(/^v\d+\.\d+\.\d+/) });
    expect(info?.value).toBe(1);
    // The link above went through the SSO (code exchange), and /wallet through ESI.
    await wallet();
    const agent = `eve-corp-bot/${version} (tests@example.org)`;
    expect(bed.eve.tokenRequests.length).toBeGreaterThan(0);
    for (const request of bed.eve.tokenRequests) expect(request.userAgent).toBe(agent);
    expect(bed.eve.esiRequests.length).toBeGreaterThan(0);
    for (const request of bed.eve.esiRequests) expect(request.headers['user-agent']).toBe(agent);
    // And in the log: the first line of the start and 'bot ready'.
    const lines = bed.bot!.stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { msg: string; version?: string });
    expect(lines[0]).toMatchObject({ msg: 'starting', version });
    expect(lines.find((line) => line.msg === 'bot ready')?.version).toBe(version);
  });

  it('when commands run, then the counters move: commands by outcome, latency, acknowledgement lag, ESI by route template, cache', async () => {
    const before = await scrape();
    await wallet();
    await wallet();
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string> = {}) => (sample(after, name, labels) ?? 0) - (sample(before, name, labels) ?? 0);
    expect(delta('evebot_commands_total', { command: 'wallet', outcome: 'ok' })).toBe(2);
    expect(delta('evebot_command_duration_seconds_count', { command: 'wallet' })).toBe(2);
    expect(delta('evebot_interaction_ack_lag_seconds_count')).toBe(2);
    // One ESI request for the first /wallet, the second is served from the cache; the route is a template, not a character.
    const routes = after.get('evebot_esi_requests_total')!.samples.map((m) => m.labels.route);
    expect(routes).toContain('/characters/{id}/wallet');
    expect(routes.some((r) => /\d{5,}/.test(r ?? ''))).toBe(false);
    expect(delta('evebot_esi_cache_total', { result: 'hit' })).toBeGreaterThanOrEqual(1);
    // The replies went out through Discord's REST (interaction callbacks or webhook edits).
    expect(delta('evebot_discord_requests_total', { method: 'POST' }) + delta('evebot_discord_requests_total', { method: 'PATCH' })).toBeGreaterThanOrEqual(2);
  });

  it('when a refresh happens, then it is counted by outcome', async () => {
    await bed.db.grant.updateMany({ data: { accessTokenExpiresAt: new Date(Date.now() - 60_000) } });
    const before = await scrape();
    await wallet();
    const after = await scrape();
    expect((sample(after, 'evebot_token_refreshes_total', { outcome: 'refreshed' }) ?? 0) - (sample(before, 'evebot_token_refreshes_total', { outcome: 'refreshed' }) ?? 0)).toBe(1);
  });

  it('then /readyz is 200 with every check ok, and /healthz 200', async () => {
    const ready = await fetch(`${bed.httpUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { discord: 'ok', database: 'ok', migrations: 'ok' } });
    expect((await fetch(`${bed.httpUrl}/healthz`)).status).toBe(200);
  });

  it('given a migration of this version missing from the database, then /readyz is 503 and names it', async () => {
    const [last] = await bed.db.$queryRaw<{ migration_name: string }[]>`SELECT migration_name FROM _prisma_migrations ORDER BY migration_name DESC LIMIT 1`;
    await bed.db.$executeRaw`UPDATE _prisma_migrations SET rolled_back_at = now() WHERE migration_name = ${last!.migration_name}`;
    try {
      const response = await fetch(`${bed.httpUrl}/readyz`);
      expect(response.status).toBe(503);
      expect(((await response.json()) as { checks: { migrations: string } }).checks.migrations).toContain(last!.migration_name);
    } finally {
      await bed.db.$executeRaw`UPDATE _prisma_migrations SET rolled_back_at = NULL WHERE migration_name = ${last!.migration_name}`;
    }
  });

  it('given METRICS_PORT, then /metrics is served there and not on the public port', async () => {
    const port = await freePort();
    await bed.bot!.stop();
    await bed.startBot({ METRICS_PORT: String(port) });
    expect((await fetch(`${bed.httpUrl}/metrics`)).status).toBe(404);
    const families = await scrape(`http://127.0.0.1:${port}`);
    expect(families.has('evebot_commands_total')).toBe(true);
  });
});
