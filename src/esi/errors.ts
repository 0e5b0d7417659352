/**
 * Failures of ESI calls, by what the caller must do about them. Every class
 * is `instanceof`-branchable; `message` is for logs (route and status, never a
 * token), `userMessage` is a sentence safe to show a user.
 */
import { UserFacingError } from '../errors.ts';

export interface EsiRouteInfo {
  method: string;
  /** the concrete path, e.g. /characters/90000001/wallet (ids are not secrets) */
  path: string;
  /** set for authenticated routes */
  characterId?: bigint;
}

export abstract class EsiError extends UserFacingError {
  readonly method: string;
  readonly path: string;
  readonly characterId: bigint | undefined;

  protected constructor(userMessage: string, logMessage: string, route: EsiRouteInfo, options?: { cause?: unknown }) {
    super(userMessage, options);
    this.message = logMessage;
    this.name = new.target.name;
    this.method = route.method;
    this.path = route.path;
    this.characterId = route.characterId;
  }
}

const routeText = (route: EsiRouteInfo) => `ESI ${route.method} ${route.path}`;

/** ESI's error text, shortened, for logs only. */
const esiText = (text: string | undefined) => (text ? `: ${text.length > 200 ? `${text.slice(0, 200)}…` : text}` : '');

/**
 * - rate-limit: a 429, or its Retry-After still in force;
 * - error-limit: a 420, or the shared error budget (X-ESI-Error-Limit-Remain)
 *   is too low for this request;
 * - error-allowance: the request's error scope (e.g. one guild) had too many
 *   error answers lately; it may not spend more of the budget everyone shares.
 */
export type EsiBusyReason = 'rate-limit' | 'error-limit' | 'error-allowance';

const BUSY_LOG_TEXT: Record<EsiBusyReason, string> = {
  'rate-limit': 'rate limited',
  'error-limit': 'error limit reached',
  'error-allowance': "error allowance of the request's scope spent",
};

/**
 * ESI or our own guard refused the call (see EsiBusyReason). Try again after
 * `retryAfterSeconds`.
 */
export class EsiBusyError extends EsiError {
  constructor(
    route: EsiRouteInfo,
    readonly retryAfterSeconds: number,
    readonly reason: EsiBusyReason,
    /** true when no request was sent (a known limit was still in force) */
    readonly refusedLocally = false,
  ) {
    super(
      reason === 'error-allowance'
        ? `Too many EVE Online lookups failed in a short time. Please check what you entered and try again in ${formatSeconds(retryAfterSeconds)}.`
        : `EVE Online's API is busy right now. Please try again in ${formatSeconds(retryAfterSeconds)}.`,
      `${routeText(route)}: ${BUSY_LOG_TEXT[reason]}${refusedLocally ? ' (refused without a request)' : ''}, retry after ${retryAfterSeconds}s`,
      route,
    );
  }
}

export type EsiUnavailableReason = 'status' | 'timeout' | 'network' | 'deadline' | 'closed';

/** 5xx, timeouts and network errors (after the allowed retries), or the caller's deadline ran out. Try later. */
export class EsiUnavailableError extends EsiError {
  constructor(
    route: EsiRouteInfo,
    readonly reason: EsiUnavailableReason,
    /** the last HTTP status, when there was one */
    readonly status?: number,
    options?: { cause?: unknown; attempts?: number },
  ) {
    super(
      "EVE Online's API is not answering right now. Please try again in a few minutes.",
      `${routeText(route)} unavailable (${reason}${status === undefined ? '' : ` ${status}`}${options?.attempts ? `, ${options.attempts} attempt(s)` : ''})`,
      route,
      options,
    );
  }
}

/** 401/403: the token lacks the scope, the login is dead, or the character lacks the in-game role. */
export class EsiForbiddenError extends EsiError {
  constructor(
    route: EsiRouteInfo,
    readonly status: number,
    /** the scope the route needs, on authenticated routes */
    readonly requiredScope: string | undefined,
    readonly esiMessage?: string,
  ) {
    super(
      'EVE Online refused access for this character. Linking the character again may help.',
      `${routeText(route)} answered ${status}${requiredScope ? ` (scope ${requiredScope})` : ''}${esiText(esiMessage)}`,
      route,
    );
  }
}

/** 404: the character, corporation, page or id does not exist (for ESI). */
export class EsiNotFoundError extends EsiError {
  readonly status = 404;
  constructor(
    route: EsiRouteInfo,
    readonly esiMessage?: string,
    /** true when no request was sent: ESI answered 404 to the same public GET a short while ago */
    readonly remembered = false,
  ) {
    super('EVE Online does not know that.', `${routeText(route)} answered 404${remembered ? ' (remembered, no request)' : ''}${esiText(esiMessage)}`, route);
  }
}

/** Any other 4xx (and 5xx other than 502/503/504): ESI rejected the request as made. */
export class EsiRequestError extends EsiError {
  constructor(
    route: EsiRouteInfo,
    readonly status: number,
    readonly esiMessage?: string,
  ) {
    super("EVE Online's API rejected the bot's request.", `${routeText(route)} answered ${status}${esiText(esiMessage)}`, route);
  }
}

/** The body was not JSON, or did not match the route's schema. Nothing of it reaches users. */
export class EsiMalformedResponseError extends EsiError {
  constructor(
    route: EsiRouteInfo,
    readonly status: number,
    /** short descriptions: 'path: problem' (no values) */
    readonly issues: string[],
    options?: { cause?: unknown },
  ) {
    super(
      "EVE Online's API sent an answer the bot could not read. Please try again later.",
      `${routeText(route)} answered ${status} with a malformed body: ${issues.slice(0, 5).join('; ')}`,
      route,
      options,
    );
  }
}

function formatSeconds(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.ceil(seconds))} seconds`;
  return `${Math.ceil(seconds / 60)} minutes`;
}
