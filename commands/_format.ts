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

/** "player_donation" → "Player donation" */
export function words(refType: string): string {
  const text = refType.replace(/_/g, ' ').trim();
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export const ROMAN = ['0', 'I', 'II', 'III', 'IV', 'V'];

export const relative = (date: Date) => time(date, TimestampStyles.RelativeTime);
export const shortDateTime = (date: Date) => time(date, TimestampStyles.ShortDateTime);
