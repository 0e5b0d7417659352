import { UserFacingError } from '../errors.ts';

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

const MAX_SHOWN = 10;
const some = (items: string[], quote: boolean) =>
  `${items.slice(0, MAX_SHOWN).map((i) => (quote ? `"${i.slice(0, 60)}"` : i)).join(', ')}${items.length > MAX_SHOWN ? ` and ${items.length - MAX_SHOWN} more` : ''}`;

function describe({ tooMany, notHere = [], unknown = [] }: TrackedCorporationsError['problems']): string {
  if (tooMany !== undefined) return `At most 20 corporations can be tracked; you listed ${tooMany}. Nothing was saved.`;
  const lines: string[] = [];
  if (notHere.length > 0) {
    lines.push(`No member of this server has a linked character in corporation${notHere.length > 1 ? 's' : ''} ${some(notHere, false)}.`);
  }
  if (unknown.length > 0) {
    lines.push(`Unknown corporation${unknown.length > 1 ? 's' : ''}: ${some(unknown, true)}.`);
  }
  lines.push("A server can track only corporations its members' linked characters are in (by id or name). Nothing was saved.");
  return lines.join('\n');
}
