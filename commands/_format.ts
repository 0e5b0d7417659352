import { time, TimestampStyles } from 'discord.js';

const isk = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const whole = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** 1234567.891 → "1,234,567.89 ISK" */
export function formatIsk(amount: number): string {
  return `${isk.format(amount)} ISK`;
}

export function formatNumber(value: number): string {
  return whole.format(value);
}

/** "1 skill", "3 skills", "1,204 members" */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatNumber(n)} ${n === 1 ? one : many}`;
}

const COMPACT_STEPS = [
  { at: 1e12, suffix: 't' },
  { at: 1e9, suffix: 'b' },
  { at: 1e6, suffix: 'm' },
  { at: 1e3, suffix: 'k' },
] as const;

/**
 * ISK where exact pennies are noise, as EVE players write it:
 * 1234567890 → "1.23b ISK", 45600000 → "45.6m ISK", 950 → "950 ISK".
 * Three significant digits; the sign kept.
 */
export function formatIskCompact(amount: number): string {
  const sign = amount < 0 ? '-' : '';
  const size = Math.abs(amount);
  for (const step of COMPACT_STEPS) {
    // 999,950 rounds to "1.00m", not "1000k".
    if (size >= step.at * 0.9995) {
      const value = size / step.at;
      const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
      return `${sign}${Number(value.toFixed(digits)).toString()}${step.suffix} ISK`;
    }
  }
  return `${sign}${whole.format(Math.round(size))} ISK`;
}

/** "player_donation" → "Player donation" */
export function words(refType: string): string {
  const text = refType.replace(/_/g, ' ').trim();
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export const ROMAN = ['0', 'I', 'II', 'III', 'IV', 'V'];

export const relative = (date: Date) => time(date, TimestampStyles.RelativeTime);
export const shortDateTime = (date: Date) => time(date, TimestampStyles.ShortDateTime);
