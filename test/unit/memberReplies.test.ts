import { describe, expect, it } from 'vitest';
import { CommandMentions } from '../../src/bot/commandMentions.ts';
import type { Reply } from '../../src/bot/command.ts';
import { DISCORD_LIMITS, replyProblems } from '../../src/bot/replyLimits.ts';
import type { LinkedCharacter } from '../../src/links/characterService.ts';
import type { SkillsSummary } from '../../src/skills/skillsService.ts';
import { deadLoginMessage, serverList } from '../../src/tokens/deadLoginMessage.ts';
import type { CharacterBalance, WalletDetail } from '../../src/wallet/walletService.ts';
import { charactersReply, type CharacterView } from '../../commands/_charactersFormat.ts';
import { helpReply } from '../../commands/_helpFormat.ts';
import { linkReply } from '../../commands/_linkFormat.ts';
import { skillsReply } from '../../commands/_skillsFormat.ts';
import { COLOURS } from '../../commands/_style.ts';
import { shortAgo, signedCompact, walletDetailReply, walletOverviewReply } from '../../commands/_walletFormat.ts';
import { unlinkDone, unlinkQuestion } from '../../commands/unlink.ts';

const NOW = new Date('2025-06-01T12:00:00Z');
const HOUR = 3600_000;
const IDS: Record<string, string> = { link: '1001', characters: '1002', wallet: '1003', skills: '1004', unlink: '1005', help: '1006', audit: '1007', roles: '1008' };
const mentions = new CommandMentions();
mentions.update(Object.entries(IDS).map(([name, id]) => ({ name, id })));
const LINK = '</link:1001>';

/** 40 characters, with every character Discord markdown cares about. */
const longName = (i: number) => `*_Pilot~${String(i).padStart(4, '0')}|[x](y)\`bold\`_*-${'Q'.repeat(14)}`;

type Json = Record<string, any>;
const embed = (reply: Reply, i = 0): Json => {
  const raw = reply.embeds?.[i] as { toJSON?: () => Json } | Json | undefined;
  return (typeof raw?.toJSON === 'function' ? raw.toJSON() : raw) as Json;
};
const fits = (reply: Reply) => expect(replyProblems(reply)).toEqual([]);

describe('/wallet overview', () => {
  const ok = (i: number, balance: number, isMain = false): CharacterBalance => ({ characterId: BigInt(90000000 + i), name: longName(i), isMain, balance });
  const bad = (i: number, problem: 'login_expired' | 'missing_scope' | 'unavailable'): CharacterBalance => ({
    characterId: BigInt(90000000 + i),
    name: longName(i),
    isMain: false,
    problem,
    message: 'long service message',
  });

  it('given 200 characters with huge, negative and unreadable balances, then it fits, the main comes first and the list says how many it left out', () => {
    const characters: CharacterBalance[] = [ok(0, 9.99e15, true)];
    for (let i = 1; i < 200; i += 1) characters.push(i % 4 === 0 ? bad(i, (['login_expired', 'missing_scope', 'unavailable'] as const)[i % 3]!) : ok(i, i % 3 ? -1234567.891 * i : 1e13));
    const reply = walletOverviewReply({ characters, total: 1.2e16 }, mentions);
    fits(reply);
    const { description, color } = embed(reply);
    expect(color).toBe(COLOURS.attention);
    expect(description.startsWith('**Total 12000t ISK** (without 49 characters that could not be read)\n\n⭐ **\\*\\_Pilot\\~0000')).toBe(true);
    expect(description).toMatch(/\n… and \d+ more characters$/);
    expect(description).toContain(`⚠️ login expired: ${LINK} to renew`);
    expect(description).toContain(`⚠️ no wallet access: ${LINK} to grant it`);
  });

  it('given one dead login, then it shows once without the name repeated, and the total says it leaves it out', () => {
    const reply = walletOverviewReply(
      {
        characters: [
          { characterId: 1n, name: 'Maya Main', isMain: true, balance: 4.56e9 },
          { characterId: 2n, name: 'Alt Two', isMain: false, problem: 'login_expired', message: 'Your login for **Alt Two** has expired' },
          { characterId: 3n, name: 'Alt Three', isMain: false, balance: 45_600_000 },
        ],
        total: 4.6056e9,
      },
      mentions,
    );
    fits(reply);
    expect(embed(reply).description).toBe(
      ['**Total 4.61b ISK** (without Alt Two: login expired)', '', '⭐ **Maya Main** · 4.56b ISK', `**Alt Two** · ⚠️ login expired: ${LINK} to renew`, '**Alt Three** · 45.6m ISK'].join('\n'),
    );
    expect(embed(reply).color).toBe(COLOURS.attention);
  });

  it('given all read, then green; given all dead, then red; given none, then where to start', () => {
    expect(embed(walletOverviewReply({ characters: [ok(1, 5)], total: 5 }, mentions)).color).toBe(COLOURS.ok);
    expect(embed(walletOverviewReply({ characters: [bad(1, 'login_expired'), bad(2, 'login_expired')], total: 0 }, mentions)).color).toBe(COLOURS.problem);
    expect(walletOverviewReply({ characters: [], total: 0 }, mentions).content).toContain(LINK);
  });
});

describe('/wallet character:', () => {
  const detail = (entries: number, extra: Partial<WalletDetail> = {}): WalletDetail => ({
    characterId: 92000001n,
    name: longName(1),
    balance: -9876543210.5,
    journal: Array.from({ length: entries }, (_, i) => ({
      id: BigInt(i),
      date: new Date(NOW.getTime() - (i + 1) * HOUR * 2),
      refType: i % 2 ? 'player_donation' : `a_very_long_reference_type_name_${'x'.repeat(60)}`,
      ...(i % 7 === 0 ? {} : { amount: i % 2 ? -1e15 * i : 123456.78 * i }),
      balance: 1e9 - i,
    })),
    moneyIn: 1.5e12,
    moneyOut: -6003.5,
    partial: false,
    ...extra,
  });

  it('given 300 entries, then the exact balance and 30-day totals at the top, 20 phone lines and how many more', () => {
    const reply = walletDetailReply({ detail: detail(300), now: NOW });
    fits(reply);
    const e = embed(reply);
    expect(e.color).toBe(COLOURS.ok);
    // The portrait beside the name: a thumbnail would take a column and wrap the journal lines on a phone.
    expect(e.thumbnail).toBeUndefined();
    expect(e.author.icon_url).toContain('92000001');
    expect(e.title).toBe('Wallet');
    expect(e.description.startsWith('Balance **-9,876,543,210.50 ISK**\nLast 30 days: **+1.5t ISK** in · **−6k ISK** out\n\n')).toBe(true);
    const lines = e.description.split('\n').filter((l: string) => l.startsWith('`'));
    expect(lines).toHaveLength(20);
    expect(lines[0]).toBe('`    2h` — A very long reference type name ' + 'x'.repeat(60));
    expect(lines[1]).toBe('`    4h` **−1000t** Player donation');
    expect(e.description).not.toContain('→');
    expect(e.description.endsWith('… and 280 more in the last 30 days')).toBe(true);
    expect(reply.files).toBeUndefined();
  });

  it('given every entry allowed on screen, then the list gives way at the limit with the count of the rest', () => {
    const reply = walletDetailReply({ detail: detail(300, { partial: true }), now: NOW, maxLines: 300, refTypeName: (t) => `${t.toUpperCase()} *[bold]*` });
    fits(reply);
    const { description, color } = embed(reply);
    expect(color).toBe(COLOURS.attention);
    expect(description.length).toBeLessThanOrEqual(DISCORD_LIMITS.description);
    const shown = description.split('\n').filter((l: string) => l.startsWith('`')).length;
    expect(description.endsWith(`… and ${300 - shown} more in the last 30 days`)).toBe(true);
    expect(description).toContain('PLAYER\\_DONATION \\*\\[bold\\]\\*');
  });

  it('given a chart, then it is attached and shown as the image', () => {
    const reply = walletDetailReply({ detail: detail(3), now: NOW, chart: Buffer.from('png') });
    fits(reply);
    expect(embed(reply).image).toEqual({ url: 'attachment://balance.png' });
    expect((reply.files?.[0] as { name?: string }).name).toBe('balance.png');
  });

  it('given no entries, then it says so', () => {
    expect(embed(walletDetailReply({ detail: detail(0), now: NOW })).description).toContain('No journal entries in the last 30 days.');
  });

  it('then ages and amounts are short and signed', () => {
    expect(shortAgo(new Date(NOW.getTime() - 5 * 60_000), NOW)).toBe('5 min');
    expect(shortAgo(new Date(NOW.getTime() - 26 * HOUR), NOW)).toBe('26h');
    expect(shortAgo(new Date(NOW.getTime() - 50 * HOUR), NOW)).toBe('2d');
    expect(signedCompact(-45_600_000)).toBe('−45.6m ISK');
    expect(signedCompact(1_230_000_000)).toBe('+1.23b ISK');
  });
});

describe('/characters', () => {
  const character = (i: number, health: LinkedCharacter['health'], isMain = false): CharacterView => ({
    id: BigInt(91000000 + i),
    name: longName(i),
    corporationId: 98000001n,
    allianceId: i % 2 ? 99000001n : null,
    isMain,
    linkedAt: new Date(NOW.getTime() - i * HOUR),
    health,
    missingScopes: health === 'missing_scopes' ? ['esi-wallet.read_character_wallet.v1', 'esi-skills.read_skillqueue.v1'] : [],
    invalidReason: null,
    corporation: { name: `Corp ${'*'.repeat(40)}`, ticker: 'C_RP' },
    alliance: i % 2 ? { name: `Alliance ${'_'.repeat(40)}` } : undefined,
  });

  it('given 200 characters in every state, then it fits whole lines, main first, red, with the /link mention', () => {
    const list = Array.from({ length: 200 }, (_, i) => character(i + 1, (['ok', 'invalid', 'missing_scopes'] as const)[i % 3]!));
    list.push(character(0, 'ok', true));
    const reply = charactersReply(list, mentions, { id: 91000000n, name: longName(0) });
    fits(reply);
    const e = embed(reply);
    expect(e.color).toBe(COLOURS.problem);
    expect(e.thumbnail.url).toContain('91000000');
    expect(e.description.startsWith(`⭐ **\\*\\_Pilot\\~0000`)).toBe(true);
    expect(e.description.split('\n\n')[1]).toMatch(/^⭐ \*\*\\\*\\_Pilot\\~0000/);
    expect(e.description).toMatch(/\n\n… and \d+ more characters$/);
    expect(e.description).toContain(`❌ login expired: ${LINK} to renew`);
    expect(e.description).toContain(`⚠️ missing wallet, skill queue: ${LINK} to grant them`);
    expect(e.footer.text).toBe('201 characters linked · /link adds one · /unlink removes one');
  });

  it('given only good logins, then green; a missing scope, amber; none, where to start', () => {
    expect(embed(charactersReply([character(1, 'ok', true)], mentions)).color).toBe(COLOURS.ok);
    expect(embed(charactersReply([character(1, 'ok', true), character(2, 'missing_scopes')], mentions)).color).toBe(COLOURS.attention);
    expect(embed(charactersReply([character(1, 'ok', true)], mentions)).thumbnail).toBeUndefined();
    expect(charactersReply([], mentions).content).toContain(LINK);
  });
});

describe('/skills', () => {
  const summary = (extra: Partial<SkillsSummary> = {}): SkillsSummary => ({
    characterId: 93000001n,
    name: longName(3),
    totalSp: 1e12,
    unallocatedSp: 1,
    training: undefined,
    queued: 0,
    queueEndsAt: undefined,
    next: [],
    finishedSinceUpdate: 0,
    queueEmptySince: undefined,
    ...extra,
  });

  it('given an empty queue, then amber and a warning since when it is empty', () => {
    const since = new Date('2025-05-30T00:00:00Z');
    const reply = skillsReply(summary({ queueEmptySince: since, finishedSinceUpdate: 1 }));
    fits(reply);
    const e = embed(reply);
    expect(e.color).toBe(COLOURS.attention);
    expect(e.description).toBe(`⚠️ Skill queue empty since <t:${since.getTime() / 1000}:R>`);
    expect(e.thumbnail.url).toContain('93000001');
    expect(e.footer.text).toBe('1 queued skill finished since EVE last updated the skill list; counted as trained.');
  });

  it('given an empty queue of unknown age, then the warning without a time', () => {
    expect(embed(skillsReply(summary())).description).toBe('⚠️ Skill queue empty');
  });

  it('given a long queue of long names, then it fits, green, "N skills" everywhere', () => {
    const entry = (i: number) => ({ skillId: BigInt(i), skillName: `${longName(i)} ${'Z'.repeat(60)}`, level: 5, finishesAt: new Date(NOW.getTime() + i * HOUR) });
    const reply = skillsReply(summary({ training: entry(0), queued: 1, next: Array.from({ length: 50 }, (_, i) => entry(i + 1)), finishedSinceUpdate: 3 }));
    fits(reply);
    const e = embed(reply);
    expect(e.color).toBe(COLOURS.ok);
    expect(e.description).toBeUndefined();
    expect(e.fields.find((f: Json) => f.name === 'Queue').value).toMatch(/^1 skill$/);
    expect(e.fields.find((f: Json) => f.name === 'Next').value).toMatch(/… and \d+ more skills$/);
    expect(e.footer.text).toMatch(/^3 queued skills finished/);
  });

  it('given a paused queue, then amber', () => {
    expect(embed(skillsReply(summary({ queued: 2 }))).color).toBe(COLOURS.attention);
  });
});

describe('/help', () => {
  const definition = (name: string) => ({ data: { name, toJSON: () => ({ name, description: name }) }, help: `What /${name} does.` });

  it('then the member commands first, as mentions, and the officers under their own heading', () => {
    const reply = helpReply(['audit', 'characters', 'help', 'link', 'roles', 'skills', 'unlink', 'wallet'].map(definition), mentions);
    fits(reply);
    const { description, color } = embed(reply);
    expect(color).toBe(COLOURS.info);
    const order = ['link', 'characters', 'wallet', 'skills', 'unlink', 'help', 'audit', 'roles'].map((n) => description.indexOf(`</${n}:${IDS[n]}> — `));
    expect(order.every((at, i) => at > 0 && (i === 0 || at > order[i - 1]!))).toBe(true);
    expect(description.indexOf('**For officers**')).toBeGreaterThan(order[5]!);
    expect(description.indexOf('**For officers**')).toBeLessThan(order[6]!);
  });

  it('given 30 commands with 300-character help lines, then it still fits Discord', () => {
    const many = Array.from({ length: 30 }, (_, i) => ({ ...definition(`command${i}`), help: `${'x'.repeat(290)} ${i}` }));
    fits(helpReply(many, mentions));
  });

  it('given no registered ids yet, then plain /names', () => {
    expect(embed(helpReply([definition('link')], new CommandMentions())).description).toContain('/link — ');
  });
});

describe('/link and /unlink', () => {
  it('then one line per scope saying why it is asked, mentioning the commands that use it', () => {
    const scopes = [
      'esi-wallet.read_character_wallet.v1',
      'esi-skills.read_skills.v1',
      'esi-skills.read_skillqueue.v1',
      'esi-corporations.read_corporation_membership.v1',
      'esi-characters.read_corporation_roles.v1',
      'esi-unknown.v1',
    ];
    const reply = linkReply({ url: 'https://login.example/authorize', scopes, expiresAt: NOW }, mentions, '⚠️ Your EVE login expired.');
    fits(reply);
    const lines = String(reply.content).split('\n');
    expect(lines[0]).toBe('⚠️ Your EVE login expired.');
    expect(lines).toContain('- **wallet**: your balance and journal in </wallet:1003>');
    expect(lines).toContain("- **corporation member list**: lets your corporation's officers in this server see which members have not linked");
    expect(lines).toContain('- `esi-unknown.v1`');
    expect(lines.filter((l) => l.startsWith('- '))).toHaveLength(6);
  });

  it('given 60 long scopes and a long note before, then the reply still fits one message', () => {
    const scopes = Array.from({ length: 60 }, (_, i) => `esi-${'very-long-scope-name-'.repeat(4)}${i}.v1`);
    const reply = linkReply({ url: 'https://login.example/authorize', scopes, expiresAt: NOW }, mentions, `⚠️ ${'n'.repeat(500)}`);
    fits(reply);
  });

  it('then the unlink question and answer name the character and fit', () => {
    const question = unlinkQuestion({ id: 1n, name: longName(9).repeat(3) }, mentions);
    fits(question);
    expect(question.content).toContain(LINK);
    fits(unlinkDone({ name: longName(9), revoked: false }, mentions));
    expect(unlinkDone({ name: 'Gina', revoked: true }, mentions).content).toContain('</characters:1002>');
  });
});

describe('the DM about a dead login', () => {
  it('then it names the servers, falls back to "a server", and carries the button that starts a new /link', () => {
    expect(serverList(['Alpha Corp', undefined])).toBe('**Alpha Corp** and another server');
    expect(serverList([undefined, undefined])).toBe('2 servers');
    expect(serverList(['A', 'B', '*C*'])).toBe('**A**, **B** and **\\*C\\***');
    expect(serverList(['A', 'B', 'C', 'D', 'E', 'F', undefined])).toBe('**A**, **B**, **C**, **D**, **E** and 2 other servers');
    const message = deadLoginMessage('Dora *Dead*', [1n, 2n], 'Log in again before <t:1:f> to keep the Discord roles it earns you.');
    const content = message.content as (names: readonly (string | undefined)[]) => string;
    expect(content(['Alpha Corp', undefined])).toBe(
      '⚠️ Your EVE login for **Dora \\*Dead\\*** has expired or was revoked.\nThe bot can no longer read its data for you in **Alpha Corp** and another server. Press **Log in again** below, or use /link there. Log in again before <t:1:f> to keep the Discord roles it earns you.',
    );
    expect(content([undefined])).toContain('for you in a server.');
    expect(message.guildIds).toEqual([1n, 2n]);
    expect(message.components).toEqual([{ type: 1, components: [{ type: 2, style: 1, label: 'Log in again', custom_id: 'link:renew' }] }]);
    expect((deadLoginMessage('X', []).content as (n: string[]) => string)([])).toContain('can no longer read its data. Press **Log in again** below, or use /link.');
  });

  it('given a 100-character pilot name and 200 servers with 100-character names, then the DM fits one message', () => {
    const message = deadLoginMessage('P'.repeat(100), Array.from({ length: 200 }, (_, i) => BigInt(i + 1)), 'Log in again before <t:1:f> to keep the Discord roles it earns you.');
    const content = (message.content as (names: readonly (string | undefined)[]) => string)(Array.from({ length: 200 }, (_, i) => `${'S'.repeat(97)}${i}`));
    fits({ content, components: message.components } as Reply);
    expect(content).toContain('Log in again before <t:1:f>');
    expect(content).toContain('and 195 other servers');
  });
});
