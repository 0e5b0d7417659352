import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ESI_COMPATIBILITY_DATE } from '../../src/esi/index.ts';
import { TestBed } from '../support/testBed.ts';
import { CORP, linkCharacter } from '../support/linking.ts';

const USER = '200000000000000021';
const HOUR = 3600_000;
const iso = (msFromNow: number) => new Date(Date.now() + msFromNow).toISOString();

const MAIN = {
  id: 92000001,
  name: 'Maya Main',
  wallet: 1234567.891,
  journal: Array.from({ length: 12 }, (_, i) => ({
    id: 5000 + i,
    date: iso(-(i + 1) * HOUR),
    ref_type: i % 2 ? 'player_donation' : 'bounty_prizes',
    description: 'entry',
    amount: i % 2 ? -1000.5 : 250000,
    balance: 1234567.891 - i * 1000,
  })),
  skills: {
    skills: [
      { skill_id: 3300, active_skill_level: 4, trained_skill_level: 4, skillpoints_in_skill: 181020 },
      { skill_id: 3301, active_skill_level: 2, trained_skill_level: 2, skillpoints_in_skill: 1415 },
    ],
    total_sp: 5_000_000,
    unallocated_sp: 12_345,
  },
  skillqueue: [
    // finished an hour ago, but /skills has not caught up: counts as trained
    { skill_id: 3301, finished_level: 3, queue_position: 0, start_date: iso(-3 * HOUR), finish_date: iso(-HOUR), level_start_sp: 1415, level_end_sp: 8000, training_start_sp: 1415 },
    { skill_id: 3300, finished_level: 5, queue_position: 1, start_date: iso(-HOUR), finish_date: iso(5 * HOUR), level_start_sp: 181020, level_end_sp: 1024000, training_start_sp: 181020 },
    { skill_id: 3302, finished_level: 1, queue_position: 2, start_date: iso(5 * HOUR), finish_date: iso(6 * HOUR), level_start_sp: 0, level_end_sp: 250, training_start_sp: 0 },
  ],
};
const ALT = { id: 92000002, name: 'Aldo Alt', wallet: 10 };

describe('/wallet and /skills', () => {
  let bed: TestBed;
  beforeAll(async () => {
    bed = await TestBed.start();
    bed.eve.addCorporation({ id: CORP.id, name: CORP.name, ticker: CORP.ticker });
    bed.eve.addName(3300, 'Gunnery', 'inventory_type');
    bed.eve.addName(3301, 'Small Hybrid Turret', 'inventory_type');
    bed.eve.addName(3302, 'Sharpshooter', 'inventory_type');
    // USER's characters are only read, never changed: tests that change or
    // must be the first to read a character get their own (newMember).
    for (const c of [MAIN, ALT]) bed.eve.addCharacter({ ...c, corporationId: CORP.id });
    for (const c of [MAIN, ALT]) await linkCharacter(bed, USER, c.id);
  });
  afterAll(async () => {
    await bed?.stop();
  });

  let members = 0;
  /**
   * A Discord user of its own with freshly linked characters the bot has
   * never read from ESI, so nothing of theirs is in the bot's cache.
   */
  const newMember = async (...characters: { name: string; wallet: number }[]) => {
    members += 1;
    const userId = `2000000000001${String(members).padStart(5, '0')}`;
    const ids: number[] = [];
    for (const [i, c] of characters.entries()) {
      const id = 92_100_000 + members * 10 + i;
      bed.eve.addCharacter({ id, name: c.name, wallet: c.wallet, corporationId: CORP.id });
      await linkCharacter(bed, userId, id);
      ids.push(id);
    }
    return { userId, ids };
  };

  const runAs = async (userId: string, name: string, options: { name: string; type: number; value: string }[] = []) => {
    const interaction = await bed.discord.sendCommand({ name, userId, options });
    return interaction.waitForReply((r) => !r.loading, 20_000);
  };
  const run = (name: string, options: { name: string; type: number; value: string }[] = []) => runAs(USER, name, options);
  const characterOption = (id: number) => [{ name: 'character', type: 3, value: String(id) }];
  const text = (reply: { content?: string; embeds?: unknown[] }) => `${reply.content ?? ''}${JSON.stringify(reply.embeds ?? [])}`;
  /** the overview's first line: the total, and what it leaves out */
  const total = (reply: { embeds: unknown[] }) => (reply.embeds[0] as { description: string }).description.split('\n')[0];
  const colour = (reply: { embeds: unknown[] }) => (reply.embeds[0] as { color?: number }).color;
  /** a command mention once the ids are registered, plain /name before */
  const mention = (name: string) => `(?:</${name}:\\d+>|/${name})`;
  /** what the fake ESI served for exactly this path: status, and whether it was an injected failure */
  const served = (path: string) => bed.eve.esiRequests.filter((r) => r.path === path).map((r) => `${r.status}${r.injected ? ' injected' : ''}`);

  it('given /wallet, then the total first, then the main marked, then the alts, compact, green, in one ephemeral embed', async () => {
    const reply = await run('wallet');
    expect(reply.flags & 64).toBe(64);
    expect(reply.embeds).toHaveLength(1);
    const description = (reply.embeds[0] as { description: string }).description;
    expect(description).toBe(['**Total 1.23m ISK**', '', '⭐ **Maya Main** · 1.23m ISK', '**Aldo Alt** · 10 ISK'].join('\n'));
    expect(colour(reply)).toBe(0x57f287);
  });

  it('given a dead login among several characters, then it is listed with the reason and the others still show', async () => {
    const { userId, ids } = await newMember({ name: 'Lars Live', wallet: 1500.25 }, { name: 'Dora Dead', wallet: 99 });
    const dead = ids[1]!;
    bed.eve.revokeCharacter(dead);
    await bed.db.grant.update({ where: { characterId: BigInt(dead) }, data: { accessTokenExpiresAt: new Date(0) } });
    const reply = await runAs(userId, 'wallet');
    const description = (reply.embeds[0] as { description: string }).description;
    // Said once, with what to do, and the name not repeated.
    expect(description).toMatch(new RegExp(`^\\*\\*Dora Dead\\*\\* · ⚠️ login expired: ${mention('link')} to renew$`, 'm'));
    expect(description.match(/Dora Dead/g)).toHaveLength(2); // the line, and what the total leaves out
    expect(description).toContain('⭐ **Lars Live** · 1.5k ISK');
    expect(total(reply)).toBe('**Total 1.5k ISK** (without Dora Dead: login expired)');
    expect(colour(reply)).toBe(0xf0b232);
    expect(served(`/characters/${dead}/wallet`)).toEqual([]);

    // The DM about it names the server where the member uses the bot, and its button starts a new login there.
    const dm = await bed.discord.waitForDirectMessage((d) => d.userId === userId && /Dora Dead/.test(d.body.content));
    expect(dm.body.content).toMatch(/^⚠️ Your EVE login for \*\*Dora Dead\*\* has expired or was revoked\.\nThe bot can no longer read its data for you in \*\*Fake Corp\*\*\./);
    expect(dm.body.allowed_mentions).toEqual({ parse: [] });
    expect(dm.body.components).toEqual([{ type: 1, components: [{ type: 2, style: 1, label: 'Log in again', custom_id: 'link:renew' }] }]);
    const press = await bed.discord.sendButton({ customId: 'link:renew', userId, guildId: null, messageId: dm.messageId });
    // The DM itself becomes the new login (an update, or a deferred update and an edit when the login takes a moment).
    const renewed = await press.waitForReply((r) => /Log in with the EVE character/.test(r.content ?? ''), 20_000);
    expect(renewed.content!.split('\n')[0]).toBe('⚠️ Your EVE login for **Dora Dead** has expired or was revoked.');
    const button = renewed.components[0].components[0] as { style: number; url: string };
    expect(button.style).toBe(5);
    expect(new URL(button.url).searchParams.get('state')).toMatch(/^[\w-]{43,}$/);
    expect(await bed.db.pendingLogin.count({ where: { discordUserId: BigInt(userId) } })).toBeGreaterThan(0);
  });

  it('given /wallet character:, then the exact balance and 30 days in and out first, then one short line per journal entry, newest first, with the portrait and the balance chart', async () => {
    const reply = await run('wallet', characterOption(MAIN.id));
    const embed = reply.embeds[0] as { description: string; author: { name: string; icon_url: string }; image: { url: string } };
    expect(embed.description.startsWith('Balance **1,234,567.89 ISK**\nLast 30 days: **+1.5m ISK** in · **−6k ISK** out\n\n**Journal** (ISK), newest first\n')).toBe(true);
    const entries = embed.description.split('\n').filter((l) => l.startsWith('`'));
    expect(entries).toHaveLength(12);
    expect(entries[0]).toMatch(/^` +1h` \*\*\+250k\*\* Bounty prizes$/);
    expect(entries[1]).toMatch(/^` +2h` \*\*−1k\*\* Player donation$/);
    expect(embed.description).not.toContain('→');
    expect(embed.author.name).toBe('Maya Main');
    expect(embed.author.icon_url).toContain(String(MAIN.id));
    // The chart reached Discord as the message's file, a PNG, shown as the embed's image.
    expect(embed.image.url).toBe('attachment://balance.png');
    const chart = reply.files.find((f) => f.name === 'balance.png');
    expect(chart?.data.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(chart!.data.length).toBeGreaterThan(5_000);
  });

  it('given /skills, then the main: SP (with finished queue entries counted), the skill in training, the queue and names', async () => {
    const reply = await run('skills');
    const body = text(reply);
    expect(body).toContain('Skills of Maya Main');
    expect(body).toContain('5,006,585 SP (+12,345 unallocated)');
    expect(body).toContain('Gunnery V, finishes <t:');
    expect(body).toContain('2 skills, ends <t:');
    expect(body).toContain('Sharpshooter I');
    expect(body).not.toContain('Small Hybrid Turret III'); // finished: not in the queue any more
    expect(body).toContain('1 queued skill finished since EVE last updated the skill list');
    expect(colour(reply)).toBe(0x57f287);
  });

  it('given /skills character: for an alt without a queue, then it says nothing is training', async () => {
    const reply = await run('skills', characterOption(ALT.id));
    const body = text(reply);
    expect(body).toContain('Skills of Aldo Alt');
    expect(body).toContain('Nothing is training.');
    expect((reply.embeds[0] as { description?: string }).description).toBe('⚠️ Skill queue empty');
    expect(colour(reply)).toBe(0xf0b232);
  });

  it('given a queue that ran out, then "empty since" when it ended, also after ESI stops listing the finished skill; a queue emptied early says no time', async () => {
    const { userId, ids } = await newMember({ name: 'Quinn Queue', wallet: 1 });
    const base = { id: ids[0]!, name: 'Quinn Queue', wallet: 1, corporationId: CORP.id, skills: { skills: [], total_sp: 1_000, unallocated_sp: 0 } };
    const at = (ms: number) => new Date(ms).toISOString();
    const entry = (finish: number) => ({ skill_id: 3302, finished_level: 1, queue_position: 0, start_date: at(finish - HOUR), finish_date: at(finish), level_start_sp: 0, level_end_sp: 250, training_start_sp: 0 });
    const description = async () => {
      const reply = await runAs(userId, 'skills', characterOption(ids[0]!));
      return (reply.embeds[0] as { description?: string }).description;
    };
    const endedAt = Math.floor((Date.now() - 2 * HOUR) / 1000);
    bed.eve.esi.cacheSeconds.skillqueue = 1;
    try {
      // ESI still lists the skill that finished two hours ago.
      bed.eve.addCharacter({ ...base, skillqueue: [entry(endedAt * 1000)] });
      expect(await description()).toBe(`⚠️ Skill queue empty since <t:${endedAt}:R>`);
      // Later ESI lists nothing: the time is the one seen before.
      bed.eve.addCharacter({ ...base, skillqueue: [] });
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      expect(await description()).toBe(`⚠️ Skill queue empty since <t:${endedAt}:R>`);
      // A queue seen running until tomorrow, then emptied by the pilot: since when is unknown.
      bed.eve.addCharacter({ ...base, skillqueue: [entry(Date.now() + 24 * HOUR)] });
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      expect(await description()).toBeUndefined(); // a running queue: no warning
      bed.eve.addCharacter({ ...base, skillqueue: [] });
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      expect(await description()).toBe('⚠️ Skill queue empty');
      expect((await bed.db.character.findUnique({ where: { id: BigInt(ids[0]!) } }))?.skillQueueEndsAt).toBeNull();
    } finally {
      delete bed.eve.esi.cacheSeconds.skillqueue;
    }
  });

  it("given another user's character as the option, then a refusal and no ESI call", async () => {
    const before = bed.eve.esiRequests.length;
    const interaction = await bed.discord.sendCommand({ name: 'wallet', userId: '200000000000000099', options: characterOption(MAIN.id) });
    expect((await interaction.waitForReply()).content).toMatch(/no linked character like that/);
    expect(bed.eve.esiRequests.length).toBe(before);
  });

  it('then every ESI request carried the User-Agent with the contact and the compatibility date', async () => {
    const { userId, ids } = await newMember({ name: 'Uma Agent', wallet: 1 });
    await runAs(userId, 'wallet');
    expect(served(`/characters/${ids[0]}/wallet`)).toEqual(['200']);
    expect(bed.eve.esiRequests.length).toBeGreaterThan(1);
    for (const request of bed.eve.esiRequests) {
      expect(request.headers['user-agent']).toMatch(/^eve-corp-bot\/\d+\.\d+\.\d+ \(tests@example\.org\)$/);
      expect(request.headers['x-compatibility-date']).toBe(ESI_COMPATIBILITY_DATE);
      expect(request.headers.accept).toBe('application/json');
      expect(request.path.startsWith('/latest')).toBe(false);
    }
  });

  it('given a second /wallet inside the cache time, then no ESI request; after expiry one conditional request answered 304', async () => {
    const { userId, ids } = await newMember({ name: 'Cato Cache', wallet: 5 });
    const path = `/characters/${ids[0]}/wallet`;
    bed.eve.esi.cacheSeconds.wallet = 2;
    try {
      const ask = () => runAs(userId, 'wallet', characterOption(ids[0]!));
      await ask();
      expect(served(path)).toEqual(['200']);
      await ask();
      expect(served(path)).toEqual(['200']);
      await new Promise((resolve) => setTimeout(resolve, 2_200));
      const reply = await ask();
      expect(JSON.stringify(reply.embeds)).toContain('Balance **5.00 ISK**');
      expect(served(path)).toEqual(['200', '304']);
      expect(bed.eve.esiRequests.filter((r) => r.path === path)[1]!.headers['if-none-match']).toBeTruthy();
    } finally {
      delete bed.eve.esi.cacheSeconds.wallet;
    }
  });

  it('given ESI answers 502 then succeeds, then the bot retries and the user sees the balance', async () => {
    const { userId, ids } = await newMember({ name: 'Rita Retry', wallet: 4321.5 });
    const path = `/characters/${ids[0]}/wallet`;
    bed.eve.esi.failNext({ path: new RegExp(`^${path}$`) }, { status: 502, body: { error: 'bad gateway' } }, 1);
    const reply = await runAs(userId, 'wallet');
    expect(served(path)).toEqual(['502 injected', '200']);
    expect(text(reply)).toContain('**Rita Retry** · 4.32k ISK');
    expect(total(reply)).toBe('**Total 4.32k ISK**');
  });

  it('given ESI answers 429 with a Retry-After longer than the command may wait, then "try again in N min" and nothing raw', async () => {
    const { userId, ids } = await newMember({ name: 'Bea Busy', wallet: 6 });
    const path = `/characters/${ids[0]}/skillqueue`;
    bed.eve.esi.failNext({ path: new RegExp(`^${path}$`) }, { status: 429, body: { error: 'Too many requests (raw)' }, headers: { 'Retry-After': '120' } }, 1);
    const reply = await runAs(userId, 'skills', characterOption(ids[0]!));
    expect(served(path)).toEqual(['429 injected']);
    expect(reply.content).toMatch(/busy right now\. Please try again in 2 min/);
    expect(reply.content).not.toContain('raw');
  });

  it('given ESI answers 429 with a short Retry-After, then the bot waits it out and shows the balance', async () => {
    const { userId, ids } = await newMember({ name: 'Walt Wait', wallet: 77 });
    const path = `/characters/${ids[0]}/wallet`;
    bed.eve.esi.failNext({ path: new RegExp(`^${path}$`) }, { status: 429, body: { error: 'slow down' }, headers: { 'Retry-After': '1' } }, 1);
    const reply = await runAs(userId, 'wallet');
    expect(served(path)).toEqual(['429 injected', '200']);
    const [limited, answered] = bed.eve.esiRequests.filter((r) => r.path === path);
    expect(answered!.at - limited!.at).toBeGreaterThanOrEqual(900); // the Retry-After was waited out
    expect(text(reply)).toContain('**Walt Wait** · 77 ISK');
  });
});
