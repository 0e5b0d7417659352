import { shortenTo } from './textLength.ts';

/** Discord's limit for X-Audit-Log-Reason. */
export const AUDIT_REASON_MAX = 512;

/** Every reason starts with it, so admins can tell the bot's changes from their own in the audit log. */
export const REASON_PREFIX = 'EVE role sync: ';

/** One reason from its phrases ("main Aria Harness is in …"), within Discord's limit. */
export function reasonText(phrases: readonly string[]): string {
  return shortenTo(`${REASON_PREFIX}${phrases.join('; ')}`, AUDIT_REASON_MAX);
}

/** A reason without its prefix, to be combined with others under one prefix. */
export function reasonPhrase(reason: string): string {
  return reason.startsWith(REASON_PREFIX) ? reason.slice(REASON_PREFIX.length) : reason;
}

/** "2026-11-01": the day is what a member remembers, and UTC is what every guild shares. */
export function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** "2026-11-03 12:00 UTC" */
export function minute(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
