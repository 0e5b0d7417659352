import { describe, expect, it } from 'vitest';
import { NICKNAME_MAX, planMember, renderNickname, validateTemplate, type LinkedCharacter } from '../../src/roles/index.ts';
import { character, guild, ids, member, NOW, settings } from './fixtures.ts';

const TEMPLATE = '[{corp_ticker}] {character_name}';
/** Half of a surrogate pair without its other half: what a careless cut leaves. */
const hasLoneSurrogate = (text: string) => /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
const source = (overrides: Partial<LinkedCharacter> = {}) => character(overrides);

describe('renderNickname', () => {
  it('given each placeholder, then its value', () => {
    const aria = source();
    expect(renderNickname(TEMPLATE, aria)).toBe('[HRNS] Aria Harness');
    expect(renderNickname('{character_name} <{alliance_ticker}>', aria)).toBe('Aria Harness <HAL>');
    expect(renderNickname('[{alliance_or_corp_ticker}] {character_name}', aria)).toBe('[HAL] Aria Harness');
    expect(renderNickname('[{alliance_or_corp_ticker}] {character_name}', source({ allianceTicker: null }))).toBe('[HRNS] Aria Harness');
  });

  it('given an empty ticker, then its brackets and the extra spaces go', () => {
    const loner = source({ allianceTicker: null, corporationTicker: null });
    expect(renderNickname('[{alliance_ticker}] {character_name}', loner)).toBe('Aria Harness');
    expect(renderNickname('{character_name} ({alliance_ticker})', loner)).toBe('Aria Harness');
    expect(renderNickname('[{alliance_ticker}]  {character_name}  [{corp_ticker}]', loner)).toBe('Aria Harness');
    expect(renderNickname('{alliance_or_corp_ticker}', loner)).toBe('Aria Harness');
  });

  it('given a nickname over 32 characters, then only the name is cut, ending with "…"', () => {
    const long = source({ name: 'Abcdefghij Klmnopqrst Uvwxyzabcd', allianceTicker: 'ALLYX', corporationTicker: 'CORPX' });
    const result = renderNickname('[{alliance_ticker}] [{corp_ticker}] {character_name}', long);
    expect(result).toBe('[ALLYX] [CORPX] Abcdefghij Klmn…');
    expect(result.length).toBe(NICKNAME_MAX);
  });

  it('given a nickname of exactly 32 characters, then it is kept whole', () => {
    const name = 'A'.repeat(32 - '[HRNS] '.length);
    expect(renderNickname(TEMPLATE, source({ name }))).toBe(`[HRNS] ${name}`);
    expect(renderNickname(TEMPLATE, source({ name: `${name}B` }))).toBe(`[HRNS] ${'A'.repeat(24)}…`);
  });

  it('given a cut at a space, then the space before "…" is dropped', () => {
    expect(renderNickname('{corp_ticker} {character_name}', source({ corporationTicker: 'X'.repeat(20), name: 'Abcdefghij Klmnop' }))).toBe(`${'X'.repeat(20)} Abcdefghij…`);
  });

  it('given emoji (surrogate pairs, joined sequences) in the fixed text, then they count as their UTF-16 units and are never split', () => {
    // 🚀 is 2 UTF-16 units; the text is 2 + 1 + 6 + 1 = 10 units, leaving 22 for the name.
    const rocket = renderNickname('🚀 [{corp_ticker}] {character_name}', source({ name: 'Abcdefghijklmnopqrstuvwxyz' }));
    expect(rocket).toBe('🚀 [HRNS] Abcdefghijklmnopqrstu…');
    expect(rocket.length).toBe(32);
    expect(hasLoneSurrogate(rocket)).toBe(false);

    const family = '👩‍👩‍👧'; // one grapheme, 8 units
    const named = renderNickname('{character_name}', source({ name: `${'A'.repeat(27)}${family}` }));
    expect(named).toBe(`${'A'.repeat(27)}…`);
    const pairs = renderNickname('{character_name}', source({ name: '𝐸'.repeat(20) })); // 40 units, 20 code points
    expect(pairs).toBe(`${'𝐸'.repeat(15)}…`);
    expect(hasLoneSurrogate(pairs)).toBe(false);
  });

  it('given fixed text and tickers that leave no room for the name, then the nickname is the name alone, cut to 32', () => {
    const template = `${'x'.repeat(31)} {character_name}`;
    expect(renderNickname(template, source())).toBe('Aria Harness');
    expect(renderNickname(template, source({ name: 'A'.repeat(37) }))).toBe(`${'A'.repeat(31)}…`);
    expect(renderNickname('{corp_ticker} '.repeat(8), source({ name: 'Aria Harness' }))).toBe('Aria Harness');
  });

  it('given the name twice, then both copies are cut alike', () => {
    expect(renderNickname('{character_name} / {character_name}', source({ name: 'Abcdefghijklmnopqrst' }))).toBe('Abcdefghijklm… / Abcdefghijklm…');
  });
});

describe('validateTemplate', () => {
  it('given a good template, then no problem', () => {
    expect(validateTemplate(TEMPLATE)).toEqual([]);
    expect(validateTemplate('{alliance_or_corp_ticker} | {character_name}')).toEqual([]);
  });

  it('given unknown placeholders, no placeholder, stray braces or too much fixed text, then each problem is named', () => {
    expect(validateTemplate('[{ticker}] {character_name} {ticker}')).toEqual([
      'Unknown placeholder {ticker}: use {character_name}, {corp_ticker}, {alliance_ticker}, {alliance_or_corp_ticker}.',
    ]);
    expect(validateTemplate('Pilot')).toEqual([
      'The template has no placeholder, so every member would get the same nickname: use {character_name}, {corp_ticker}, {alliance_ticker}, {alliance_or_corp_ticker}.',
    ]);
    expect(validateTemplate('{character_name')).toHaveLength(2);
    expect(validateTemplate(`${'x'.repeat(33)} {character_name}`)).toEqual(['The text around the placeholders is 33 characters long; a nickname holds at most 32.']);
    expect(validateTemplate(`${'x'.repeat(32)} {character_name}`)).toEqual([]);
  });
});

describe('planMember nickname', () => {
  const withTemplate = settings({ nicknameTemplate: TEMPLATE, nicknameExemptRoleId: ids.exemptRole });
  const plan = (overrides: Partial<Parameters<typeof planMember>[0]> = {}) =>
    planMember({ guild: guild(), rules: [], settings: withTemplate, member: member({ nick: 'aria' }), characters: [character()], now: NOW, ...overrides }).nick;

  it('given a template and a main, then the nickname follows the main', () => {
    expect(plan()).toEqual({ from: 'aria', to: '[HRNS] Aria Harness', change: true });
    expect(plan({ member: member({ nick: null }) })).toEqual({ from: null, to: '[HRNS] Aria Harness', change: true });
  });

  it('given the nickname already matches, then no change', () => {
    expect(plan({ member: member({ nick: '[HRNS] Aria Harness' }) })).toEqual({ from: '[HRNS] Aria Harness', to: '[HRNS] Aria Harness', change: false });
  });

  it('given no main character, then the nickname stays', () => {
    expect(plan({ characters: [character({ isMain: false })] })).toEqual({ from: 'aria', to: 'aria', change: false });
    expect(plan({ characters: [] })).toEqual({ from: 'aria', to: 'aria', change: false });
  });

  it('given the owner, a member at or above the bot, an exempt member, no permission or no template, then it is skipped and says why', () => {
    expect(plan({ member: member({ nick: 'boss', isOwner: true }) })).toEqual({ from: 'boss', to: 'boss', change: false, skipped: 'owner' });
    expect(plan({ member: member({ nick: 'aria', roleIds: [ids.adminRole] }) }).skipped).toBe('above-bot');
    expect(plan({ member: member({ nick: 'aria', roleIds: [ids.corpRole] }), guild: guild({ botHighestPosition: 10 }) }).skipped).toBe('above-bot');
    expect(plan({ member: member({ nick: 'aria', roleIds: [ids.exemptRole] }) }).skipped).toBe('exempt');
    expect(plan({ guild: guild({ botCanManageNicknames: false }) }).skipped).toBe('no-permission');
    expect(plan({ settings: settings() })).toEqual({ from: 'aria', to: 'aria', change: false, skipped: 'off' });
  });

  it('given the bot lacks Manage Roles but has Manage Nicknames, then the nickname still changes', () => {
    expect(plan({ guild: guild({ botCanManageRoles: false }) }).change).toBe(true);
  });
});
