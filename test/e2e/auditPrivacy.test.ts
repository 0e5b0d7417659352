import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReplyView } from '../fakes/discord/index.ts';
import { linkCharacter } from '../support/linking.ts';
import { TestBed } from '../support/testBed.ts';

/**
 * Anyone can make a Discord server and invite the bot. An admin of one
 * server must never read another server's corporation through the grants of
 * people who are not in his server, nor use up what all servers share.
 */
const GUILD_1 = '1180000000000000801';
const GUILD_2 = '1180000000000000802';
const MANAGE_GUILD = '32';

const ADMIN_1 = '200000000000000801';
const ADMIN_2 = '200000000000000802';
const PILOT_1 = '200000000000000811'; // in guild 1, director of Xray
const PILOT_2 = '200000000000000812'; // in guild 2, in Yankee
const LEAVER = '200000000000000813'; // in guild 2, leaves it

const XRAY = { id: 98000801, name: 'Xray Logistics', ticker: 'XRAY' };
const YANKEE = { id: 98000802, name: 'Yankee Mining', ticker: 'YANK' };
const XENA = { id: 90000801, name: 'Xena Director' };
const XAVI = { id: 90000802, name: 'Xavi Secret' }; // in Xray, linked by nobody
const YURI = { id: 90000803, name: 'Yuri Miner' };
const LEO = { id: 90000804, name: 'Leo Leaving' };

const text = (reply: ReplyView) => `${reply.content ?? ''}\n${JSON.stringify(reply.embeds ?? [])}\n${reply.files.map((f) => f.data.toString('utf8')).join('\n')}`;

describe('/audit across servers', () => {
  let bed: TestBed;
  const audit = async (userId: string, guildId: string, sub: string, options?: { name: string; type: number; value: string }[]) => {
    const interaction = await bed.discord.sendCommand({ name: 'audit', userId, guildId, permissions: MANAGE_GUILD, options: [{ name: sub, type: 1, ...(options ? { options } : {}) }] });
    return interaction.waitForReply((r) => !r.loading, 20_000);
  };
  const esiSince = (index: number) => bed.eve.esiRequests.slice(index);

  beforeAll(async () => {
    bed = await TestBed.start({ discord: { guilds: [{ id: GUILD_1, name: 'Xray Home' }, { id: GUILD_2, name: 'Somebody Else' }] } });
    for (const corp of [XRAY, YANKEE]) bed.eve.addCorporation(corp);
    for (const c of [XENA, XAVI]) bed.eve.addCharacter({ ...c, corporationId: XRAY.id, wallet: 777 });
    for (const c of [YURI, LEO]) bed.eve.addCharacter({ ...c, corporationId: YANKEE.id });
    await linkCharacter(bed, PILOT_1, XENA.id, { guildId: GUILD_1 });
    await linkCharacter(bed, PILOT_2, YURI.id, { guildId: GUILD_2 });
    await linkCharacter(bed, LEAVER, LEO.id, { guildId: GUILD_2 });
    // Guild 1 tracks its own corporation; its director's login reads the member list.
    const own = await audit(ADMIN_1, GUILD_1, 'settings', [{ name: 'corporations', type: 3, value: XRAY.name }]);
    expect(own.embeds[0].title).toBe('Audit settings saved');
  });
  afterAll(async () => {
    await bed?.stop();
  });

  it('given an admin of another server tracks that corporation by id or name, then it is refused and nothing is saved', async () => {
    for (const value of [String(XRAY.id), XRAY.name]) {
      const before = bed.eve.esiRequests.length;
      const reply = await audit(ADMIN_2, GUILD_2, 'settings', [{ name: 'corporations', type: 3, value }]);
      expect(reply.content).toMatch(/Nothing was saved/);
      expect(reply.content).toMatch(value === XRAY.name ? /Unknown corporation: "Xray Logistics"/ : new RegExp(`No member of this server has a linked pilot in corporation ${XRAY.id}`));
      // Nothing typed was looked up at ESI.
      expect(esiSince(before).filter((r) => r.path.includes(String(XRAY.id)))).toHaveLength(0);
    }
    expect(await bed.db.guildSettings.findUnique({ where: { guildId: BigInt(GUILD_2) } })).toBeNull();
  });

  it('given a server that tracks it anyway (settings saved before this rule), then its audit shows no member and no count, and no token of a non-member is used', async () => {
    await bed.db.guildSettings.upsert({
      where: { guildId: BigInt(GUILD_2) },
      create: { guildId: BigInt(GUILD_2), trackedCorporationIds: [BigInt(XRAY.id)] },
      update: { trackedCorporationIds: [BigInt(XRAY.id)] },
    });
    const before = bed.eve.esiRequests.length;
    const reply = await audit(ADMIN_2, GUILD_2, 'summary');
    const all = text(reply);
    expect(all).not.toContain(XAVI.name);
    expect(all).not.toContain(XENA.name);
    expect(all).toMatch(/No member list/);
    expect(all).not.toMatch(/linked here/);
    const used = esiSince(before).filter((r) => r.characterId !== undefined);
    expect(used.map((r) => r.characterId)).not.toContain(XENA.id);
    expect(esiSince(before).filter((r) => r.path.endsWith(`/corporations/${XRAY.id}/members`))).toHaveLength(0);
    await bed.db.guildSettings.delete({ where: { guildId: BigInt(GUILD_2) } });
  });

  it('then the own server still sees its corporation, through its own member\'s login', async () => {
    const before = bed.eve.esiRequests.length;
    const reply = await audit(ADMIN_1, GUILD_1, 'summary');
    expect(text(reply)).toContain(XAVI.name);
    const call = esiSince(before).find((r) => r.path.endsWith(`/corporations/${XRAY.id}/members`));
    expect(call?.characterId).toBe(XENA.id);
  });

  it('given an admin types hundreds of unknown ids, then a clear refusal, no ESI error spent, and another server\'s /wallet still works', async () => {
    const ids = Array.from({ length: 200 }, (_, i) => String(98100000 + i)).join(',');
    const before = bed.eve.esiRequests.length;
    const tooMany = await audit(ADMIN_2, GUILD_2, 'settings', [{ name: 'corporations', type: 3, value: ids.slice(0, 1000) }]);
    expect(tooMany.content).toMatch(/At most 20 corporations can be tracked/);
    const twenty = Array.from({ length: 20 }, (_, i) => String(98100000 + i)).join(',');
    const unknown = await audit(ADMIN_2, GUILD_2, 'settings', [{ name: 'corporations', type: 3, value: twenty }]);
    expect(unknown.content).toMatch(/No member of this server has a linked pilot in corporations 98100000, .*, 98100019\./);
    expect(unknown.content!.length).toBeLessThan(2000);
    expect(esiSince(before).filter((r) => r.status >= 400)).toHaveLength(0);

    const wallet = await bed.discord.sendCommand({ name: 'wallet', userId: PILOT_1, guildId: GUILD_1 });
    expect(JSON.stringify((await wallet.waitForReply((r) => !r.loading, 20_000)).embeds)).toContain('777 ISK');
  });

  it('given a user not seen in a server for longer than the sighting lifetime, then that server\'s audit leaves them out', async () => {
    await bed.db.guildMember.update({ where: { guildId_discordUserId: { guildId: BigInt(GUILD_2), discordUserId: BigInt(PILOT_2) } }, data: { seenAt: new Date(Date.now() - 91 * 86_400_000) } });
    const reply = await audit(ADMIN_2, GUILD_2, 'summary');
    expect(text(reply)).not.toContain(YURI.name);
    expect(text(reply)).toContain(LEO.name);
  });

  it('given a member of both servers leaves one, then only that server\'s trail knows it', async () => {
    // Pilot 1 is seen in guild 2 too, then leaves it.
    await (await bed.discord.sendCommand({ name: 'characters', userId: PILOT_1, guildId: GUILD_2 })).waitForReply();
    await expect.poll(() => bed.db.guildMember.count({ where: { guildId: BigInt(GUILD_2), discordUserId: BigInt(PILOT_1) } }), { timeout: 5_000 }).toBe(1);
    await bed.discord.dispatchEvent('GUILD_MEMBER_REMOVE', { guild_id: GUILD_2, user: { id: PILOT_1, username: 'xena', discriminator: '0', avatar: null } });
    await expect.poll(() => bed.db.auditEvent.count({ where: { kind: 'guild_left', guildId: BigInt(GUILD_2), discordUserId: BigInt(PILOT_1) } }), { timeout: 5_000 }).toBe(1);
    const events = await audit(ADMIN_1, GUILD_1, 'events');
    expect(events.embeds[0].description).toContain(`<@${PILOT_1}> linked **Xena Director**`);
    expect(events.embeds[0].description).not.toMatch(/left this server/);
  });

  it('given the bot is removed from a server, then its members, settings and role rules are forgotten at once, with an event', async () => {
    await seedGuildData(bed, GUILD_2);
    bed.discord.botRemovedFrom(GUILD_2);
    await expect.poll(() => bed.db.guildMember.count({ where: { guildId: BigInt(GUILD_2) } }), { timeout: 5_000 }).toBe(0);
    expect(await guildDataCounts(bed, GUILD_2)).toEqual(NOTHING);
    expect(await bed.db.auditEvent.count({ where: { kind: 'guild_left', guildId: BigInt(GUILD_2), discordUserId: null } })).toBe(1);
    // Guild 1 is untouched.
    expect(await bed.db.guildMember.count({ where: { guildId: BigInt(GUILD_1) } })).toBeGreaterThan(0);
  });
});

/** Everything the bot keeps of a server: sightings, /audit settings, role rules, role settings, problems and sync progress. */
async function seedGuildData(bed: TestBed, guildId: string): Promise<void> {
  const id = BigInt(guildId);
  await bed.db.guildMember.upsert({ where: { guildId_discordUserId: { guildId: id, discordUserId: 200000000000000899n } }, create: { guildId: id, discordUserId: 200000000000000899n, name: 'seen' }, update: {} });
  await bed.db.guildSettings.upsert({ where: { guildId: id }, create: { guildId: id, adminRoleId: 1n }, update: { adminRoleId: 1n } });
  await bed.db.roleRule.create({ data: { guildId: id, roleId: 5n, kind: 'linked', createdBy: 1n } });
  await bed.db.roleSettings.create({ data: { guildId: id, graceHours: 12 } });
  await bed.db.roleProblem.create({ data: { guildId: id, subject: 'role:5', code: '50013', detail: 'Missing Permissions' } });
  await bed.db.roleSyncCursor.create({ data: { guildId: id, after: 0n } });
}

async function guildDataCounts(bed: TestBed, guildId: string) {
  const where = { guildId: BigInt(guildId) };
  return {
    members: await bed.db.guildMember.count({ where }),
    settings: await bed.db.guildSettings.count({ where }),
    roleRules: await bed.db.roleRule.count({ where }),
    roleSettings: await bed.db.roleSettings.count({ where }),
    roleProblems: await bed.db.roleProblem.count({ where }),
    roleCursors: await bed.db.roleSyncCursor.count({ where }),
  };
}
const NOTHING = { members: 0, settings: 0, roleRules: 0, roleSettings: 0, roleProblems: 0, roleCursors: 0 };
const ALL = { members: 1, settings: 1, roleRules: 1, roleSettings: 1, roleProblems: 1, roleCursors: 1 };

describe('given the bot is removed from a server while it is down', () => {
  const GUILD_3 = '1180000000000000803';
  const GUILD_4 = '1180000000000000804';
  let bed: TestBed;
  beforeAll(async () => {
    bed = await TestBed.start({ discord: { guilds: [{ id: GUILD_3, name: 'Stays' }, { id: GUILD_4, name: 'Kicks the bot' }] } });
    await seedGuildData(bed, GUILD_3);
    await seedGuildData(bed, GUILD_4);
  });
  afterAll(async () => {
    await bed?.stop();
  });

  it('then on the next start it finds out (the server is gone from its list and Discord no longer shows it) and forgets that server only, with an event', async () => {
    await bed.bot!.stop();
    bed.discord.botRemovedFrom(GUILD_4);
    await bed.startBot();
    await expect.poll(() => guildDataCounts(bed, GUILD_4), { timeout: 10_000 }).toEqual(NOTHING);
    const event = await bed.db.auditEvent.findFirst({ where: { kind: 'guild_left', guildId: BigInt(GUILD_4), discordUserId: null } });
    expect(event?.detail).toMatchObject({ botRemoved: true, foundLater: true, membersForgotten: 1 });
    expect(await guildDataCounts(bed, GUILD_3)).toEqual(ALL);
  });

  it('given the guild list leaves out a server that Discord still shows, then nothing of it is forgotten', async () => {
    await bed.bot!.stop();
    // An answer that contradicts itself: an empty list, while GET /guilds/:id still shows the server.
    bed.discord.failNext({ method: 'GET', path: /^\/users\/@me\/guilds$/ }, { status: 200, body: [] });
    const bot = await bed.startBot();
    await bot.waitForLog((line) => line.msg === "a guild missing from the bot's guild list still answers: kept" && line.guildId === GUILD_3, 10_000);
    expect(await guildDataCounts(bed, GUILD_3)).toEqual(ALL);
  });
});

describe('/audit with the members intent, when a member leaves', () => {
  let bed: TestBed;
  beforeAll(async () => {
    bed = await TestBed.start({ env: { DISCORD_MEMBERS_INTENT: 'true' }, discord: { guilds: [{ id: GUILD_1, name: 'Xray Home' }] } });
    bed.eve.addCorporation(XRAY);
    bed.eve.addCharacter({ ...XENA, corporationId: XRAY.id });
    bed.discord.addMember(GUILD_1, { userId: PILOT_1, username: 'xena' });
    await linkCharacter(bed, PILOT_1, XENA.id, { guildId: GUILD_1 });
  });
  afterAll(async () => {
    await bed?.stop();
  });

  it('then the server forgets them at once, with an event', async () => {
    expect(await bed.db.guildMember.count({ where: { guildId: BigInt(GUILD_1), discordUserId: BigInt(PILOT_1) } })).toBe(1);
    await bed.discord.dispatchEvent('GUILD_MEMBER_REMOVE', { guild_id: GUILD_1, user: { id: PILOT_1, username: 'xena', discriminator: '0', avatar: null } });
    await expect.poll(() => bed.db.guildMember.count({ where: { guildId: BigInt(GUILD_1), discordUserId: BigInt(PILOT_1) } }), { timeout: 5_000 }).toBe(0);
    expect(await bed.db.auditEvent.count({ where: { kind: 'guild_left', guildId: BigInt(GUILD_1), discordUserId: BigInt(PILOT_1) } })).toBe(1);
  });
});
