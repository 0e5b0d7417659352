import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { balanceChartSvg, balancePoints, CHART_DAYS, compactIsk, renderBalanceChart, type BalancePoint } from '../../src/wallet/balanceChart.ts';

const NOW = new Date('2026-11-28T12:00:00Z');
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000);

/** A month of ratting and trading, newest first as ESI sends it. */
const JOURNAL = Array.from({ length: 40 }, (_, i) => ({
  id: BigInt(1000 + i),
  date: hoursAgo(700 - i * 17),
  balance: 1_000_000_000 + i * 25_000_000 - (i % 5 === 0 ? 300_000_000 : 0),
})).reverse();

const LINE: Rgb = [0x57, 0xf2, 0x87];
const BACKGROUND: Rgb = [0x2b, 0x2d, 0x31];
const LABEL: Rgb = [0xc4, 0xc9, 0xce];

describe('renderBalanceChart', () => {
  it('given a month of journal, then it is an 800x400 PNG', async () => {
    const png = (await renderBalanceChart(balancePoints(JOURNAL), { now: NOW }))!;

    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const image = decodePng(png);
    expect([image.width, image.height]).toEqual([800, 400]);
  });

  it('given a month of journal, then the plot shows the line and the axes have labels', async () => {
    const image = decodePng((await renderBalanceChart(balancePoints(JOURNAL), { now: NOW }))!);

    expect(image.at(400, 390)).toEqual([...BACKGROUND, 255]);
    // the step line runs through the plot area, right of the y labels and above the x labels
    expect(countNear(image, LINE, { x0: 120, x1: 780, y0: 60, y1: 350 })).toBeGreaterThan(1500);
    // labels come from the packaged font (system fonts are never loaded): without it they would be missing
    expect(countNear(image, LABEL, { x0: 0, x1: 100, y0: 60, y1: 360 }, 40)).toBeGreaterThan(300);
    expect(countNear(image, LABEL, { x0: 100, x1: 800, y0: 360, y1: 400 }, 40)).toBeGreaterThan(300);
    expect(distinctColours(image)).toBeGreaterThan(50);
  });

  it('given a size, then the PNG has it', async () => {
    const image = decodePng((await renderBalanceChart(balancePoints(JOURNAL), { now: NOW, width: 600, height: 300 }))!);
    expect([image.width, image.height]).toEqual([600, 300]);
  });

  it('given no points, or only points older than 30 days, then there is no chart', async () => {
    expect(await renderBalanceChart([], { now: NOW })).toBeUndefined();
    expect(await renderBalanceChart([{ date: hoursAgo(24 * CHART_DAYS + 1), balance: 5 }], { now: NOW })).toBeUndefined();
  });

  it('given one point, then a flat line runs from it to now', async () => {
    const image = decodePng((await renderBalanceChart([{ date: hoursAgo(50), balance: 12_345_678 }], { now: NOW }))!);
    expect(countNear(image, LINE, { x0: 120, x1: 780, y0: 60, y1: 350 })).toBeGreaterThan(1500);
    expect(balanceChartSvg([{ date: hoursAgo(50), balance: 12_345_678 }], { now: NOW })).toContain('>12.3m ISK<');
  });

  it('given a single point right now, then the chart spans the last day', () => {
    const svg = balanceChartSvg([{ date: NOW, balance: 5e9 }], { now: NOW })!;
    expect(svg).toContain('>Last 24 hours<');
    expect(svg).toContain('>5b ISK<');
  });

  it('given equal balances, then the axis still has distinct labels', () => {
    const svg = balanceChartSvg([200e6, 200e6, 200e6].map((balance, i) => ({ date: hoursAgo(300 - i * 100), balance })), { now: NOW })!;
    const labels = yLabels(svg);
    expect(new Set(labels).size).toBe(labels.length);
    expect(labels.length).toBeGreaterThanOrEqual(3);
    expect(labels).toContain('200m');
  });

  it('given negative balances, then the labels go below zero and the balance is called out in red', () => {
    const svg = balanceChartSvg(
      [
        { date: hoursAgo(300), balance: 50e6 },
        { date: hoursAgo(100), balance: -80e6 },
      ],
      { now: NOW },
    )!;
    expect(yLabels(svg)).toEqual(expect.arrayContaining(['0', '-50m']));
    expect(svg).toMatch(/fill="#ed4245"[^>]*>-80m ISK</);
  });

  it('given trillions, then the labels stay short', () => {
    const svg = balanceChartSvg(
      [
        { date: hoursAgo(500), balance: 1e13 },
        { date: hoursAgo(2), balance: 1.2e13 },
      ],
      { now: NOW },
    )!;
    expect(yLabels(svg).every((label) => /^\d+(\.\d+)?t$/.test(label))).toBe(true);
    expect(svg).toContain('>12t ISK<');
  });

  it('given points out of order, then the chart is the one of the sorted points', () => {
    const sorted = balancePoints(JOURNAL);
    const shuffled = [...sorted].sort((a, b) => (a.balance % 7) - (b.balance % 7) || a.date.getTime() - b.date.getTime());
    expect(shuffled).not.toEqual(sorted);
    expect(balanceChartSvg(shuffled, { now: NOW })).toBe(balanceChartSvg(sorted, { now: NOW }));
  });

  it('given points older than 30 days, then they are dropped and the newest of them starts the period', () => {
    const cutoff = new Date(NOW.getTime() - CHART_DAYS * 86_400_000);
    const recent: BalancePoint[] = [{ date: hoursAgo(10), balance: 900e6 }];
    const withOld = [{ date: hoursAgo(24 * 40), balance: 700e6 }, { date: hoursAgo(24 * 35), balance: 800e6 }, ...recent];
    expect(balanceChartSvg(withOld, { now: NOW })).toBe(balanceChartSvg([{ date: cutoff, balance: 800e6 }, ...recent], { now: NOW }));
    expect(yLabels(balanceChartSvg(withOld, { now: NOW })!)).not.toContain('700m');
  });

  it('given x labels, then they are short dates in EVE time', () => {
    const labels = [...balanceChartSvg(balancePoints(JOURNAL), { now: NOW })!.matchAll(/text-anchor="middle">([^<]+)</g)].map((m) => m[1]);
    expect(labels.length).toBeGreaterThanOrEqual(2);
    for (const label of labels) expect(label).toMatch(/^(Oct|Nov) \d{1,2}$/);
  });
});

describe('balancePoints', () => {
  it('given journal entries, then they are sorted by date then id, and those without a balance are left out', () => {
    const date = hoursAgo(5);
    const points = balancePoints([
      { id: 3n, date, balance: 30 },
      { id: 9n, date: hoursAgo(1) },
      { id: 2n, date, balance: 20 },
      { id: 1n, date: hoursAgo(9), balance: 10 },
    ]);
    expect(points).toEqual([
      { date: hoursAgo(9), balance: 10 },
      { date, balance: 20 },
      { date, balance: 30 },
    ]);
  });
});

describe('compactIsk', () => {
  it.each([
    [0, '0'],
    [999, '999'],
    [12_000, '12k'],
    [12_345, '12.3k'],
    [450_000_000, '450m'],
    [1_234_567_890, '1.23b'],
    [-1_200_000_000, '-1.2b'],
    [999_950, '1m'],
    [1e13, '10t'],
  ])('given %d, then %s', (value, text) => {
    expect(compactIsk(value)).toBe(text);
  });

  it('given an axis step, then each label has the decimals the step needs', () => {
    expect([0, 250e6, 1e9, 1.25e9, -5e8].map((v) => compactIsk(v, 250e6))).toEqual(['0', '250m', '1b', '1.25b', '-500m']);
  });
});

type Rgb = [number, number, number];

interface Decoded {
  width: number;
  height: number;
  at(x: number, y: number): number[];
}

/** Enough of PNG for resvg's output: 8-bit RGBA, not interlaced. */
function decodePng(png: Buffer): Decoded {
  const idat: Buffer[] = [];
  let width = 0;
  let height = 0;
  for (let offset = 8; offset < png.length; ) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect([data[8], data[9], data[12]]).toEqual([8, 6, 0]);
    }
    if (type === 'IDAT') idat.push(data);
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 4;
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; i++) {
      const left = i >= 4 ? pixels[y * stride + i - 4]! : 0;
      const up = y > 0 ? pixels[(y - 1) * stride + i]! : 0;
      const upLeft = y > 0 && i >= 4 ? pixels[(y - 1) * stride + i - 4]! : 0;
      const predictor = [0, left, up, (left + up) >> 1, paeth(left, up, upLeft)][filter]!;
      pixels[y * stride + i] = (line[i]! + predictor) & 0xff;
    }
  }
  return { width, height, at: (x, y) => [...pixels.subarray(y * stride + x * 4, y * stride + x * 4 + 4)] };
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

function countNear(image: Decoded, colour: Rgb, box: { x0: number; x1: number; y0: number; y1: number }, tolerance = 12): number {
  let count = 0;
  for (let y = box.y0; y < box.y1; y++)
    for (let x = box.x0; x < box.x1; x++) {
      const [r, g, b] = image.at(x, y);
      if (Math.abs(r! - colour[0]) <= tolerance && Math.abs(g! - colour[1]) <= tolerance && Math.abs(b! - colour[2]) <= tolerance) count++;
    }
  return count;
}

function distinctColours(image: Decoded): number {
  const seen = new Set<string>();
  for (let y = 0; y < image.height; y += 2) for (let x = 0; x < image.width; x += 2) seen.add(image.at(x, y).join());
  return seen.size;
}

function yLabels(svg: string): string[] {
  return [...svg.matchAll(/text-anchor="end">([^<]+)</g)].map((m) => m[1]!).filter((label) => !label.endsWith(' ISK'));
}
