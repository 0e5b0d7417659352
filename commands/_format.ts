import { time, TimestampStyles } from 'discord.js';
import { compactIsk } from '../src/wallet/balanceChart.ts';

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

/**
 * ISK where exact pennies are noise, as EVE players write it (the chart's
 * axis uses the same rule): 1234567890 → "1.23b ISK", 45600000 → "45.6m ISK",
 * 950 → "950 ISK".
 */
export function formatIskCompact(amount: number): string {
  return `${compactIsk(amount)} ISK`;
}

export const ROMAN = ['0', 'I', 'II', 'III', 'IV', 'V'];

export const relative = (date: Date) => time(date, TimestampStyles.RelativeTime);
export const shortDateTime = (date: Date) => time(date, TimestampStyles.ShortDateTime);
