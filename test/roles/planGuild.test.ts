import { describe, expect, it } from 'vitest';
import { EXAMPLE_LIMIT, planGuild } from '../../src/roles/index.ts';
import { character, corpRule, guild, hoursBefore, ids, linkedRule, member, NOW, settings } from './fixtures.ts';

describe('planGuild', () => {
  const rules = [corpRule(), linkedRule(), corpRule('main', ids.harnessCorp, ids.adminRole)];
  const config = { guild: guild(), rules, settings: settings({ nicknameTemplate: '[{corp_ticker}] {character_name}' }), now: NOW };

  it('given many members, then per-role gains and losses with at most 10 names, nickname changes, blocked roles, and only changed members to write', () => {
    const joiners = Array.from({ length: 12 }, (_, index) => ({
      member: member({ userId: BigInt(index + 1), username: `joiner${index + 1}`, nick: `[HRNS] Pilot ${index + 1}` }),
      characters: [character({ name: `Pilot ${index + 1}` })],
    }));
    const leaver = {
      member: member({ userId: 100n, username: 'leaver', nick: 'Gone', roleIds: [ids.corpRole, ids.linkedRole] }),
      characters: [character({ name: 'Gone Pilot', corporationId: ids.otherCorp, corporationTicker: 'OTHR', login: 'dead', deadSince: hoursBefore(NOW, 1) })],
    };
    const settled = {
      member: member({ userId: 200n, username: 'settled', nick: '[HRNS] Aria Harness', roleIds: [ids.corpRole, ids.linkedRole, ids.adminRole] }),
      characters: [character()],
    };

    const result = planGuild({ ...config, members: [...joiners, leaver, settled] });

    expect(result.roles.map(({ roleId, gains, losses }) => ({ roleId, gains, losses }))).toEqual([
      { roleId: ids.corpRole, gains: 12, losses: 1 },
      { roleId: ids.linkedRole, gains: 12, losses: 0 },
      { roleId: ids.adminRole, gains: 0, losses: 0 },
    ]);
    const corp = result.roles[0]!;
    expect(corp.gainExamples).toHaveLength(EXAMPLE_LIMIT);
    expect(corp.gainExamples[0]).toBe('[HRNS] Pilot 1');
    expect(corp.lossExamples).toEqual(['Gone']);

    expect(result.nicknames.changes).toBe(1);
    expect(result.nicknames.examples).toEqual([{ name: 'Gone', from: 'Gone', to: '[OTHR] Gone Pilot' }]);
    expect(result.blocked).toEqual([{ roleId: ids.adminRole, why: 'above-bot', members: 12 }]);
    expect(result.writes.map((write) => write.userId)).toEqual([...joiners.map(({ member: { userId } }) => userId), 100n]);
    // The leaver's linked role hangs on a dead login: its grace end is when to look again.
    expect(result.graceUntil).toEqual(new Date(NOW.getTime() + 47 * 3_600_000));
  });

  it('given nobody changes, then no writes', () => {
    const settled = { member: member({ nick: '[HRNS] Aria Harness', roleIds: [ids.corpRole, ids.linkedRole, ids.adminRole] }), characters: [character()] };
    const result = planGuild({ ...config, members: [settled] });
    expect(result.writes).toEqual([]);
    expect(result.nicknames).toEqual({ changes: 0, examples: [] });
    expect(result.blocked).toEqual([]);
  });
});
