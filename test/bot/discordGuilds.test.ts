// The bot's guild list over REST, against the fake Discord (which pages it like Discord: at most 200, in id order).
import { REST } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RestDiscordGuilds } from '../../src/bot/discordGuilds.ts';
import { FakeDiscord } from '../fakes/discord/index.ts';

const guildIds = Array.from({ length: 450 }, (_, i) => String(1190000000000000000n + BigInt(i * 7919)));

describe('RestDiscordGuilds.botGuildIds', () => {
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

  it('given 450 guilds, then all of them, in three pages of at most 200', async () => {
    const before = listRequests().length;
    const ids = await guilds.botGuildIds();
    expect([...ids].map(String).sort()).toEqual([...guildIds].sort());
    expect(listRequests().length - before).toBe(3);
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
});
