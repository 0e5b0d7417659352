import { describe, expect, it } from 'vitest';
import { listAllMembers, type MemberSnapshot } from '../../src/roles/discordGuilds.ts';

const member = (id: bigint): MemberSnapshot => ({ userId: id, username: `u${id}`, roleIds: [], nick: null, bot: false });

/** Discord's GET /guilds/:id/members: members by id, after `after`, at most `limit`. */
function guildOf(count: number) {
  const members = Array.from({ length: count }, (_, i) => member(1000n + BigInt(i) * 7n));
  const calls: bigint[] = [];
  return {
    calls,
    members: async (_guild: bigint, after: bigint, limit: number) => {
      calls.push(after);
      return members.filter((m) => m.userId > after).slice(0, limit);
    },
  };
}

describe('listAllMembers', () => {
  it('given 2,500 members, then three pages, each after the last id of the one before, and every member once', async () => {
    const guild = guildOf(2_500);
    const all = await listAllMembers(guild, 1n);
    expect(all).toHaveLength(2_500);
    expect(new Set(all.map((m) => m.userId)).size).toBe(2_500);
    expect(guild.calls).toEqual([0n, 1000n + 999n * 7n, 1000n + 1999n * 7n]);
  });

  it('given exactly 1,000 members, then a second, empty page ends the list', async () => {
    const guild = guildOf(1_000);
    expect(await listAllMembers(guild, 1n)).toHaveLength(1_000);
    expect(guild.calls).toHaveLength(2);
  });

  it('given a full page that does not move past the cursor, then an error instead of asking for it forever', async () => {
    const stuck = { members: async () => Array.from({ length: 1_000 }, () => member(0n)) };
    await expect(listAllMembers(stuck, 1n)).rejects.toThrow(/does not move on/);
  });

  it('given a deadline that has passed, then the paging itself stops', async () => {
    const guild = guildOf(5_000);
    await expect(listAllMembers(guild, 1n, { deadline: Date.now() - 1 })).rejects.toThrow(/took too long/);
    expect(guild.calls).toEqual([]);
  });
});
