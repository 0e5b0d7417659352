/**
 * A PNG of a wallet's balance over the journal's period, for /wallet character:.
 *
 * The chart is an SVG built here and rasterised by resvg (Rust, prebuilt per platform
 * from npm, no install script). resvg is imported on the first chart only, so the bot's
 * startup memory does not carry it. The font ships with the dependencies (DejaVu Sans
 * from dejavu-fonts-ttf) and system fonts are never consulted: a container without
 * fonts draws the same labels as a desktop.
 */
import { createRequire } from 'node:module';

export interface BalancePoint {
  date: Date;
  /** the balance right after the entry at `date` */
  balance: number;
}

export interface BalanceChartOptions {
  /** the chart's right edge; defaults to the current time */
  now?: Date;
  width?: number;
  height?: number;
}

/** ESI keeps 30 days of journal; older points are not drawn. */
export const CHART_DAYS = 30;

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** Discord's dark theme. */
const COLOURS = {
  background: '#2b2d31',
  grid: '#3f4147',
  zero: '#80848e',
  label: '#c4c9ce',
  title: '#f2f3f5',
  line: '#57f287',
  negative: '#ed4245',
} as const;

const require = createRequire(import.meta.url);
const FONT_FAMILY = 'DejaVu Sans';
const FONT_FILES = ['dejavu-fonts-ttf/ttf/DejaVuSans.ttf', 'dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'];

let resvg: Promise<typeof import('@resvg/resvg-js')> | undefined;
let fontFiles: string[] | undefined;

/** Journal entries → chart points: entries without a balance are left out, equal dates keep ESI's order (ids grow). */
export function balancePoints(entries: readonly { id?: bigint; date: Date; balance?: number }[]): BalancePoint[] {
  return entries
    .filter((e): e is typeof e & { balance: number } => e.balance !== undefined)
    .sort((a, b) => a.date.getTime() - b.date.getTime() || (a.id !== undefined && b.id !== undefined ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : 0))
    .map((e) => ({ date: e.date, balance: e.balance }));
}

/**
 * The balance as a step line from the first point (or 30 days ago) to `now`, as a PNG.
 *
 * Points may come in any order (ties keep their given order); points older than 30 days are
 * dropped, the newest of them giving the balance at the chart's left edge. With no point in
 * reach there is nothing to draw and the answer is undefined: the caller sends no attachment.
 * A single point draws a flat line from its date to now.
 */
export async function renderBalanceChart(points: readonly BalancePoint[], options: BalanceChartOptions = {}): Promise<Buffer | undefined> {
  const svg = balanceChartSvg(points, options);
  if (svg === undefined) return undefined;
  const { Resvg } = await (resvg ??= import('@resvg/resvg-js'));
  fontFiles ??= FONT_FILES.map((file) => require.resolve(file));
  // Synchronous on purpose: ~20 ms of a blocked loop, while renderAsync's thread pool
  // kept ~30 MB more resident (native buffers that V8 frees only on its next collection).
  const renderer = new Resvg(svg, { font: { loadSystemFonts: false, fontFiles, defaultFontFamily: FONT_FAMILY, sansSerifFamily: FONT_FAMILY }, logLevel: 'off' });
  return renderer.render().asPng();
}

/** The chart as SVG (what renderBalanceChart rasterises); undefined when there is nothing to draw. */
export function balanceChartSvg(points: readonly BalancePoint[], options: BalanceChartOptions = {}): string | undefined {
  const now = (options.now ?? new Date()).getTime();
  const width = options.width ?? 800;
  const height = options.height ?? 400;
  const series = chartSeries(points, now);
  if (series === undefined) return undefined;

  // Sizes are for 800x400 and scale with the image; Discord shows it ~350 px wide on a phone.
  const k = Math.min(width / 800, height / 400);
  const labelSize = 26 * k;
  const titleSize = 34 * k;
  const pad = 16 * k;

  const balances = series.steps.map((s) => s.balance);
  const y = yScale(Math.min(...balances), Math.max(...balances));
  const yLabels = y.ticks.map((t) => compactIsk(t, y.step));
  const gutter = Math.max(...yLabels.map((l) => textWidth(l, labelSize))) + 2 * pad;

  const plot = { left: gutter, right: width - pad * 1.5, top: titleSize + 3.2 * pad, bottom: height - labelSize - 1.6 * pad };
  const xOf = (t: number) => plot.left + ((t - series.start) / (series.end - series.start)) * (plot.right - plot.left);
  const yOf = (v: number) => plot.bottom - ((v - y.min) / (y.max - y.min)) * (plot.bottom - plot.top);
  const px = (n: number) => n.toFixed(1);

  const parts: string[] = [];
  parts.push(`<rect width="${width}" height="${height}" rx="${px(12 * k)}" fill="${COLOURS.background}"/>`);

  for (const [i, tick] of y.ticks.entries()) {
    const ty = yOf(tick);
    const colour = tick === 0 && y.min < 0 ? COLOURS.zero : COLOURS.grid;
    parts.push(`<line x1="${px(plot.left)}" x2="${px(plot.right)}" y1="${px(ty)}" y2="${px(ty)}" stroke="${colour}" stroke-width="${px(1.5 * k)}"/>`);
    parts.push(text(yLabels[i]!, gutter - pad, ty + labelSize * 0.35, labelSize, COLOURS.label, 'end'));
  }

  for (const tick of timeTicks(series.start, series.end, plot.right - plot.left, labelSize)) {
    const tx = xOf(tick.time);
    const half = textWidth(tick.label, labelSize) / 2;
    if (tx - half < pad || tx + half > width - pad) continue;
    parts.push(`<line x1="${px(tx)}" x2="${px(tx)}" y1="${px(plot.bottom)}" y2="${px(plot.bottom + 6 * k)}" stroke="${COLOURS.grid}" stroke-width="${px(2 * k)}"/>`);
    parts.push(text(tick.label, tx, height - pad, labelSize, COLOURS.label, 'middle'));
  }

  // The step line: the balance holds until the next entry, the last one until now.
  let line = `M${px(xOf(series.start))},${px(yOf(series.steps[0]!.balance))}`;
  for (const step of series.steps.slice(1)) line += `H${px(xOf(step.time))}V${px(yOf(step.balance))}`;
  line += `H${px(xOf(series.end))}`;
  const area = `${line}V${px(plot.bottom)}H${px(xOf(series.start))}Z`;
  parts.push(`<path d="${area}" fill="${COLOURS.line}" fill-opacity="0.14"/>`);
  parts.push(`<path d="${line}" fill="none" stroke="${COLOURS.line}" stroke-width="${px(5 * k)}" stroke-linejoin="round" stroke-linecap="round"/>`);

  const last = series.steps.at(-1)!.balance;
  parts.push(`<circle cx="${px(xOf(series.end))}" cy="${px(yOf(last))}" r="${px(7 * k)}" fill="${COLOURS.line}" stroke="${COLOURS.background}" stroke-width="${px(3 * k)}"/>`);

  // The current balance, large, top right; the period top left.
  parts.push(text(`Last ${period(series.end - series.start)}`, pad * 1.5, pad + titleSize * 0.8, labelSize, COLOURS.label, 'start'));
  parts.push(text(`${compactIsk(last)} ISK`, width - pad * 1.5, pad + titleSize * 0.85, titleSize, last < 0 ? COLOURS.negative : COLOURS.title, 'end', true));

  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${parts.join('')}</svg>`;
}

interface Series {
  start: number;
  end: number;
  steps: { time: number; balance: number }[];
}

function chartSeries(points: readonly BalancePoint[], now: number): Series | undefined {
  const cutoff = now - CHART_DAYS * DAY;
  const sorted = points
    .map((p) => ({ time: p.date.getTime(), balance: p.balance }))
    .filter((p) => Number.isFinite(p.time) && Number.isFinite(p.balance))
    .sort((a, b) => a.time - b.time);
  const older = sorted.filter((p) => p.time < cutoff);
  const recent = sorted.filter((p) => p.time >= cutoff);
  if (recent.length === 0) return undefined;

  // The newest dropped point is the balance the period starts with.
  const carried = older.at(-1);
  const steps = carried ? [{ time: cutoff, balance: carried.balance }, ...recent] : recent;
  const start = steps[0]!.time;
  // A journal entry from a clock ahead of ours still shows; a period shorter than an hour gets a day.
  const end = Math.max(now, steps.at(-1)!.time);
  return { start: end - start < HOUR ? end - DAY : start, end, steps };
}

/** A y range of 3–6 round ticks that holds every balance. */
function yScale(low: number, high: number): { min: number; max: number; step: number; ticks: number[] } {
  if (low === high) {
    const margin = Math.abs(low) * 0.05 || 1000;
    low -= margin;
    high += margin;
  }
  // Headroom, so that the line does not run along the plot's edge.
  const room = (high - low) * 0.05;
  low -= room;
  high += room;
  const step = niceStep((high - low) / 4);
  const min = Math.floor(low / step) * step;
  const max = Math.ceil(high / step) * step;
  const ticks: number[] = [];
  for (let i = 0; min + i * step <= max + step / 2; i++) ticks.push(roundTo(min + i * step, step));
  return { min, max, step, ticks };
}

function niceStep(rough: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const fraction = rough / magnitude;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10;
  return nice * magnitude;
}

/** Cancels the float error of min + i * step so that 0 is 0 and labels stay short. */
function roundTo(value: number, step: number): number {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 2);
  return Number(value.toFixed(Math.min(decimals, 20)));
}

const UNITS = [
  { size: 1e12, suffix: 't' },
  { size: 1e9, suffix: 'b' },
  { size: 1e6, suffix: 'm' },
  { size: 1e3, suffix: 'k' },
];

/**
 * ISK in a few characters: 1234567890 → "1.23b", 450000000 → "450m", 12000 → "12k".
 * With `step` (the distance between axis labels) it shows as many decimals as the step needs.
 */
export function compactIsk(value: number, step?: number): string {
  // Units are chosen after rounding, so 999,950 is "1m", not "1000k".
  const rounded = step === undefined ? Number(Math.abs(value).toPrecision(3)) : Math.abs(value);
  const unit = UNITS.find((u) => rounded >= u.size) ?? { size: 1, suffix: '' };
  const scaled = value / unit.size;
  const decimals =
    step === undefined ? Math.max(0, 2 - Math.floor(Math.log10(Math.abs(scaled) || 1))) : decimalsOf(step / unit.size);
  const text = trimZeros(scaled.toFixed(decimals));
  return `${text === '-0' ? '0' : text}${unit.suffix}`;
}

/** How many decimals multiples of `step` need (0.25 → 2, 5 → 0), at most 4. */
function decimalsOf(step: number): number {
  for (let d = 0; d < 4; d++) {
    const shifted = step * 10 ** d;
    if (Math.abs(shifted - Math.round(shifted)) < 1e-6 * Math.max(1, shifted)) return d;
  }
  return 4;
}

function trimZeros(fixed: string): string {
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const TIME_STEPS = [HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 3 * DAY, 5 * DAY, 7 * DAY, 10 * DAY, 14 * DAY];

/** Round times (EVE time, UTC) between start and end, as few as fit without crowding. */
function timeTicks(start: number, end: number, plotWidth: number, labelSize: number): { time: number; label: string }[] {
  const room = Math.max(2, Math.floor(plotWidth / (textWidth('Nov 30', labelSize) * 1.8)));
  const step = TIME_STEPS.find((s) => (end - start) / s < room + 1) ?? TIME_STEPS.at(-1)!;
  const ticks: { time: number; label: string }[] = [];
  for (let time = Math.ceil(start / step) * step; time <= end; time += step) {
    const date = new Date(time);
    const midnight = date.getUTCHours() === 0;
    const label = midnight ? `${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()}` : `${String(date.getUTCHours()).padStart(2, '0')}:00`;
    ticks.push({ time, label });
  }
  return ticks;
}

/** "9 hours", "1 day", "30 days" */
function period(ms: number): string {
  const hours = Math.round(ms / HOUR);
  if (hours < 36) return `${hours} hour${hours === 1 ? '' : 's'}`;
  const days = Math.round(ms / DAY);
  return `${days} day${days === 1 ? '' : 's'}`;
}

/** DejaVu Sans is wide: digits are 0.64 em, so this errs on the generous side. */
function textWidth(text: string, size: number): number {
  return text.length * size * 0.64;
}

function text(content: string, x: number, y: number, size: number, fill: string, anchor: 'start' | 'middle' | 'end', bold = false): string {
  const weight = bold ? ' font-weight="bold"' : '';
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" font-family="${FONT_FAMILY}" font-size="${size.toFixed(1)}"${weight} fill="${fill}" text-anchor="${anchor}">${escapeXml(content)}</text>`;
}

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
