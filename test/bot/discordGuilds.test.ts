// The bot's guild list over REST, against the fake Discord (which pages it like Discord: at most 200, in id order).
import { REST } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RestDiscordGuilds } from '../../src/bot/discordGuilds.ts';
import { FakeDiscord } from '../fakes/discord/index.ts';

const guildIds = Array.from({ length: 450 }, (_, i) => String(1190000000000000000n + BigInt(i * 7919)));

describe('RestDiscordGuilds: the guild list, and whether the bot is in a guild', () => {
  let fake: FakeDiscord;
  let guilds: RestDiscordGuilds;
  beforeAll(async () => {
    // Listed in another order than their ids: the pages must still come back whole.
    fake = await FakeDiscord.start({ guilds: [...guildIds].reverse().map((id, i) => ({ id, name: `Server ${i}` })) });
    const rest = new REST({ api: fake.apiUrl, retries: 0 }).setToken(fake.botToken);
    guilds = new RestDiscordGuilds(rest, () => fake.botUserId);
  });
  afterAll(async () => {
    await fake?.close();
  });

  const listRequests = () => fake.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/users/@me/guilds'));

  it('given 450 guilds, then all of them, in pages of at most 200 until an empty one', async () => {
    const before = listRequests().length;
    const ids = await guilds.botGuildIds();
    expect([...ids].map(String).sort()).toEqual([...guildIds].sort());
    expect(listRequests().length - before).toBe(4);
  });

  it('given a proxy that pages shorter than asked, then still every guild', async () => {
    const short = guildIds.slice(0, 100).map((id) => ({ id }));
    fake.failNext({ method: 'GET', path: /^\/users\/@me\/guilds/ }, { status: 200, body: short }, 1);
    const ids = await guilds.botGuildIds();
    expect(ids.size).toBe(450);
  });

  it('given a page that fails, then it throws: never part of the list', async () => {
    // The first page is fine (a full one), the second fails.
    const first = listRequests().length;
    fake.failNext({ method: 'GET', path: /^\/users\/@me\/guilds/ }, { status: 200, body: guildIds.slice(0, 200).map((id) => ({ id })) }, 1);
    fake.failNext({ method: 'GET', path: /^\/users\/@me\/guilds/ }, { status: 403, body: { message: 'Missing Access', code: 50001 } }, 1);
    await expect(guilds.botGuildIds()).rejects.toThrow(/Missing Access/);
    expect(listRequests().length - first).toBe(2);
  });

  it('given a full page that does not move on, then it throws instead of looping', async () => {
    const page = guildIds.slice(0, 200).map((id) => ({ id }));
    fake.failNext({ method: 'GET', path: /^\/users\/@me\/guilds/ }, { status: 200, body: page }, 1);
    fake.failNext({ method: 'GET', path: /^\/users\/@me\/guilds/ }, { status: 200, body: page }, 1);
    await expect(guilds.botGuildIds()).rejects.toThrow(/did not move on/);
  });

  it('then botIsIn is false only on Discord\'s "not in this guild" answers (Unknown Guild, Missing Access), true when it shows the guild, and throws on anything else', async () => {
    expect(await guilds.botIsIn(BigInt(guildIds[0]!))).toBe(true);
    expect(await guilds.botIsIn(1190000000000000001n)).toBe(false); // the fake answers 10004
    const path = new RegExp(`^/guilds/${guildIds[1]}$`);
    fake.failNext({ method: 'GET', path }, { status: 403, body: { message: 'Missing Access', code: 50001 } });
    expect(await guilds.botIsIn(BigInt(guildIds[1]!))).toBe(false);
    for (const answer of [
      { status: 403, body: { message: 'internal network error', code: 40333 } },
      { status: 403, body: '<html>Forbidden</html>' },
      { status: 403, body: { message: 'Missing Permissions', code: 50013 } },
      { status: 500, body: { message: 'Internal Server Error', code: 0 } },
      // Last: after a 401 discord.js drops the token from this REST client.
      { status: 401, body: { message: '401: Unauthorized', code: 0 } },
    ]) {
      fake.failNext({ method: 'GET', path }, answer);
      await expect(guilds.botIsIn(BigInt(guildIds[1]!)), JSON.stringify(answer)).rejects.toThrow();
    }
  });
});
