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

export class UnknownCorporationsError extends UserFacingError {
  constructor(readonly unknown: string[]) {
    super(
      `Unknown corporation${unknown.length > 1 ? 's' : ''}: ${unknown.map((u) => `"${u}"`).join(', ')}. ` +
        'Names are matched against the corporations of linked characters; give the corporation id instead ' +
        '(the number in its zKillboard or EVE Who address). Nothing was saved.',
    );
  }
}
