import { describe, expect, it } from 'vitest';
import { confirmationPage, discordLinks, homePage, resultPage, type ResultTone } from '../../src/http/pages.ts';

const input = {
  characterId: 90000001n,
  characterName: 'Alice <b>Alpha</b>',
  account: { username: 'mallory', displayName: 'victim\u202E (@victim)', avatarUrl: 'javascript:alert(1)' },
  value: 'v'.repeat(43),
  action: '/sso/callback',
  expiresAt: new Date(Date.now() + 5 * 60_000),
  botName: 'Corp Bot',
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

  it('then it is a neutral question under the bot\'s name, with no result icon and no way out but its two buttons', () => {
    const html = confirmationPage(input).body!;
    expect(html).toContain('<main class="question"><header>Corp Bot</header>');
    expect(html).not.toContain('<svg');
    expect(html).not.toContain('Open Discord');
  });
});

const result = (tone: ResultTone, more: { guildId?: bigint | null; title?: string; paragraphs?: string[]; botName?: string } = {}) =>
  resultPage({ status: tone === 'success' ? 200 : 400, tone, title: more.title ?? 'Title', paragraphs: more.paragraphs ?? ['Text.'], botName: more.botName ?? 'Corp Bot', guildId: more.guildId });

describe('result pages', () => {
  it('given each tone, then its own accent class and its own icon', () => {
    const pages = (['success', 'failure', 'attention'] as const).map((tone) => result(tone).body!);
    pages.forEach((html, i) => expect(html).toContain(`<main class="${['success', 'failure', 'attention'][i]}">`));
    const icons = pages.map((html) => /<svg class="icon"[^>]*>.*?<\/svg>/.exec(html)?.[0]);
    expect(icons.every((svg) => svg !== undefined && svg.includes('aria-hidden="true"'))).toBe(true);
    expect(new Set(icons).size).toBe(3);
    // Green, red and amber, each declared once for its tone.
    expect(pages[0]).toMatch(/\.success\{--accent:#57f287\}/);
    expect(pages[0]).toMatch(/\.failure\{--accent:#ff7a7a\}/);
    expect(pages[0]).toMatch(/\.attention\{--accent:#f0b232\}/);
  });

  it('given a guild, then "Open Discord" opens it in the app, with the web address as the fallback', () => {
    const html = result('success', { guildId: 123456789012345678n }).body!;
    expect(html).toContain('<a class="button discord" href="discord://-/channels/123456789012345678">Open Discord</a>');
    expect(html).toContain('<a href="https://discord.com/channels/123456789012345678">Open it in the browser</a>');
  });

  it('given no guild (a DM, or an unknown login), then "Open Discord" opens Discord itself', () => {
    for (const guildId of [null, undefined]) {
      const html = result('attention', { guildId }).body!;
      expect(html).toContain('href="discord://">Open Discord</a>');
      expect(html).toContain('<a href="https://discord.com/app">');
      expect(html).not.toContain('/channels/');
    }
    expect(discordLinks(5n)).toEqual({ app: 'discord://-/channels/5', web: 'https://discord.com/channels/5' });
  });

  it('given hostile text in the title, paragraphs and bot name, then all of it is escaped and format characters are dropped', () => {
    const html = result('failure', { title: 'Linked <script>x</script>', paragraphs: ['"a" & \'b\' \u202Eevil'], botName: '<img src=x onerror=alert(1)>' }).body!;
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('Linked &lt;script&gt;x&lt;/script&gt;');
    expect(html).toContain('<p>&quot;a&quot; &amp; &#39;b&#39; evil</p>');
    expect(html).toContain('<header>&lt;img src=x onerror=alert(1)&gt;</header>');
    expect(html).not.toContain('\u202E');
  });

  it('then long unbroken names wrap instead of scrolling sideways, and the card keeps a margin on a phone', () => {
    const html = result('success').body!;
    expect(html).toMatch(/body\{[^}]*overflow-wrap:anywhere/);
    expect(html).toMatch(/body\{[^}]*padding:1rem/);
    expect(html).toMatch(/main\{[^}]*max-width:30rem[^}]*min-width:0/);
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
  });

  it('then the page is titled with its outcome and the bot', () => {
    expect(result('success', { title: 'Linked Alice' }).body).toContain('<title>Linked Alice · Corp Bot</title>');
  });
});

describe('the home page', () => {
  it('given no project URL, then it names the bot and what its pages are, and links nowhere', () => {
    const page = homePage({ botName: 'Corp Bot' });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<header>Corp Bot</header>');
    expect(page.body).toContain('Its only web pages are the EVE login of its /link command');
    expect(page.body).not.toContain('<a ');
  });

  it('given a project URL, then it links there, escaped', () => {
    expect(homePage({ botName: 'B', projectUrl: 'https://example.org/bot?a=1&b=2' }).body).toContain('<a href="https://example.org/bot?a=1&amp;b=2">');
  });
});
