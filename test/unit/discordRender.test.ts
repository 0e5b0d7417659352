import { describe, expect, it } from 'vitest';
import { formatTimestamp, relativeTime, renderMarkdown, renderMessage, renderMessagePage } from '../support/discordRender.ts';

// Saturday 28 November 2026, 02:30:00 UTC
const NOW = new Date('2026-11-28T02:30:00Z');
const unix = (date: Date) => Math.floor(date.getTime() / 1000);
const context = { now: NOW, timeZone: 'UTC', names: { users: { '200000000000000021': 'maya' }, roles: { '1180000000000000301': 'Director' } } };
const md = (text: string) => renderMarkdown(text, context);

describe('Discord markdown', () => {
  it('given bold, italic, underline, strike and code, then the matching elements', () => {
    expect(md('**bold** *it* _it_ __under__ ~~gone~~ `a*b*`')).toBe(
      '<span class="text"><strong>bold</strong> <em>it</em> <em>it</em> <u>under</u> <s>gone</s> <code class="inline">a*b*</code></span>',
    );
    expect(md('***both***')).toBe('<span class="text"><strong><em>both</em></strong></span>');
    expect(md('**Last entries**\n<t:0:d>')).toContain('</strong>\n<span class="timestamp"');
  });

  it('given escaped characters and snake_case, then they stay literal', () => {
    expect(md('\\*not italic\\* and \\_x\\_')).toBe('<span class="text">*not italic* and _x_</span>');
    expect(md('DISCORD_MEMBERS_INTENT and snake_case_name')).toBe('<span class="text">DISCORD_MEMBERS_INTENT and snake_case_name</span>');
  });

  it('given HTML in the text, then it is escaped everywhere, also inside markup, code and links', () => {
    const html = md('<script>alert(1)</script> **<b>x</b>** `<i>` [<img>](https://example.org/?a=1&b="2") [bad](javascript:alert(1))\n```\n<pre>\n```');
    expect(html).not.toMatch(/<(script|b|i|img|pre)>/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('<strong>&lt;b&gt;x&lt;/b&gt;</strong>');
    expect(html).toContain('<a class="link" href="https://example.org/?a=1&amp;b=%222%22">&lt;img&gt;</a>');
    expect(html).not.toContain('href="javascript');
    expect(html).toContain('<pre class="code"><code>&lt;pre&gt;</code></pre>');
  });

  it('given block markdown, then quotes, headings, subtext, lists and code blocks', () => {
    expect(md('> quoted\n> twice\nafter')).toBe('<div class="quote"><div class="quote-bar"></div><blockquote><span class="text">quoted\ntwice</span></blockquote></div><span class="text">after</span>');
    expect(md('# Big\n-# small print')).toBe('<h1>Big</h1><small class="subtext">small print</small>');
    expect(md('Intro\n- one\n  - nested\n- two')).toBe('<span class="text">Intro</span><ul><li>one<ul><li>nested</li></ul></li><li>two</li></ul>');
    expect(md('1. first\n2. second')).toBe('<ol><li>first</li><li>second</li></ol>');
    expect(md('```js\nlet a = 1;\n```\nnext')).toBe('<pre class="code"><code>let a = 1;</code></pre><span class="text">next</span>');
    expect(md('>>> all\nof it')).toContain('<blockquote><span class="text">all\nof it</span></blockquote>');
  });

  it('given mentions, then pills with the known names, and a plain @user for unknown ones', () => {
    expect(md('<@200000000000000021> <@!200000000000000099> <@&1180000000000000301> <#1180000000000000500>')).toBe(
      '<span class="text"><span class="mention">@maya</span> <span class="mention">@user</span> <span class="mention">@Director</span> <span class="mention channel">#channel</span></span>',
    );
    expect(md('</link:1180000000000000900> </roles add:1180000000000000901>')).toBe(
      '<span class="text"><span class="mention command">/link</span> <span class="mention command">/roles add</span></span>',
    );
    expect(md('✅ ok · ⚠️ 1')).toBe('<span class="text">✅ ok · ⚠️ 1</span>');
  });

  it('given timestamps, then Discord\'s formats in the reader\'s zone, relative ones measured from now', () => {
    const at = new Date('2026-11-28T02:30:00Z');
    expect(formatTimestamp(at, 'f', context)).toBe('28 November 2026 02:30');
    expect(formatTimestamp(at, 'F', context)).toBe('Saturday, 28 November 2026 02:30');
    expect(formatTimestamp(at, 'd', context)).toBe('28/11/2026');
    expect(formatTimestamp(at, 'D', context)).toBe('28 November 2026');
    expect(formatTimestamp(at, 't', context)).toBe('02:30');
    expect(formatTimestamp(at, 'T', context)).toBe('02:30:00');
    expect(formatTimestamp(at, 't', { ...context, timeZone: 'Europe/Berlin' })).toBe('03:30');
    expect(relativeTime(new Date(NOW.getTime() + 5 * 60_000), NOW)).toBe('in 5 minutes');
    expect(relativeTime(new Date(NOW.getTime() - 3 * 86_400_000), NOW)).toBe('3 days ago');
    expect(relativeTime(new Date(NOW.getTime() - 10_000), NOW)).toBe('a few seconds ago');
    expect(relativeTime(new Date(NOW.getTime() + 3_600_000), NOW)).toBe('in an hour');
    expect(md(`<t:${unix(NOW) + 300}:R> and <t:${unix(NOW)}>`)).toBe(
      '<span class="text"><span class="timestamp" title="Saturday, 28 November 2026 02:35">in 5 minutes</span> and <span class="timestamp" title="Saturday, 28 November 2026 02:30">28 November 2026 02:30</span></span>',
    );
  });
});

describe('a rendered message', () => {
  const options = { now: NOW, width: 800, botName: 'EVE Corp Bot' };

  it('given an embed, then its colour bar (#202225 without a colour), title, fields and footer', () => {
    const plain = renderMessage({ embeds: [{ title: 'Your wallets', description: '**Maya**: 1 ISK' }] }, options);
    expect(plain).toContain('border-left-color:#202225');
    expect(plain).toContain('<div class="embed-title">Your wallets</div>');
    const coloured = renderMessage(
      {
        embeds: [
          {
            color: 0x5865f2,
            fields: [
              { name: 'A', value: '1', inline: true },
              { name: 'B', value: '2', inline: true },
              { name: 'C', value: '3' },
            ],
            footer: { text: 'Footer' },
            timestamp: NOW.toISOString(),
          },
        ],
      },
      options,
    );
    expect(coloured).toContain('border-left-color:#5865f2');
    expect(coloured).toContain('style="grid-column:1 / 7"><div class="field-name">A');
    expect(coloured).toContain('style="grid-column:7 / 13"><div class="field-name">B');
    expect(coloured).toContain('style="grid-column:1 / 13"><div class="field-name">C');
    expect(coloured).toContain('Footer<span class="separator">•</span>Today at 02:30');
  });

  it('given three inline fields, then one row of three, or rows of two beside a thumbnail', () => {
    const fields = ['A', 'B', 'C'].map((name) => ({ name, value: '1', inline: true }));
    expect(renderMessage({ embeds: [{ fields }] }, options).match(/grid-column:\d+ \/ \d+/g)).toEqual(['grid-column:1 / 5', 'grid-column:5 / 9', 'grid-column:9 / 13']);
    const beside = renderMessage({ embeds: [{ fields, thumbnail: { url: 'https://example.org/a.png' } }] }, options);
    expect(beside.match(/grid-column:\d+ \/ \d+/g)).toEqual(['grid-column:1 / 7', 'grid-column:7 / 13', 'grid-column:1 / 13']);
  });

  it('given a phone width, then inline fields stack', () => {
    const html = renderMessage({ embeds: [{ fields: [{ name: 'A', value: '1', inline: true }, { name: 'B', value: '2', inline: true }] }] }, { ...options, width: 390 });
    expect(html.match(/grid-column:1 \/ 13/g)).toHaveLength(2);
  });

  it('given an ephemeral reply with a link button and a remote thumbnail, then the notice, the button and a placeholder', () => {
    const html = renderMessage(
      {
        content: 'Log in',
        flags: 64,
        embeds: [{ title: 'x', thumbnail: { url: 'https://images.evetech.net/characters/1/portrait' } }],
        components: [{ type: 1, components: [{ type: 2, style: 5, label: 'Log in with EVE Online', url: 'https://example.org' }] }],
      },
      options,
    );
    expect(html).toContain('Only you can see this');
    expect(html).toContain('<span class="button secondary"><span>Log in with EVE Online</span><svg class="button-link-icon"');
    expect(html).toContain('<div class="embed-thumbnail placeholder"></div>');
    expect(html).not.toContain('images.evetech.net');
    expect(html).toContain('<span class="app-tag">APP</span>');
  });

  it('given attachments, then a PNG shows as an image and other files as a card', () => {
    const png = Buffer.from('89504e470d0a1a0a', 'hex');
    const html = renderMessage(
      {
        attachments: [
          { filename: 'chart.png', size: 8, content_type: 'image/png' },
          { filename: 'audit.csv', size: 2048, content_type: 'text/csv' },
        ],
        files: [
          { name: 'chart.png', data: png },
          { name: 'audit.csv', data: Buffer.alloc(2048) },
        ],
      },
      options,
    );
    expect(html).toContain(`<img class="attachment-image" src="data:image/png;base64,${png.toString('base64')}"`);
    expect(html).toContain('<span class="file-name">audit.csv</span><span class="file-size">2.00 KB</span>');
  });

  it('given a page, then a standalone document at the width, with hostile names escaped', () => {
    const page = renderMessagePage({ content: 'hi' }, { ...options, width: 390, botName: '<b>Bot</b>', invoker: { name: '"x"', command: 'help' } });
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page).toContain('<body class="phone" style="width:390px">');
    expect(page).toContain('&lt;b&gt;Bot&lt;/b&gt;');
    expect(page).toContain('<span class="invoker">&quot;x&quot;</span>');
    expect(page).not.toMatch(/https?:\/\/(?!example)/);
  });
});
