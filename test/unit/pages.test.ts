import { describe, expect, it } from 'vitest';
import { confirmationPage } from '../../src/http/pages.ts';

const input = {
  characterId: 90000001n,
  characterName: 'Alice <b>Alpha</b>',
  account: { username: 'mallory', displayName: 'victim\u202E (@victim)', avatarUrl: 'javascript:alert(1)' },
  value: 'v'.repeat(43),
  action: '/sso/callback',
  expiresAt: new Date(Date.now() + 5 * 60_000),
};

describe('the link confirmation page', () => {
  it('given hostile names and avatar, then every value is escaped, format characters are dropped, and only a Discord CDN avatar is shown', () => {
    const html = confirmationPage(input).body!;
    expect(html).toContain('Alice &lt;b&gt;Alpha&lt;/b&gt;');
    expect(html).not.toContain('<b>Alpha');
    expect(html).not.toContain('\u202E');
    expect(html).not.toContain('javascript:');
    // The unique username is the account named; the chosen display name only follows, isolated.
    expect(html).toContain('to the Discord account <bdi class="who">@mallory</bdi>?');
    expect(html).toContain('Shown in Discord as <bdi>victim (@victim)</bdi>.');
    expect(html).toContain('within 5 minutes');
    expect(html).toContain('<img src="https://images.evetech.net/characters/90000001/portrait?size=64"');
  });

  it('given a Discord CDN avatar, then it is shown', () => {
    const html = confirmationPage({ ...input, account: { ...input.account, avatarUrl: 'https://cdn.discordapp.com/avatars/1/abc.png?size=64' } }).body!;
    expect(html).toContain('src="https://cdn.discordapp.com/avatars/1/abc.png?size=64"');
  });
});
