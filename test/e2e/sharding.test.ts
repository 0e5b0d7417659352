import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotProcess } from '../support/botProcess.ts';
import { charactersAnsweredAt, SHARD_GUILDS as GUILDS } from '../support/shardGuilds.ts';
import { TestBed } from '../support/testBed.ts';

/** How many /characters this process answered, from its own /metrics. */
async function charactersAnswered(bot: BotProcess): Promise<number> {
  const listening = await bot.waitForLog((line) => line.msg === 'http server listening');
  return charactersAnsweredAt(Number(listening.port));
}

describe('given two bot processes on one database, each connecting one of two gateway shards (DISCORD_SHARDS, DISCORD_SHARD_COUNT)', () => {
  let bed: TestBed;
  const bots: BotProcess[] = [];
  beforeAll(async () => {
    bed = await TestBed.start({ startBot: false, discord: { guilds: GUILDS } });
    for (const shard of ['0', '1']) {
      bots.push(new BotProcess({ ...bed.env, HTTP_PORT: '0', DISCORD_SHARDS: shard, DISCORD_SHARD_COUNT: '2' }));
    }
    await Promise.all(bots.map((bot) => bot.waitForReady()));
  }, 120_000);
  afterAll(async () => {
    await Promise.all(bots.map((bot) => bot.stop()));
    await bed?.stop();
  });

  it('then each process identifies as its own shard of two', async () => {
    const ready = await Promise.all(bots.map((bot) => bot.waitForReady()));
    expect(ready.map((line) => line.shards)).toEqual([{ ids: [0], count: 2 }, { ids: [1], count: 2 }]);
  });

  it('then commands from guilds on both shards are each answered once, by the process that owns the guild\'s shard', async () => {
    for (const [index, guild] of GUILDS.entries()) {
      for (let user = 0; user < 3; user += 1) {
        const handle = await bed.discord.sendCommand({ name: 'characters', userId: `20000000000000${index}${user}00`, guildId: guild.id });
        const reply = await handle.waitForReply();
        expect(JSON.stringify(reply)).toContain('/link');
        expect(handle.responses.filter((r) => r.kind === 'callback')).toHaveLength(1);
        expect(handle.refused).toEqual([]);
      }
    }
    expect(await Promise.all(bots.map(charactersAnswered))).toEqual([3, 3]);
  });
});

describe('given DISCORD_SHARDS unset (auto) and Discord recommending two shards', () => {
  let bed: TestBed;
  beforeAll(async () => {
    bed = await TestBed.start({ discord: { guilds: GUILDS, recommendedShards: 2 } });
  }, 120_000);
  afterAll(async () => {
    await bed?.stop();
  });

  it('then one process connects both shards and answers in both guilds', async () => {
    expect((await bed.bot!.waitForReady()).shards).toEqual({ ids: [0, 1], count: 2 });
    for (const guild of GUILDS) {
      const handle = await bed.discord.sendCommand({ name: 'characters', userId: '200000000000000901', guildId: guild.id });
      expect(JSON.stringify(await handle.waitForReply())).toContain('/link');
    }
    expect(await charactersAnswered(bed.bot!)).toBe(2);
  });
});
