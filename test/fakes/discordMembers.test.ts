// The fake must refuse member edits exactly where Discord does (hierarchy,
// permissions, managed roles, owner, nickname rules, rate limits), so a role
// and nickname sync that passes here does not fail in production.
import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { Client, DiscordAPIError, GatewayIntentBits, REST, type GuildMember } from 'discord.js';
import { DEFAULT_OWNER_ID, FakeDiscord, Permission } from './discord/index.ts';

const GUILD = '1180000000000000100';
const LOW = '1180000000000000301';
const MID = '1180000000000000302';
const HIGH = '1180000000000000303';
const BOOSTER = '1180000000000000304';
const PILOT = '200000000000000001';
const OFFICER = '200000000000000002';
const STRANGER = '200000000000000099';
const BOT_PERMISSIONS = String(Permission.ManageRoles | Permission.ManageNicknames);

let fake: FakeDiscord;

async function patch(guildId: string, userId: string, body: unknown, options: { token?: string | null; reason?: string } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.token !== null) headers.authorization = `Bot ${options.token ?? fake.botToken}`;
  if (options.reason !== undefined) headers['x-audit-log-reason'] = encodeURIComponent(options.reason);
  const response = await fetch(`${fake.apiUrl}/v10/guilds/${guildId}/members/${userId}`, { method: 'PATCH', headers, body: JSON.stringify(body) });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

async function get(path: string) {
  const response = await fetch(`${fake.apiUrl}/v10${path}`, { headers: { authorization: `Bot ${fake.botToken}` } });
  return { status: response.status, body: (await response.json()) as any };
}

beforeAll(async () => {
  fake = await FakeDiscord.start({
    guilds: [
      {
        id: GUILD,
        name: 'Sync Corp',
        roles: [
          { id: LOW, name: 'Member', permissions: '0', position: 1 },
          { id: BOOSTER, name: 'Server Booster', permissions: '0', position: 1, managed: true, tags: { premium_subscriber: null } },
          { id: MID, name: 'Officer', permissions: '0', position: 2 },
          { id: HIGH, name: 'Director', permissions: '0', position: 4 },
        ],
        // Bot role placed under Director, above the rest.
        botRole: { position: 4, permissions: BOT_PERMISSIONS },
        members: [
          { userId: PILOT, username: 'pilot' },
          { userId: OFFICER, username: 'officer', roles: [HIGH] },
        ],
      },
    ],
    // Room for the many edits below; the rate-limit tests lower it.
    memberRateLimit: { limit: 1000, windowMs: 10_000 },
  });
});

afterAll(async () => {
  await fake?.close();
});

describe('fake Discord: roles and members', () => {
  it('has roles with Discord’s shape and positions, the bot holding its managed integration role', async () => {
    const { status, body: roles } = await get(`/guilds/${GUILD}/roles`);
    expect(status).toBe(200);
    expect(roles[0]).toMatchObject({ id: GUILD, name: '@everyone', position: 0, managed: false });
    const byId = new Map(roles.map((r: any) => [r.id, r]));
    const botRoleId = fake.botRoleId(GUILD);
    expect(byId.get(botRoleId)).toMatchObject({ managed: true, tags: { bot_id: fake.botUserId }, permissions: BOT_PERMISSIONS });
    expect(roles.map((r: any) => [r.id, r.position])).toEqual([
      [GUILD, 0],
      [LOW, 1],
      [BOOSTER, 2],
      [MID, 3],
      [botRoleId, 4],
      [HIGH, 5],
    ]);
    expect(byId.get(BOOSTER)).toMatchObject({ managed: true, tags: { premium_subscriber: null } });
    expect((await get(`/guilds/${GUILD}/members/${fake.botUserId}`)).body.roles).toEqual([botRoleId]);
    expect((await get(`/guilds/${GUILD}`)).body.owner_id).toBe(DEFAULT_OWNER_ID);
  });

  it('serves one member and the paginated list, ordered by user id', async () => {
    const one = await get(`/guilds/${GUILD}/members/${OFFICER}`);
    expect(one.body).toMatchObject({ user: { id: OFFICER, username: 'officer' }, roles: [HIGH], nick: null });
    expect((await get(`/guilds/${GUILD}/members/${STRANGER}`)).body.code).toBe(10007);
    const all = (await get(`/guilds/${GUILD}/members?limit=1000`)).body.map((m: any) => m.user.id);
    expect(all).toEqual([...all].sort((a: string, b: string) => (BigInt(a) < BigInt(b) ? -1 : 1)));
    expect(all).toEqual(expect.arrayContaining([PILOT, OFFICER, DEFAULT_OWNER_ID, fake.botUserId]));
    const firstPage = (await get(`/guilds/${GUILD}/members?limit=2`)).body;
    expect(firstPage).toHaveLength(2);
    const next = (await get(`/guilds/${GUILD}/members?limit=2&after=${firstPage[1].user.id}`)).body;
    expect(next[0].user.id).toBe(all[2]);
    expect((await get(`/guilds/${GUILD}/members`)).body).toHaveLength(1); // Discord's default limit is 1
    expect((await get(`/guilds/${GUILD}/members?limit=1001`)).body.code).toBe(50035);
  });
});

describe('fake Discord: PATCH /guilds/:guild/members/:user refusals', () => {
  beforeEach(() => {
    fake.setBotPermissions(GUILD, BOT_PERMISSIONS);
  });

  it('401 without the bot token, 10004 unknown guild, 10007 not a member, 10011 unknown role', async () => {
    expect(await patch(GUILD, PILOT, { roles: [LOW] }, { token: null })).toMatchObject({ status: 401 });
    expect(await patch(GUILD, PILOT, { roles: [LOW] }, { token: 'wrong' })).toMatchObject({ status: 401 });
    expect(await patch('1180000000000009999', PILOT, { roles: [LOW] })).toMatchObject({ status: 404, body: { code: 10004, message: 'Unknown Guild' } });
    expect(await patch(GUILD, STRANGER, { roles: [LOW] })).toMatchObject({ status: 404, body: { code: 10007, message: 'Unknown Member' } });
    expect(await patch(GUILD, PILOT, { roles: ['1180000000000008888'] })).toMatchObject({ status: 404, body: { code: 10011, message: 'Unknown Role' } });
    expect(fake.member(GUILD, PILOT).roles).toEqual([]);
  });

  it('50013 for a role at or above the bot, a managed role, @everyone, or without Manage Roles', async () => {
    const refused = { status: 403, body: { code: 50013, message: 'Missing Permissions' } };
    expect(await patch(GUILD, PILOT, { roles: [HIGH] })).toMatchObject(refused);
    expect(await patch(GUILD, PILOT, { roles: [fake.botRoleId(GUILD)] })).toMatchObject(refused);
    expect(await patch(GUILD, PILOT, { roles: [BOOSTER] })).toMatchObject(refused);
    expect(await patch(GUILD, PILOT, { roles: [GUILD] })).toMatchObject(refused);
    // Removing a role above the bot is refused like adding it.
    expect(await patch(GUILD, OFFICER, { roles: [] })).toMatchObject(refused);
    fake.setBotPermissions(GUILD, String(Permission.ManageNicknames));
    expect(await patch(GUILD, PILOT, { roles: [LOW] })).toMatchObject(refused);
    // Administrator counts as every permission.
    fake.setBotPermissions(GUILD, String(Permission.Administrator));
    expect(await patch(GUILD, PILOT, { roles: [LOW] })).toMatchObject({ status: 200 });
    expect(await patch(GUILD, PILOT, { roles: [] })).toMatchObject({ status: 200 });
    expect(fake.member(GUILD, PILOT).roles).toEqual([]);
  });

  it('follows the bot role when it moves', async () => {
    fake.setBotRolePosition(GUILD, 2); // now below Officer (MID)
    try {
      expect(await patch(GUILD, PILOT, { roles: [MID] })).toMatchObject({ status: 403, body: { code: 50013 } });
      expect(await patch(GUILD, PILOT, { roles: [LOW] })).toMatchObject({ status: 200 });
    } finally {
      fake.setBotRolePosition(GUILD, 4);
    }
    expect(fake.roles(GUILD).find((r) => r.id === fake.botRoleId(GUILD))?.position).toBe(4);
    expect(await patch(GUILD, PILOT, { roles: [MID] })).toMatchObject({ status: 200, body: { roles: [MID] } });
    expect(await patch(GUILD, PILOT, { roles: [] })).toMatchObject({ status: 200 });
  });

  it('refuses nicknames without Manage Nicknames, for the owner, for members at or above the bot, and of 0 or 33 characters', async () => {
    const refused = { status: 403, body: { code: 50013 } };
    expect(await patch(GUILD, DEFAULT_OWNER_ID, { nick: 'Boss' })).toMatchObject(refused);
    expect(await patch(GUILD, OFFICER, { nick: 'Officer' })).toMatchObject(refused);
    const tooLong = await patch(GUILD, PILOT, { nick: 'x'.repeat(33) });
    expect(tooLong).toMatchObject({ status: 400, body: { code: 50035, errors: { nick: { _errors: [{ code: 'BASE_TYPE_BAD_LENGTH' }] } } } });
    expect(await patch(GUILD, PILOT, { nick: '' })).toMatchObject({ status: 400, body: { code: 50035 } });
    fake.setBotPermissions(GUILD, String(Permission.ManageRoles));
    expect(await patch(GUILD, PILOT, { nick: 'Pilot' })).toMatchObject(refused);
    fake.setBotPermissions(GUILD, BOT_PERMISSIONS);
    expect(fake.member(GUILD, PILOT).nick).toBeNull();
  });
});

describe('fake Discord: accepted member edits', () => {
  it('adds and removes a role below the bot, answering the member, with the audit log reason recorded', async () => {
    fake.resetMemberWrites();
    const added = await patch(GUILD, PILOT, { roles: [LOW] }, { reason: 'EVE sync: Pilot Ünö joined Corp' });
    expect(added).toMatchObject({ status: 200, body: { user: { id: PILOT }, roles: [LOW] } });
    const removed = await patch(GUILD, PILOT, { roles: [] }, { reason: 'EVE sync: left' });
    expect(removed.body.roles).toEqual([]);
    expect(fake.memberWrites.map(({ guildId, userId, body, status, auditLogReason }) => ({ guildId, userId, body, status, auditLogReason }))).toEqual([
      { guildId: GUILD, userId: PILOT, body: { roles: [LOW] }, status: 200, auditLogReason: 'EVE sync: Pilot Ünö joined Corp' },
      { guildId: GUILD, userId: PILOT, body: { roles: [] }, status: 200, auditLogReason: 'EVE sync: left' },
    ]);
    await patch(GUILD, PILOT, { roles: [HIGH] });
    expect(fake.memberWrites.at(-1)).toMatchObject({ status: 403, code: 50013, auditLogReason: undefined });
  });

  it('lets a role the bot cannot manage stay in the list when it does not change', async () => {
    expect(await patch(GUILD, OFFICER, { roles: [HIGH, LOW] })).toMatchObject({ status: 200, body: { roles: [HIGH, LOW] } });
    expect(await patch(GUILD, OFFICER, { roles: [HIGH] })).toMatchObject({ status: 200, body: { roles: [HIGH] } });
    // Its nickname still cannot change: Director is above the bot.
    expect(await patch(GUILD, OFFICER, { roles: [HIGH], nick: 'x' })).toMatchObject({ status: 403, body: { code: 50013 } });
    expect(fake.member(GUILD, OFFICER).roles).toEqual([HIGH]);
  });

  it('sets a 32-character nickname and resets it with null', async () => {
    const nick = 'n'.repeat(32);
    expect(await patch(GUILD, PILOT, { nick })).toMatchObject({ status: 200, body: { nick } });
    expect(fake.member(GUILD, PILOT).nick).toBe(nick);
    expect(await patch(GUILD, PILOT, { nick: null })).toMatchObject({ status: 200, body: { nick: null } });
    // The owner's nickname may be "reset" when it has none: nothing changes.
    expect(await patch(GUILD, DEFAULT_OWNER_ID, { nick: null })).toMatchObject({ status: 200 });
  });
});

describe('fake Discord: member edit rate limit', () => {
  afterAll(() => {
    fake.memberRateLimit = { limit: 1000, windowMs: 10_000 };
  });

  it('announces the bucket on every answer and refuses with 429 once it is spent', async () => {
    fake.resetMemberWrites();
    fake.memberRateLimit = { limit: 3, windowMs: 2_000 };
    const answers = [];
    for (let i = 0; i < 4; i += 1) answers.push(await patch(GUILD, PILOT, { roles: [] }));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429]);
    expect(answers.map((a) => a.headers.get('x-ratelimit-remaining'))).toEqual(['2', '1', '0', '0']);
    for (const a of answers) {
      expect(a.headers.get('x-ratelimit-limit')).toBe('3');
      expect(a.headers.get('x-ratelimit-bucket')).toBe(answers[0]!.headers.get('x-ratelimit-bucket'));
      expect(Number(a.headers.get('x-ratelimit-reset-after'))).toBeGreaterThan(0);
      expect(Number(a.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
    }
    const limited = answers[3]!;
    expect(limited.body).toMatchObject({ message: 'You are being rate limited.', global: false });
    expect(limited.body.retry_after).toBeGreaterThan(0);
    expect(limited.body.retry_after).toBeLessThanOrEqual(2);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(fake.memberRateLimitHits).toBe(1);
    expect(fake.memberWrites.map((w) => w.status)).toEqual([200, 200, 200, 429]);
    // Another guild's edits have their own bucket; unknown guild answers 10004, not 429.
    expect((await patch('1180000000000009999', PILOT, { roles: [] })).status).toBe(404);
  });

  it('makes discord.js wait for the window instead of failing', async () => {
    fake.resetMemberWrites();
    fake.memberRateLimit = { limit: 2, windowMs: 400 };
    const rest = new REST({ api: fake.apiUrl }).setToken(fake.botToken);
    const started = performance.now();
    const results = await Promise.all(
      [LOW, MID, LOW, MID, LOW].map((role) => rest.patch(`/guilds/${GUILD}/members/${PILOT}`, { body: { roles: [role] }, reason: 'sync' })),
    );
    expect(results).toHaveLength(5);
    // Five edits at two per 400 ms span three windows.
    expect(performance.now() - started).toBeGreaterThanOrEqual(700);
    expect(fake.memberRateLimitHits).toBe(0);
    expect(fake.memberWrites.map((w) => w.status)).toEqual([200, 200, 200, 200, 200]);
    expect(fake.memberWrites.every((w) => w.auditLogReason === 'sync')).toBe(true);
    expect(fake.member(GUILD, PILOT).roles).toEqual([LOW]);
    // A refusal reaches discord.js as DiscordAPIError with Discord's code.
    await expect(rest.patch(`/guilds/${GUILD}/members/${PILOT}`, { body: { roles: [HIGH] } })).rejects.toMatchObject({ code: 50013, status: 403 });
    await rest.patch(`/guilds/${GUILD}/members/${PILOT}`, { body: { roles: [] } });
  });
});

describe('fake Discord: member events through a discord.js Client', () => {
  let client: Client;

  beforeAll(async () => {
    client = new Client({ intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMembers], rest: { api: fake.apiUrl } });
    const ready = new Promise<void>((resolve) => client.once('clientReady', () => resolve()));
    await client.login(fake.botToken);
    await ready;
  });

  afterAll(async () => {
    await client?.destroy();
  });

  function nextEvent<T extends 'guildMemberAdd' | 'guildMemberRemove' | 'guildMemberUpdate' | 'roleUpdate'>(event: T): Promise<unknown[]> {
    return new Promise((resolve) => client.once(event, (...args: unknown[]) => resolve(args)));
  }

  it('sees the hierarchy through discord.js and gets Discord’s refusals', async () => {
    const guild = client.guilds.cache.get(GUILD)!;
    const me = guild.members.me!;
    expect(me.roles.botRole?.id).toBe(fake.botRoleId(GUILD));
    expect(me.roles.highest.id).toBe(fake.botRoleId(GUILD));
    expect(me.permissions.has('ManageRoles')).toBe(true);
    expect(guild.roles.cache.get(HIGH)!.comparePositionTo(me.roles.highest)).toBeGreaterThan(0);
    const officer = await guild.members.fetch(OFFICER);
    expect(officer.manageable).toBe(false);
    const error = await officer.setNickname('nope').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscordAPIError);
    expect((error as DiscordAPIError).code).toBe(50013);
  });

  it('updates the client’s cache through GUILD_MEMBER_UPDATE after an edit', async () => {
    const guild = client.guilds.cache.get(GUILD)!;
    const pilot = await guild.members.fetch(PILOT);
    const updated = nextEvent('guildMemberUpdate');
    await pilot.roles.add(LOW, 'EVE sync');
    const [, after] = (await updated) as [GuildMember, GuildMember];
    expect(after.roles.cache.has(LOW)).toBe(true);
    await pilot.edit({ roles: [], nick: 'Pilot [CORP]' });
    expect(guild.members.cache.get(PILOT)!.nickname).toBe('Pilot [CORP]');
    expect(fake.memberWrites.at(-2)).toMatchObject({ method: 'PUT', roleId: LOW, auditLogReason: 'EVE sync', status: 204 });
    await pilot.setNickname(null);
    // The bot's own nickname goes to /members/@me.
    await guild.members.me!.setNickname('Corp Bot');
    expect(fake.member(GUILD, fake.botUserId).nick).toBe('Corp Bot');
  });

  it('announces joins, leaves, outside changes and role moves', async () => {
    const guild = client.guilds.cache.get(GUILD)!;
    const NEWBIE = '200000000000000010';
    const added = nextEvent('guildMemberAdd');
    fake.memberJoins(GUILD, { userId: NEWBIE, username: 'newbie', roles: [LOW] });
    const [member] = (await added) as [GuildMember];
    expect(member.user.username).toBe('newbie');
    expect(member.roles.cache.has(LOW)).toBe(true);
    expect((await get(`/guilds/${GUILD}/members/${NEWBIE}`)).body.roles).toEqual([LOW]);

    const changed = nextEvent('guildMemberUpdate');
    fake.memberChanges(GUILD, NEWBIE, { nick: 'renamed by a moderator' });
    expect(((await changed) as GuildMember[])[1]!.nickname).toBe('renamed by a moderator');

    const removed = nextEvent('guildMemberRemove');
    fake.memberLeaves(GUILD, NEWBIE);
    expect(((await removed) as [GuildMember])[0].id).toBe(NEWBIE);
    expect((await patch(GUILD, NEWBIE, { roles: [] })).body.code).toBe(10007);

    const moved = nextEvent('roleUpdate');
    fake.setBotRolePosition(GUILD, 5); // above Director
    await moved;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(guild.members.me!.roles.highest.position).toBe(5);
    expect((await guild.members.fetch(OFFICER)).manageable).toBe(true);
    fake.setBotRolePosition(GUILD, 4);
  });

  it('saw no unknown routes', () => {
    expect(fake.unexpected).toEqual([]);
  });
});
