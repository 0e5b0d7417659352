import { EmbedBuilder } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { DISCORD_LIMITS, fitChoices, fitDescription, fitReply, fitText, replyProblems } from '../../src/bot/replyLimits.ts';

describe('fitText', () => {
  it('given a text within the limit, then unchanged', () => {
    expect(fitText('short', 10)).toBe('short');
  });

  it('given a longer text, then cut at a word near the end with an ellipsis, within the limit', () => {
    const text = 'word '.repeat(100);
    const cut = fitText(text, 52);
    expect(cut.length).toBeLessThanOrEqual(52);
    expect(cut.endsWith('word…')).toBe(true);
  });

  it('given one long word, then cut inside it', () => {
    expect(fitText('x'.repeat(300), 256)).toBe(`${'x'.repeat(255)}…`);
  });
});

describe('fitDescription', () => {
  it('given a long list, then the head and the warning stay whole and the list says how many it left out', () => {
    const warning = "⚠️ EVE's API did not answer: corporations are as last stored.";
    const text = fitDescription({ head: 'Head line', lines: Array.from({ length: 400 }, (_, i) => `member line ${i} ${'x'.repeat(20)}`), more: (n) => `… and ${n} more`, tail: warning });
    expect(text.length).toBeLessThanOrEqual(DISCORD_LIMITS.description);
    expect(text.startsWith('Head line\n\n')).toBe(true);
    expect(text.endsWith(warning)).toBe(true);
    expect(text).toMatch(/… and \d+ more\n\n⚠️/);
  });
});

describe('replyProblems', () => {
  it('given a reply within every limit, then none', () => {
    const embed = new EmbedBuilder().setTitle('t').setDescription('d').addFields({ name: 'n', value: 'v' });
    expect(replyProblems({ content: 'hi', embeds: [embed] })).toEqual([]);
  });

  it('given each limit broken, then each named', () => {
    const fields = Array.from({ length: 26 }, (_, i) => ({ name: `f${i}`, value: 'v'.repeat(1025) }));
    const problems = replyProblems({
      content: 'c'.repeat(2001),
      embeds: [{ title: 't'.repeat(257), description: 'd'.repeat(4097), fields, footer: { text: 'f'.repeat(2049) } }],
      components: Array.from({ length: 6 }, () => ({ type: 1, components: Array.from({ length: 6 }, () => ({ type: 2, style: 1, custom_id: 'x'.repeat(101), label: 'l' })) })) as never,
    });
    for (const expected of ['content', 'embeds[0].title', 'embeds[0].description', 'embeds[0].footer', 'embeds[0].fields:', 'embeds[0].fields[0].value', 'characters > 6000', 'components: 6 rows', 'components[0]: 6', 'custom_id']) {
      expect(problems.some((p) => p.includes(expected)), expected).toBe(true);
    }
  });
});

describe('fitReply', () => {
  it('given a reply over the limits, then one within all of them, and what was cut', () => {
    const big = {
      content: 'c'.repeat(3000),
      embeds: [new EmbedBuilder().setTitle('t'.repeat(256)).setDescription('d'.repeat(4096)).addFields(Array.from({ length: 25 }, (_, i) => ({ name: `f${i}`, value: 'v'.repeat(1000) })))],
    };
    const { reply, cut } = fitReply(big);
    expect(cut.length).toBeGreaterThan(0);
    expect(replyProblems(reply)).toEqual([]);
    expect((reply.content as string).endsWith('…')).toBe(true);
  });

  it('given a reply that fits, then the same object', () => {
    const reply = { content: 'fine' };
    expect(fitReply(reply)).toEqual({ reply, cut: [] });
  });
});

describe('fitChoices', () => {
  it('given 40 choices with long names and a too-long value, then 25 that Discord accepts', () => {
    const choices = [{ name: 'bad', value: 'v'.repeat(101) }, ...Array.from({ length: 40 }, (_, i) => ({ name: `${'n'.repeat(150)}${i}`, value: String(i) }))];
    const fitted = fitChoices(choices);
    expect(fitted).toHaveLength(25);
    expect(fitted.every((c) => c.name.length <= 100 && c.value.length <= 100 && c.name.length > 0)).toBe(true);
    expect(fitted[0]!.value).toBe('0');
  });
});

describe('formatIskCompact', async () => {
  const { formatIskCompact } = await import('../../commands/_format.ts');
  it('given amounts from pennies to trillions, then three significant digits and a suffix', () => {
    expect([950, 12_345, 999_950, 45_600_000, 1_234_567_890, -2_500_000, 1e13].map(formatIskCompact)).toEqual([
      '950 ISK', '12.3k ISK', '1m ISK', '45.6m ISK', '1.23b ISK', '-2.5m ISK', '10t ISK',
    ]);
  });
});
