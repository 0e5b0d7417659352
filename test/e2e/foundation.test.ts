import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotProcess, freePort, randomEncryptionKey } from '../support/botProcess.ts';
import { ADMIN_DATABASE_URL } from '../support/postgres.ts';
import { TcpProxy } from '../support/tcpProxy.ts';
import { TestBed } from '../support/testBed.ts';

const USER = '200000000000000001';

describe('given the bot started as users start it, against the fakes', () => {
  let bed: TestBed;
  beforeAll(async () => {
    bed = await TestBed.start();
  });
  afterAll(async () => {
    await bed?.stop();
  });

  it('then it identified with the Guilds intent only and registered its commands once', () => {
    expect(bed.discord.identifyIntents).toBe(1); // GatewayIntentBits.Guilds
    const registered = bed.discord.commands('global') as { name: string }[];
    expect(registered.map((c) => c.name).sort()).toEqual(['audit', 'characters', 'help', 'link', 'roles', 'skills', 'unlink', 'wallet']);
    expect(bed.discord.commandRegistrations).toBe(1);
  });

  it('then /help answers ephemerally with every command', async () => {
    const interaction = await bed.discord.sendCommand({ name: 'help', userId: USER });
    const reply = await interaction.waitForReply();
    expect(reply.flags & 64).toBe(64); // ephemeral
    const text = JSON.stringify(reply.embeds);
    for (const name of ['/help', '/link', '/characters', '/unlink', '/wallet', '/skills', '/audit']) expect(text).toContain(name);
    expect(bed.discord.unexpected).toEqual([]);
  });

  it('then /healthz is 200, unknown paths 404 and other methods 405', async () => {
    const health = await fetch(`${bed.httpUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    expect((await fetch(`${bed.httpUrl}/nope`)).status).toBe(404);
    expect((await fetch(`${bed.httpUrl}/healthz`, { method: 'POST' })).status).toBe(405);
  });

  it('given Discord refuses the first reply, then the user still gets an ephemeral error with an id that is in the log', async () => {
    bed.discord.failNext({ method: 'POST', path: /^\/interactions\/\d+\/[^/]+\/callback$/ }, { status: 400, body: { code: 50035, message: 'Invalid Form Body' } }, 1);
    const interaction = await bed.discord.sendCommand({ name: 'help', userId: USER });
    const reply = await interaction.waitForReply((r) => /error id/.test(r.content ?? ''));
    expect(reply.flags & 64).toBe(64);
    const errorId = /`([0-9A-F]{8})`/.exec(reply.content)![1]!;
    await bed.bot!.waitForLog((line) => line.errorId === errorId);
  });

  it('then an unknown command gets a polite ephemeral answer', async () => {
    const interaction = await bed.discord.sendCommand({ name: 'nonexistent', userId: USER });
    const reply = await interaction.waitForReply();
    expect(reply.content).toMatch(/not known/);
  });

  it('then a restart with unchanged commands does not register again, and SIGTERM exits 0', async () => {
    expect(await bed.bot!.stop('SIGTERM')).toBe(0);
    expect(bed.bot!.logs.some((l) => l.msg === 'stopped')).toBe(true);
    await bed.startBot();
    expect(bed.discord.commandRegistrations).toBe(1);
    expect(bed.bot!.logs.some((l) => l.msg === 'migration applied')).toBe(false);
  });

  it('then no secret of the configuration appears in its output', () => {
    for (const name of ['DISCORD_TOKEN', 'EVE_CLIENT_SECRET', 'TOKEN_ENCRYPTION_KEY'] as const) {
      expect(bed.logText).not.toContain(bed.env[name]);
    }
  });
});

describe('given a bad configuration', () => {
  it('then the start fails with one message listing every problem, no stack, exit 1', async () => {
    const bot = new BotProcess({ DISCORD_TOKEN: 'short', TOKEN_ENCRYPTION_KEY: 'bm9wZQ==' });
    expect(await bot.exited).toBe(1);
    expect(bot.stderr).toMatch(/Configuration is invalid/);
    for (const name of ['DISCORD_TOKEN', 'EVE_CLIENT_ID', 'EVE_CLIENT_SECRET', 'EVE_CALLBACK_URL', 'ESI_CONTACT', 'TOKEN_ENCRYPTION_KEY']) {
      expect(bot.stderr).toContain(name);
    }
    expect(bot.stderr).toMatch(/example:/);
    expect(bot.stderr).not.toMatch(/\n\s+at /);
    expect(bot.stderr).not.toContain('bm9wZQ==');
  });
});

describe('given a database that cannot be reached at start', () => {
  it('then one clear line and exit 1', async () => {
    const bot = new BotProcess({
      DISCORD_TOKEN: `MTIzNDU2Nzg5MDEyMzQ1Njc4.abcdef.${'x'.repeat(38)}`,
      EVE_CLIENT_ID: '0123456789abcdef0123456789abcdef',
      EVE_CLIENT_SECRET: 'secret-secret-secret',
      EVE_CALLBACK_URL: 'http://127.0.0.1:1/sso/callback',
      ESI_CONTACT: 'tests@example.org',
      DATABASE_URL: `postgresql://postgres:hunter2hunter2@127.0.0.1:${await freePort()}/nothing`,
      TOKEN_ENCRYPTION_KEY: randomEncryptionKey(),
    });
    expect(await bot.exited).toBe(1);
    const lines = bot.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Cannot prepare the database \(127\.0\.0\.1:\d+\/nothing\)/);
    expect(bot.stderr + bot.stdout).not.toContain('hunter2hunter2');
  });
});

describe('given SSO metadata naming endpoints on another origin', () => {
  it('then the start fails with one clear line and exit 1, and nothing is sent there', async () => {
    const bed = await TestBed.start({ startBot: false });
    try {
      bed.eve.sso.metadataOverrides = { jwks_uri: 'https://keys.attacker.example/jwks', token_endpoint: 'https://tokens.attacker.example/token' };
      const bot = new BotProcess(bed.env);
      expect(await bot.exited).toBe(1);
      const lines = bot.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^EVE SSO metadata names endpoints outside http:\/\/127\.0\.0\.1:\d+ \(token_endpoint: https:\/\/tokens\.attacker\.example, jwks_uri: https:\/\/keys\.attacker\.example\): check EVE_SSO_URL$/);
    } finally {
      await bed.stop();
    }
  });
});

describe('given the database goes away while the bot runs', () => {
  let bed: TestBed;
  let proxy: TcpProxy;
  beforeAll(async () => {
    const admin = new URL(ADMIN_DATABASE_URL);
    proxy = await TcpProxy.start({ host: admin.hostname, port: Number(admin.port || 5432) });
    bed = await TestBed.start({ startBot: false });
    const viaProxy = new URL(bed.database.url);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    await bed.startBot({ DATABASE_URL: viaProxy.toString() });
  });
  afterAll(async () => {
    await bed?.stop();
    await proxy?.close();
  });

  it('then commands say "temporarily unavailable", /readyz is 503 naming the database (/healthz, liveness, stays 200), and both recover by themselves', async () => {
    const before = await bed.discord.sendCommand({ name: 'characters', userId: USER });
    expect((await before.waitForReply()).content).toMatch(/no linked characters/);

    await proxy.cut();
    const during = await bed.discord.sendCommand({ name: 'characters', userId: USER });
    const reply = await during.waitForReply((r) => /temporarily unavailable/.test(r.content ?? ''), 30_000);
    expect(reply.flags & 64).toBe(64);
    const notReady = await fetch(`${bed.httpUrl}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toMatchObject({ status: 'not ready', checks: { discord: 'ok', database: expect.stringContaining('did not answer'), migrations: 'unknown' } });
    expect((await fetch(`${bed.httpUrl}/healthz`)).status).toBe(200);

    await proxy.restore();
    const after = await bed.discord.sendCommand({ name: 'characters', userId: USER });
    expect((await after.waitForReply((r) => /no linked characters/.test(r.content ?? ''), 30_000)).content).toMatch(/use (<\/link:\d+>|\/link)/i);
    expect((await fetch(`${bed.httpUrl}/readyz`)).status).toBe(200);
  });
});
