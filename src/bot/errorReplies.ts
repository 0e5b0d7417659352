import { randomBytes } from 'node:crypto';
import { isDatabaseUnavailable } from '../db/client.ts';
import { UserFacingError } from '../errors.ts';

export interface ErrorReply {
  content: string;
  /** set when the error is unexpected: shown to the user and logged with the stack */
  errorId?: string;
}

/** A short id a user can quote and an operator can grep for in the log. */
export function newErrorId(): string {
  return randomBytes(4).toString('hex').toUpperCase();
}

/** Turns any failure into words a user can act on; nothing raw leaves the bot. */
export function errorReply(error: unknown): ErrorReply {
  if (error instanceof UserFacingError) return { content: error.userMessage };
  if (isDatabaseUnavailable(error)) {
    return { content: 'The bot is temporarily unavailable (its database cannot be reached). Please try again shortly.' };
  }
  const errorId = newErrorId();
  return { content: `Something went wrong on our side. If it keeps happening, tell an admin the error id \`${errorId}\`.`, errorId };
}
