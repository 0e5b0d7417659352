import { UserFacingError } from '../errors.ts';
import { escapeMarkdown } from '../text.ts';
import { MAX_TRACKED_CORPORATIONS } from './settings.ts';

/** Why /audit refused; each carries the sentence the user reads. No data is in any of them. */
export class AuditAccessDeniedError extends UserFacingError {
  constructor() {
    super('You need the Manage Server permission or the audit admin role of this server to use /audit.');
  }
}

export class AuditSettingsAccessDeniedError extends UserFacingError {
  constructor() {
    super('Only members with the Manage Server permission can change the /audit settings.');
  }
}

export class AuditOutsideGuildError extends UserFacingError {
  constructor() {
    super('/audit works in a server: run it there, not in a direct message.');
  }
}

export class AuditMemberNotInGuildError extends UserFacingError {
  constructor() {
    super('That user is not a member of this server, so the audit shows nothing about them.');
  }
}

/** Corporations /audit settings cannot track; the message says each problem and that nothing was saved. */
export class TrackedCorporationsError extends UserFacingError {
  constructor(readonly problems: { tooMany?: number; notHere?: string[]; unknown?: string[] }) {
    super(describe(problems));
  }
}

/** Discord's limit for a message; the refusal is a plain message. */
const MESSAGE_MAX = 2000;
/** A typed name is shown at most this long: enough to recognise it. */
const NAME_SHOWN_MAX = 60;
/** What someone typed, shown as text: no markdown, no mention, no link syntax. */
const typed = (text: string) => `"${escapeMarkdown(text.length > NAME_SHOWN_MAX ? `${text.slice(0, NAME_SHOWN_MAX - 1)}…` : text).replace(/([@<#:])/g, '$1\u200b')}"`;

/** As many items as fit in `max` characters, then "and N more". */
function some(items: readonly string[], max: number): string {
  const shown: string[] = [];
  let length = 0;
  for (let i = 0; i < items.length; i += 1) {
    const left = items.length - i - 1;
    const next = length + (shown.length > 0 ? 2 : 0) + items[i]!.length;
    if (next + (left > 0 ? ` and ${left} more`.length : 0) > max && shown.length > 0) return `${shown.join(', ')} and ${items.length - i} more`;
    shown.push(items[i]!);
    length = next;
  }
  return shown.join(', ');
}

function describe({ tooMany, notHere = [], unknown = [] }: TrackedCorporationsError['problems']): string {
  if (tooMany !== undefined) return `At most ${MAX_TRACKED_CORPORATIONS} corporations can be tracked; you listed ${tooMany}. Nothing was saved.`;
  const closing = "A server can track only corporations its members' linked pilots are in (by id or name). Nothing was saved.";
  // Both lists share what the message has room for; the closing sentence always shows.
  const room = Math.floor((MESSAGE_MAX - closing.length - 200) / (notHere.length > 0 && unknown.length > 0 ? 2 : 1));
  const lines: string[] = [];
  if (notHere.length > 0) {
    lines.push(`No member of this server has a linked pilot in corporation${notHere.length > 1 ? 's' : ''} ${some(notHere, room)}.`);
  }
  if (unknown.length > 0) {
    lines.push(`Unknown corporation${unknown.length > 1 ? 's' : ''}: ${some(unknown.map(typed), room)}.`);
  }
  lines.push(closing);
  return lines.join('\n');
}
