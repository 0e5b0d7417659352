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
const HOURS = 60 * 60_000;
const NOTHING = { members: 0, settings: 0, roleRules: 0, roleSettings: 0, roleProblems: 0, roleCursors: 0 };
const ALL = { members: 1, settings: 1, roleRules: 1, roleSettings: 1, roleProblems: 1, roleCursors: 1 };

describe('given the bot is removed from a server while it is down', () => {
  const GUILD_3 = '1180000000000000803';
  const GUILD_4 = '1180000000000000804';
  // Only the commands installed there (no bot): the bot never sees it in its guild list.
  const COMMANDS_ONLY = '1180000000000000809';
  const OTHER_APP_GUILD = '1180000000000000950';
  let bed: TestBed;
  const app = () => BigInt(bed.discord.applicationId);
  const botGuild = (guildId: string) => bed.db.botGuild.findUnique({ where: { applicationId_guildId: { applicationId: app(), guildId: BigInt(guildId) } } });
  const restart = async () => {
    await bed.bot!.stop();
    return bed.startBot();
  };
  beforeAll(async () => {
    bed = await TestBed.start({ discord: { guilds: [{ id: GUILD_3, name: 'Stays' }, { id: GUILD_4, name: 'Kicks the bot' }] } });
    for (const guild of [GUILD_3, GUILD_4, COMMANDS_ONLY]) await seedGuildData(bed, guild);
    // The check at start records the servers the bot is in.
    for (let waited = 0; (await bed.db.botGuild.count({ where: { applicationId: app() } })) < 2; waited += 100) {
      if (waited > 10_000) throw new Error('the check at start did not record the servers the bot is in');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
  afterAll(async () => {
    await bed?.stop();
  });

  it('then a check finds the server gone (missing from the list, and Discord refuses to show it) and marks it; a check 6 hours or more later forgets that server only, with an event', async () => {
    await bed.bot!.stop();
    bed.discord.botRemovedFrom(GUILD_4);
    await bed.startBot();
    await expect.poll(async () => (await botGuild(GUILD_4))?.missingSince ?? null, { timeout: 10_000 }).not.toBeNull();
    expect(await guildDataCounts(bed, GUILD_4)).toEqual(ALL);
    // A check just after finds it missing again, but too soon: kept.
    const again = await restart();
    await again.waitForLog((line) => line.msg === 'the bot seems to have been removed from a guild: forgotten if a later check agrees' && line.guildId === GUILD_4, 10_000);
    expect(await guildDataCounts(bed, GUILD_4)).toEqual(ALL);
    // The next check, as if 7 hours later.
    await bed.db.botGuild.update({ where: { applicationId_guildId: { applicationId: app(), guildId: BigInt(GUILD_4) } }, data: { missingSince: new Date(Date.now() - 7 * HOURS) } });
    // A server another application's bot was in (a bot that used this database before): never this bot's to forget.
    await seedGuildData(bed, OTHER_APP_GUILD);
    await bed.db.botGuild.create({ data: { applicationId: 1n, guildId: BigInt(OTHER_APP_GUILD), missingSince: new Date(Date.now() - 7 * HOURS) } });
    await restart();
    await expect.poll(() => guildDataCounts(bed, GUILD_4), { timeout: 10_000 }).toEqual(NOTHING);
    const events = await bed.db.auditEvent.findMany({ where: { kind: 'guild_left', guildId: BigInt(GUILD_4), discordUserId: null } });
    expect(events.map((e) => e.detail)).toEqual([{ botRemoved: true, foundLater: true, membersForgotten: 1 }]);
    expect(await botGuild(GUILD_4)).toBeNull();
    expect(await guildDataCounts(bed, GUILD_3)).toEqual(ALL);
    // Where only the commands were installed, the bot was never seen: nothing of it is forgotten. Nor of another application's.
    expect(await guildDataCounts(bed, COMMANDS_ONLY)).toEqual(ALL);
    expect(await guildDataCounts(bed, OTHER_APP_GUILD)).toEqual(ALL);
  });

  it('given the guild list leaves out a server that Discord still shows, then nothing of it is forgotten', async () => {
    await bed.bot!.stop();
    // An answer that contradicts itself: an empty list, while GET /guilds/:id still shows the server.
    bed.discord.failNext({ method: 'GET', path: /^\/users\/@me\/guilds$/ }, { status: 200, body: [] });
    const bot = await bed.startBot();
    await bot.waitForLog((line) => line.msg === "a guild missing from the bot's guild list still answers: kept" && line.guildId === GUILD_3, 10_000);
    expect(await guildDataCounts(bed, GUILD_3)).toEqual(ALL);
    expect((await botGuild(GUILD_3))?.missingSince).toBeNull();
  });

  it('given Discord answers the check with a 403 that is not "not in this server" (Cloudflare\'s 40333, a firewall\'s page), then the server is kept, even one an earlier check marked missing', async () => {
    await bed.db.botGuild.update({ where: { applicationId_guildId: { applicationId: app(), guildId: BigInt(GUILD_3) } }, data: { missingSince: new Date(Date.now() - 7 * HOURS) } });
    for (const body of [{ message: 'internal network error', code: 40333 }, '<html>Forbidden</html>']) {
      await bed.bot!.stop();
      bed.discord.failNext({ method: 'GET', path: /^\/users\/@me\/guilds$/ }, { status: 200, body: [] });
      bed.discord.failNext({ method: 'GET', path: new RegExp(`^/guilds/${GUILD_3}$`) }, { status: 403, body });
      const bot = await bed.startBot();
      await bot.waitForLog((line) => line.msg === 'could not check whether the bot is still in a guild: kept' && line.guildId === GUILD_3, 10_000);
      expect(await guildDataCounts(bed, GUILD_3)).toEqual(ALL);
    }
  });

  it('given many servers newly missing at once (a fault), then none is marked; one marked by an earlier check still goes on to be forgotten', async () => {
    const gone = Array.from({ length: 4 }, (_, i) => String(1180000000000000900n + BigInt(i)));
    const markedBefore = '1180000000000000910';
    for (const guild of [...gone, markedBefore]) await seedGuildData(bed, guild);
    for (const guild of gone) await bed.db.botGuild.create({ data: { applicationId: app(), guildId: BigInt(guild) } });
    await bed.db.botGuild.create({ data: { applicationId: app(), guildId: BigInt(markedBefore), missingSince: new Date(Date.now() - 7 * HOURS) } });
    const bot = await restart();
    await bot.waitForLog((line) => String(line.msg).startsWith('too many servers missing from the bot\'s guild list at once: marking none'), 10_000);
    await expect.poll(() => guildDataCounts(bed, markedBefore), { timeout: 10_000 }).toEqual(NOTHING);
    for (const guild of gone) expect(await guildDataCounts(bed, guild)).toEqual(ALL);
    expect(await bed.db.botGuild.count({ where: { applicationId: app(), guildId: { in: gone.map(BigInt) }, missingSince: { not: null } } })).toBe(0);
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
