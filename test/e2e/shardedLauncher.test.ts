import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotProcess, type LogLine } from '../support/botProcess.ts';
import { CORP, linkCharacter } from '../support/linking.ts';
import { charactersAnsweredAt, GUILD_ON_SHARD_0, GUILD_ON_SHARD_1, SHARD_GUILDS as GUILDS } from '../support/shardGuilds.ts';
import { TestBed } from '../support/testBed.ts';

const isReady = (line: LogLine) => line.msg === 'bot ready';
const shardsOf = (line: LogLine) => (line.shards as { ids: number[] }).ids.join(',');

/** `npm run start:sharded`, as users run it, against the bed's fakes. */
function startLauncher(bed: TestBed, env: Record<string, string>): BotProcess {
  return new BotProcess({ ...bed.env, ...env }, { script: 'start:sharded' });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Sends /characters in a guild as a new user: answered exactly once, and never refused. */
async function answeredOnce(bed: TestBed, guildId: string, userId: string): Promise<void> {
  const handle = await bed.discord.sendCommand({ name: 'characters', userId, guildId });
  expect(JSON.stringify(await handle.waitForReply())).toContain('/link');
  expect(handle.responses.filter((r) => r.kind === 'callback')).toHaveLength(1);
  expect(handle.refused).toEqual([]);
}

describe('given npm run start:sharded, Discord recommending two shards and SHARDS_PER_PROCESS=1', () => {
  let bed: TestBed;
  let launcher: BotProcess;
  /** pid of the child on each shard, from its 'bot ready' line */
  const childOn: Record<string, number> = {};
  beforeAll(async () => {
    bed = await TestBed.start({ startBot: false, discord: { guilds: GUILDS, recommendedShards: 2 } });
    bed.eve.addCorporation(CORP);
    // METRICS_PORT=0: every child serves its own /metrics on a port of its own.
    launcher = startLauncher(bed, { SHARDS_PER_PROCESS: '1', METRICS_PORT: '0' });
    for (const line of await launcher.waitForLogs(isReady, 2, 90_000)) childOn[shardsOf(line)] = Number(line.pid);
    await launcher.waitForLog((line) => line.msg === 'every bot process has its shards connected');
  }, 120_000);
  afterAll(async () => {
    await launcher?.stop();
    await bed?.stop();
  });

  it('then two child processes each identify their own shard of two', () => {
    expect(Object.keys(childOn).sort()).toEqual(['0', '1']);
    expect(new Set([childOn[0], childOn[1], launcher.pid]).size).toBe(3);
    const ready = launcher.logs.filter(isReady).map((line) => line.shards);
    expect(ready).toHaveLength(2);
    expect(ready).toEqual(expect.arrayContaining([{ ids: [0], count: 2 }, { ids: [1], count: 2 }]));
    const identified = bed.discord.gatewayConnections.filter((c) => c.sessionId !== undefined);
    expect(identified.map((c) => c.shard)).toEqual([[0, 2], [1, 2]]);
    expect(launcher.logs.filter((line) => line.msg === 'bot process started').map((line) => line.shards)).toEqual([[0], [1]]);
  });

  it('then only the child on shard 0 serves HTTP_PORT (health, readiness), and the other says it has none', async () => {
    const listening = launcher.logs.filter((line) => line.msg === 'http server listening');
    expect(listening.map((line) => [line.pid, line.port])).toEqual([[childOn[0], Number(bed.env.HTTP_PORT)]]);
    expect(launcher.logs.filter((line) => line.msg?.startsWith('no http server')).map((line) => line.pid)).toEqual([childOn[1]]);
    expect((await fetch(`${bed.httpUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${bed.httpUrl}/readyz`)).status).toBe(200);
  });

  it("then commands from guilds on both shards are each answered once, by the child that owns the guild's shard", async () => {
    for (const [index, guild] of GUILDS.entries()) {
      for (let user = 0; user < 3; user += 1) await answeredOnce(bed, guild.id, `20000000000000${index}${user}00`);
    }
    const metricsPorts = new Map(launcher.logs.filter((line) => line.msg === 'metrics server listening').map((line) => [Number(line.pid), Number(line.port)]));
    expect(await charactersAnsweredAt(metricsPorts.get(childOn[0]!)!)).toBe(3);
    expect(await charactersAnsweredAt(metricsPorts.get(childOn[1]!)!)).toBe(3);
  });

  it('then a /link from the guild on shard 1 completes through the SSO callback that the child on shard 0 serves', async () => {
    bed.eve.addCharacter({ id: 90001001, name: 'Sharded Sam', corporationId: CORP.id });
    const { interaction, page, html } = await linkCharacter(bed, '200000000000000777', 90001001, { guildId: GUILD_ON_SHARD_1 });
    expect(page.status).toBe(200);
    expect(html).toContain('Linked Sharded Sam (Alpha Industries)');
    // The reply to /link, given by the child on shard 1, is edited once the other child has the login.
    expect((await interaction.waitForReply((r) => /Linked/.test(r.content ?? ''))).content).toMatch(/^Linked \*\*Sharded Sam\*\*/);
    expect((await bed.db.character.findUnique({ where: { id: 90001001n } }))?.discordUserId).toBe(200000000000000777n);
  });

  it('then a child that dies is started again on its shard, and answers its guild once', async () => {
    const dead = childOn[1]!;
    process.kill(dead, 'SIGKILL');
    const restarted = (await launcher.waitForLogs((line) => isReady(line) && shardsOf(line) === '1', 2, 60_000))[1]!;
    expect(restarted.pid).not.toBe(dead);
    childOn[1] = Number(restarted.pid);
    expect(launcher.logs.find((line) => line.msg === 'bot process exited; starting it again')).toMatchObject({ shards: [1], signal: 'SIGKILL' });
    await answeredOnce(bed, GUILD_ON_SHARD_1, '200000000000000888');
    await answeredOnce(bed, GUILD_ON_SHARD_0, '200000000000000889');
  });

  it('then SIGTERM to the launcher stops every child cleanly, and the launcher exits 0', async () => {
    const children = [childOn[0]!, childOn[1]!];
    expect(await launcher.stop()).toBe(0);
    expect(children.filter(isAlive)).toEqual([]);
    expect(launcher.logs.filter((line) => line.msg === 'stopped').map((line) => Number(line.pid)).sort()).toEqual([...children, launcher.pid].sort());
  });
});

describe('given npm run start:sharded with DISCORD_SHARD_COUNT=2 and SHARDS_PER_PROCESS=2', () => {
  let bed: TestBed;
  let launcher: BotProcess;
  beforeAll(async () => {
    // Discord would recommend one shard: the count comes from DISCORD_SHARD_COUNT.
    bed = await TestBed.start({ startBot: false, discord: { guilds: GUILDS } });
    launcher = startLauncher(bed, { SHARDS_PER_PROCESS: '2', DISCORD_SHARD_COUNT: '2' });
    await launcher.waitForReady(90_000);
    await launcher.waitForLog((line) => line.msg === 'every bot process has its shards connected');
  }, 120_000);
  afterAll(async () => {
    await launcher?.stop();
    await bed?.stop();
  });

  it('then one child connects both shards, serves HTTP_PORT and answers in both guilds', async () => {
    expect(launcher.logs.filter((line) => line.msg === 'bot process started').map((line) => line.shards)).toEqual([[0, 1]]);
    expect(launcher.logs.filter(isReady).map((line) => line.shards)).toEqual([{ ids: [0, 1], count: 2 }]);
    expect(bed.discord.gatewayConnections.filter((c) => c.sessionId !== undefined).map((c) => c.shard)).toEqual([[0, 2], [1, 2]]);
    expect(launcher.logs.filter((line) => line.msg === 'http server listening')).toHaveLength(1);
    expect((await fetch(`${bed.httpUrl}/healthz`)).status).toBe(200);
    await answeredOnce(bed, GUILD_ON_SHARD_0, '200000000000000901');
    await answeredOnce(bed, GUILD_ON_SHARD_1, '200000000000000902');
  });

  it('then if the launcher is killed, its child stops by itself, cleanly (a new launcher would find the shards free)', async () => {
    const child = Number(launcher.logs.find(isReady)!.pid);
    await launcher.stop('SIGKILL');
    // The child still writes to the stdout it shared with the launcher.
    await expect.poll(() => isAlive(child), { timeout: 20_000 }).toBe(false).finally(() => {
      if (isAlive(child)) process.kill(child, 'SIGKILL');
    });
    expect(launcher.logs.find((line) => line.msg === 'shutting down' && line.pid === child)?.signal).toBe('launcher gone');
    expect(launcher.logs.some((line) => line.msg === 'stopped' && line.pid === child)).toBe(true);
    expect(launcher.stderr).not.toContain('ERR_IPC_CHANNEL_CLOSED');
  });
});

describe('given npm run start:sharded and a child that cannot start (the database refuses connections)', () => {
  let bed: TestBed;
  beforeAll(async () => {
    bed = await TestBed.start({ startBot: false, discord: { guilds: GUILDS } });
  });
  afterAll(async () => {
    await bed?.stop();
  });

  it('then the launcher stops with the reason and exit code 1, without starting the child again or starting the next', async () => {
    const launcher = startLauncher(bed, { DISCORD_SHARD_COUNT: '2', DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/evebot' });
    expect(await launcher.exited).toBe(1);
    expect(launcher.stderr).toContain('Cannot prepare the database');
    expect(launcher.stderr).toContain('The bot process for shards 0 exited (code 1) before it was ready');
    expect(launcher.logs.filter((line) => line.msg === 'bot process started')).toHaveLength(1);
    expect(bed.discord.gatewayConnections).toEqual([]);
  }, 60_000);
});
