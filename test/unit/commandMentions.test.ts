import { describe, expect, it } from 'vitest';
import { CommandMentions, registeredCommands } from '../../src/bot/commandMentions.ts';

const answer = [
  { id: '111', name: 'link', type: 1 },
  { id: '222', name: 'audit', type: 1, options: [{ type: 1, name: 'summary' }, { type: 1, name: 'member' }] },
  { id: '333', name: 'Profile', type: 2 },
];

describe('CommandMentions', () => {
  it('given no registration yet, then plain /name', () => {
    const mentions = new CommandMentions();
    expect(mentions.mention('link')).toBe('/link');
    expect(mentions.linkify('Use /link to link one.')).toBe('Use /link to link one.');
  });

  it('given the ids Discord answered, then clickable mentions, subcommands included', () => {
    const mentions = new CommandMentions();
    mentions.update(registeredCommands(answer));
    expect(mentions.mention('link')).toBe('</link:111>');
    expect(mentions.mention('audit', 'summary')).toBe('</audit summary:222>');
    expect(mentions.mention('audit', 'nope')).toBe('/audit nope');
    expect(mentions.mention('wallet')).toBe('/wallet');
  });

  it('given texts, then only standalone known commands become mentions; URLs and paths stay', () => {
    const mentions = new CommandMentions();
    mentions.update(registeredCommands(answer));
    expect(mentions.linkify('Use /link to try again.')).toBe('Use </link:111> to try again.');
    expect(mentions.linkify('(see /audit summary)')).toBe('(see </audit summary:222>)');
    expect(mentions.linkify('try /audit events')).toBe('try </audit:222> events');
    expect(mentions.linkify('https://example.org/link and a/link and /linked and /wallet')).toBe('https://example.org/link and a/link and /linked and /wallet');
  });

  it('given malformed ids or other command types, then ignored', () => {
    expect(registeredCommands([{ id: 'x; drop', name: 'link' }, { id: '1', name: 'Profile', type: 2 }, 'junk'])).toEqual([{ name: 'link', id: 'x; drop', subcommands: [] }]);
    const mentions = new CommandMentions();
    mentions.update(registeredCommands([{ id: 'x; drop', name: 'link' }]));
    expect(mentions.mention('link')).toBe('/link');
  });
});
